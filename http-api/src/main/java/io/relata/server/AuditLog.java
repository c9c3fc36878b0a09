package io.relata.server;

/**
 * Where the audit log's lines go ({@code --audit-log}). {@link #accept} is called on the request
 * path and must not block or fail the request: an implementation that cannot take a line counts
 * it as dropped (see {@link AuditWriter}); it never loses one silently.
 */
interface AuditLog extends AutoCloseable {

    /** No audit log (the default): takes nothing. */
    AuditLog OFF = new AuditLog() {
        @Override
        public void accept(AuditEvent event) {}

        @Override
        public void close() {}
    };

    /** Takes one event, without blocking. */
    void accept(AuditEvent event);

    /** Writes what was taken and stops; later events are dropped (and counted). */
    @Override
    void close();
}
