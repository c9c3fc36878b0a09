package io.relata.cli;

/** A client command's failure: the message for the person at the terminal and the exit code. */
public final class ClientException extends RuntimeException {

    private final int exitCode;

    /** @param exitCode one of {@link ExitCodes} */
    public ClientException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** A usage error (exit 2). */
    static ClientException usage(String message) {
        return new ClientException(ExitCodes.USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
