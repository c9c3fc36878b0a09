package io.relata.cli;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code relata context set|list|use|remove}: the saved servers and their tokens ({@link Contexts}). */
@Command(name = "context", mixinStandardHelpOptions = true,
        description = "Save servers to talk to (an endpoint and a token each) and pick the current one.",
        subcommands = {ContextCommands.Set.class, ContextCommands.ListContexts.class, ContextCommands.Use.class,
            ContextCommands.Remove.class})
public final class ContextCommands implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return ExitCodes.OK;
    }

    /** Runs {@code body}, turning a ClientException into its message and exit code. */
    static int guarded(Callable<Integer> body) throws Exception {
        try {
            return body.call();
        } catch (ClientException e) {
            System.err.println("relata: " + e.getMessage());
            return e.exitCode();
        }
    }

    /** {@code relata context set NAME ENDPOINT TOKEN}. */
    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Save a context and make it current (the token goes to a file only you can read).")
    public static final class Set implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "ENDPOINT", description = "host:port (https) or http(s)://host:port")
        String endpoint;

        @Parameters(index = "2", paramLabel = "TOKEN", description = "The bearer token (API key).")
        String token;

        @Option(names = "--insecure", description = "Plaintext HTTP instead of TLS.")
        boolean insecure;

        @Option(names = "--ca-cert", description = "PEM file of the CA certificate(s) to trust.")
        Path caCert;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                Connection.baseUri(endpoint, insecure); // refuse what could never connect
                if (caCert != null) {
                    Connection.trusting(caCert);
                }
                Contexts contexts = Contexts.fromEnvironment();
                contexts.save(new Contexts.Context(name, endpoint, token, insecure,
                        caCert == null ? null : caCert.toAbsolutePath().toString()));
                System.out.println("relata: context `" + name + "` saved and current (" + contexts.configFile() + ")");
                return ExitCodes.OK;
            });
        }
    }

    /** {@code relata context list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the saved contexts (tokens hidden).")
    public static final class ListContexts implements Callable<Integer> {

        @Option(names = "--json", description = "One JSON object a line.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                Contexts contexts = Contexts.fromEnvironment();
                String current = contexts.current();
                try (Output.Table table = new Output.Table("CURRENT", "NAME", "ENDPOINT", "TLS")) {
                    for (Contexts.Context c : contexts.all().values()) {
                        boolean isCurrent = c.name().equals(current);
                        String tls = c.insecure() ? "no" : c.caCert() == null ? "yes" : "yes, CA " + c.caCert();
                        if (json) {
                            Output.json(new JsonObject().put("name", c.name()).put("endpoint", c.endpoint())
                                    .put("current", isCurrent).put("insecure", c.insecure()).put("caCert", c.caCert()));
                        } else {
                            table.row(isCurrent ? "*" : "", c.name(), c.endpoint(), tls);
                        }
                    }
                }
                return ExitCodes.OK;
            });
        }
    }

    /** {@code relata context use NAME}. */
    @Command(name = "use", mixinStandardHelpOptions = true, description = "Make a saved context current.")
    public static final class Use implements Callable<Integer> {

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                Contexts.fromEnvironment().use(name);
                System.out.println("relata: context `" + name + "` is current");
                return ExitCodes.OK;
            });
        }
    }

    /** {@code relata context remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Forget a saved context and its token.")
    public static final class Remove implements Callable<Integer> {

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                Contexts.fromEnvironment().remove(name);
                System.out.println("relata: context `" + name + "` removed");
                return ExitCodes.OK;
            });
        }
    }
}
