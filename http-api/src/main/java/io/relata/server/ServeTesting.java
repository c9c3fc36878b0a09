package io.relata.server;

import io.relata.engine.EngineOptions;
import io.relata.store.ApiKeys;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relata serve-testing}: a server for clients' test suites, like {@code spicedb serve-testing}.
 * Data lives in memory only, and every distinct bearer token gets a fresh, empty tenant of its own
 * on first use, so suites using random tokens are isolated from each other.
 */
@Command(name = "serve-testing", mixinStandardHelpOptions = true,
        description = "Run an in-memory server for tests: every distinct bearer token gets its own empty tenant on"
                + " first use. Data is lost when it stops.")
final class ServeTesting implements Callable<Integer> {

    @Option(names = "--http-port", defaultValue = "${env:RELATA_HTTP_PORT:-8443}", description = "HTTP port (default 8443).")
    int httpPort;

    @Option(names = "--host", defaultValue = "${env:RELATA_HOST:-0.0.0.0}", description = "Address to listen on.")
    String host;

    @Option(names = "--max-tenants", defaultValue = "${env:RELATA_MAX_TENANTS:-10000}",
            description = "Most tenants (distinct tokens) held; a new token beyond them is refused (default 10000).")
    int maxTenants;

    @Option(names = "--admin-key", defaultValue = "${env:RELATA_ADMIN_KEY}",
            description = "Key of the admin API (/v1/tenants/...); without it there is none.")
    String adminKey;

    @Mixin
    ListenerOptions listener;

    @Mixin
    TraceOptions traces;

    @Mixin
    AuditLogOptions audit;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** A started test server and its store. */
    record Running(RelataServer server, TupleStore store, int httpPort) {

        /** Stops the server (in-flight requests get {@code grace}) and drops the data. */
        void stop(Duration grace) {
            server.stop(grace);
            store.close();
        }
    }

    @Override
    public Integer call() throws Exception {
        Running running;
        try {
            running = start(System.out);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("relata: shutting down; the data in memory is dropped");
            running.stop(Duration.ofSeconds(10));
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /**
     * Starts the server and says on {@code out} what it is and where it listens.
     *
     * @throws CommandLine.ParameterException for options that do not hold
     * @throws IllegalArgumentException       when the audit log cannot be opened
     * @throws IllegalStateException          when it cannot listen
     */
    Running start(PrintStream out) throws InterruptedException {
        if (maxTenants < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--max-tenants must be at least 1, got " + maxTenants);
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret); // tokens mean nothing after a restart: the data is gone too
        ServerConfig config = listener.applyTo(new ServerConfig(host, httpPort, Map.of(),
                HexFormat.of().formatHex(secret), Duration.ofSeconds(5), 4L * 1024 * 1024, 1000,
                EngineOptions.DEFAULTS, blankIsNull(adminKey)));
        Tracing tracing = traces.open(); // after the other options: a refused one leaves no exporter running
        TupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
        ApiKeys keys = new MemoryApiKeys(store);
        RelataServer server = new RelataServer(config, store, keys,
                Authenticator.perTokenTenants(store, keys, config.adminKey(), maxTenants), tracing);
        server.servePlayground();
        int bound;
        try {
            audit.openOn(server);
            bound = Main.listen(server, config);
        } catch (IllegalArgumentException | IllegalStateException e) {
            server.stop(Duration.ofSeconds(1));
            store.close();
            throw e;
        }
        out.println("relata serve-testing: data is kept in memory only and is LOST when the server stops");
        out.println("relata serve-testing: every distinct bearer token gets its own empty tenant on first use"
                + " (at most " + maxTenants + " tenants)");
        out.println("relata serve-testing: " + (config.adminKey() == null ? "no admin API (no --admin-key)"
                : "admin API on /v1/tenants/... with --admin-key"));
        out.println("relata serve-testing: serving SpiceDB's v1 HTTP API on " + listener.httpScheme() + "://" + host
                + ":" + bound);
        out.println("relata serve-testing: serving SpiceDB's gRPC API (authzed.api.v1) on " + host + ":"
                + server.grpcPort() + (config.tls() ? " with TLS" : " in plaintext"));
        out.println("relata serve-testing: the playground is at " + listener.httpScheme() + "://" + host + ":" + bound
                + "/playground");
        if (tracing.on()) {
            out.println("relata serve-testing: sending traces over OTLP/HTTP to " + traces.endpoint.strip());
        }
        return new Running(server, store, bound);
    }

    private static String blankIsNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
