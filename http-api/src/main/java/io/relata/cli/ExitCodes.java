package io.relata.cli;

/**
 * The exit codes of the client commands, for scripts. They are documented in {@code relata --help}
 * and README.md.
 */
public final class ExitCodes {

    /** Done; for {@code permission check}: the subject has the permission. */
    public static final int OK = 0;
    /** The server refused the request (bad argument, unknown type, failed precondition, bad token, ...). */
    public static final int REFUSED = 1;
    /** A usage error: bad flags or arguments, an unreadable file, no context to connect with. */
    public static final int USAGE = 2;
    /** {@code permission check}: the subject does not have the permission. */
    public static final int NO_PERMISSION = 3;
    /** {@code permission check}: the permission depends on caveat context that was not given. */
    public static final int CONDITIONAL = 4;
    /** The server could not be reached, or failed (connection, TLS, timeout, unavailable, internal error). */
    public static final int UNAVAILABLE = 5;

    /** The text {@code relata --help} shows under "Exit codes". */
    public static final String HELP = "0 ok (check: has permission), 1 refused by the server, 2 usage error,"
            + " 3 check: no permission, 4 check: caveated (context missing), 5 server unreachable or failing";

    private ExitCodes() {}
}
