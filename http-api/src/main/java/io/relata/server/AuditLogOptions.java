package io.relata.server;

import java.io.IOException;
import picocli.CommandLine.Option;

/**
 * The {@code --audit-log} option {@code serve} and {@code serve-testing} share: where a server
 * records its decisions and writes, if anywhere (off by default).
 */
final class AuditLogOptions {

    @Option(names = "--audit-log", paramLabel = "FILE|stdout", defaultValue = "${env:RELATA_AUDIT_LOG}",
            description = "Write one JSON line per decision and per write to FILE (appended) or `stdout`.")
    String target;

    /**
     * Starts {@code server}'s audit log when one is asked for.
     *
     * @throws IllegalArgumentException when the file cannot be opened, with a message naming it
     */
    void openOn(RelataServer server) {
        if (target == null || target.isBlank()) {
            return;
        }
        try {
            server.auditTo(target);
        } catch (IOException e) {
            throw new IllegalArgumentException("relata: cannot open the audit log " + target + ": " + e, e);
        }
    }
}
