package io.relata.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A command that talks to a server: it connects through {@link Connection}, prints for people
 * or, with {@code --json}, the API's JSON, and turns every failure into a message on stderr
 * and an exit code of {@link ExitCodes}.
 */
public abstract class ClientCommand implements Callable<Integer> {

    @Mixin
    Connection connection;

    @Option(names = "--json", description = "Print the API's JSON (one object a line for streams) instead of text.")
    boolean json;

    /** Runs the command against {@code api}; gives its exit code. */
    abstract int run(ApiClient api) throws Exception;

    /** Runs the command: against the server of {@link #connection}, unless a command answers without one. */
    int execute() throws Exception {
        return run(connection.client());
    }

    @Override
    public final Integer call() throws Exception {
        try {
            return execute();
        } catch (ClientException e) {
            System.out.flush();
            System.err.println("relata: " + e.getMessage());
            return e.exitCode();
        } catch (IllegalArgumentException e) {
            System.out.flush();
            System.err.println("relata: " + e.getMessage());
            return ExitCodes.USAGE;
        }
    }
}
