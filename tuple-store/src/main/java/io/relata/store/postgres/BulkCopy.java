package io.relata.store.postgres;

import io.relata.store.AlreadyExistsException;
import io.relata.store.Json;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.SubjectRef;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bulk import's rows into {@code relation_tuples} through {@code COPY ... FROM STDIN} in
 * text format, and the statistics after it.
 *
 * <p><b>Encoding.</b> Each row is written straight into one reused byte buffer (names and
 * ids are ASCII by their rules; anything else, such as a caveat's context, goes through
 * UTF-8), which is handed to the driver whenever it is nearly full: no string per row, no
 * copy of the buffer. PostgreSQL routes each row to its partition.
 *
 * <p><b>Statistics.</b> The planner needs them to choose between the forward and reverse
 * index; autovacuum gathers them only a while after a big load, and without them a lookup
 * over 50,000 results took 15 s. So once an import of at least {@link #ANALYZE_AFTER_ROWS}
 * has committed, the store asks its {@link Analyzer} for {@code ANALYZE} of each partition that
 * received rows, in the background (the import answers at once): one sample of at most 30,000
 * rows per partition (a fraction of a second each), none of the others. A failed ANALYZE is
 * logged, never the import's failure: the import has committed.
 */
final class BulkCopy {

    private static final Logger LOG = LoggerFactory.getLogger(BulkCopy.class);

    /** The smallest import after which the partitions it wrote to are analyzed. */
    static final long ANALYZE_AFTER_ROWS = 10_000;

    private static final int BUFFER = 1 << 18;

    private byte[] buffer = new byte[BUFFER];
    private int used;
    private CopyIn copy;
    /** The resource types written (the partition key besides the tenant), in first-seen order. */
    final Set<String> resourceTypes = new LinkedHashSet<>();
    long rows;

    /** Copies every relationship of {@code source} into the tenant's rows at {@code revision}. */
    void copy(PGConnection connection, long tenantId, long revision, Iterator<Relationship> source) throws SQLException {
        copy = connection.getCopyAPI().copyIn("COPY relation_tuples (tenant_id, resource_type, resource_id,"
                + " relation, subject_type, subject_id, subject_relation, caveat_name, caveat_context, expires_at,"
                + " created_rev) FROM STDIN");
        try {
            byte[] prefix = (tenantId + "\t").getBytes(StandardCharsets.US_ASCII);
            byte[] suffix = ("\t" + revision + "\n").getBytes(StandardCharsets.US_ASCII);
            String lastType = null;
            while (source.hasNext()) {
                Relationship r = source.next();
                String type = r.resource().type();
                if (type != lastType) {
                    resourceTypes.add(type);
                    lastType = type;
                }
                if (used > BUFFER - 8192) {
                    flush();
                }
                raw(prefix);
                field(type).tab();
                field(r.resource().id()).tab();
                field(r.relation()).tab();
                SubjectRef s = r.subject();
                field(s.type()).tab();
                field(s.id()).tab();
                field(s.relationOrEmpty()).tab();
                if (r.caveat() == null) {
                    nul().tab().nul().tab();
                } else {
                    field(r.caveat().name()).tab();
                    if (r.caveat().context().isEmpty()) {
                        nul().tab();
                    } else {
                        field(Json.write(r.caveat().context())).tab();
                    }
                }
                if (r.expiresAt() == null) {
                    nul();
                } else {
                    field(r.expiresAt().toString());
                }
                raw(suffix);
                rows++;
            }
            flush();
            copy.endCopy();
        } catch (CopyFailed e) {
            throw e.sql();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private void flush() {
        if (used > 0) {
            try {
                copy.writeToCopy(buffer, 0, used);
            } catch (SQLException e) {
                throw new CopyFailed(e);
            }
            used = 0;
        }
    }

    /** Room for {@code bytes} more: flushes, and grows the buffer for a value larger than it. */
    private void ensure(int bytes) {
        if (used + bytes > buffer.length) {
            flush();
            if (bytes > buffer.length) {
                buffer = new byte[bytes];
            }
        }
    }

    /** A driver failure while writing, carried out of the encoding methods and unwrapped by {@link #copy}. */
    static final class CopyFailed extends RuntimeException {
        CopyFailed(SQLException cause) {
            super(cause);
        }

        SQLException sql() {
            return (SQLException) getCause();
        }
    }

    private void raw(byte[] bytes) {
        System.arraycopy(bytes, 0, buffer, used, bytes.length);
        used += bytes.length;
    }

    private BulkCopy tab() {
        buffer[used++] = '\t';
        return this;
    }

    private BulkCopy nul() {
        buffer[used++] = '\\';
        buffer[used++] = 'N';
        return this;
    }

    /** A value in COPY's text format (backslash escapes): ASCII as it is, anything else as UTF-8. */
    private BulkCopy field(String value) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            if (value.charAt(i) >= 0x80) {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                ensure(bytes.length * 2 + 64);
                for (byte b : bytes) {
                    escaped(b);
                }
                return this;
            }
        }
        ensure(n * 2 + 64);
        for (int i = 0; i < n; i++) {
            escaped((byte) value.charAt(i));
        }
        return this;
    }

    private void escaped(byte b) {
        switch (b) {
            case '\\' -> {
                buffer[used++] = '\\';
                buffer[used++] = '\\';
            }
            case '\t' -> {
                buffer[used++] = '\\';
                buffer[used++] = 't';
            }
            case '\n' -> {
                buffer[used++] = '\\';
                buffer[used++] = 'n';
            }
            case '\r' -> {
                buffer[used++] = '\\';
                buffer[used++] = 'r';
            }
            default -> buffer[used++] = b;
        }
    }

    /**
     * What a unique violation in the import's COPY says, naming the relationship: the server's
     * detail lists the key's values ({@code Key (tenant_id, resource_type, ...)=(7, doc, d1, ...)}),
     * which never hold {@code ", "} (types, relations and ids cannot).
     */
    static AlreadyExistsException duplicate(SQLException e) {
        return new AlreadyExistsException(duplicateKey(e), e);
    }

    static String duplicateKey(SQLException e) {
        String detail = e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getDetail() : null;
        int open = detail == null ? -1 : detail.indexOf(")=(");
        int close = detail == null ? -1 : detail.lastIndexOf(')');
        if (open >= 0 && close > open) {
            String[] v = detail.substring(open + 3, close).split(", ", -1);
            if (v.length >= 7) {
                try {
                    Relationship key = Relationship.of(new ObjectRef(v[1], v[2]), v[3],
                            new SubjectRef(v[4], v[5], v[6].isEmpty() ? null : v[6]));
                    return "relationship " + key + " already exists, or appears twice in the import";
                } catch (IllegalArgumentException unreadable) {
                    // Fall through to the message without the relationship.
                }
            }
        }
        return "a relationship being imported already exists, or appears twice in the import";
    }
}
