package io.relata.store;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks every store makes the same way, for store implementations. */
public final class StoreSupport {

    private StoreSupport() {}

    /** Checks a write's size and that no relationship appears twice. */
    public static void checkWrite(StoreOptions options, List<RelationshipUpdate> updates, List<Precondition> preconditions) {
        if (updates.size() > options.maxUpdatesPerWrite()) {
            throw new InvalidRequestException("a write may carry at most " + options.maxUpdatesPerWrite()
                    + " updates; this one has " + updates.size() + ". Split it, or use bulk import");
        }
        if (preconditions.size() > options.maxUpdatesPerWrite()) {
            throw new InvalidRequestException("a write may carry at most " + options.maxUpdatesPerWrite()
                    + " preconditions; this one has " + preconditions.size());
        }
        Set<Relationship> seen = new HashSet<>();
        for (RelationshipUpdate update : updates) {
            if (!seen.add(update.relationship().key())) {
                throw new InvalidRequestException("relationship " + update.relationship().key()
                        + " appears twice in one write; each relationship may be changed once per write");
            }
        }
    }

    public static void checkTenantName(String tenant) {
        if (tenant == null || !tenant.matches("[a-zA-Z0-9_][a-zA-Z0-9_.\\-]{0,127}")) {
            throw new IllegalArgumentException("tenant name `" + tenant + "` is invalid: use 1 to 128 letters, digits,"
                    + " `_`, `.` and `-`");
        }
    }

    public static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a page size must be at least 1, got " + limit);
        }
    }

    public static PreconditionFailedException failed(Precondition p) {
        return new PreconditionFailedException("precondition failed: " + (p.kind() == Precondition.Kind.MUST_MATCH
                ? "no relationship matches " : "a relationship matches ") + describe(p.filter()));
    }

    public static String describe(RelationshipFilter f) {
        StringBuilder out = new StringBuilder("{");
        if (f.resourceType() != null) {
            out.append("resourceType=").append(f.resourceType()).append(' ');
        }
        if (f.resourceId() != null) {
            out.append("resourceId=").append(f.resourceId()).append(' ');
        }
        if (f.resourceIdPrefix() != null) {
            out.append("resourceIdPrefix=").append(f.resourceIdPrefix()).append(' ');
        }
        if (f.relation() != null) {
            out.append("relation=").append(f.relation()).append(' ');
        }
        if (f.subject() != null) {
            out.append("subject=").append(f.subject().type());
            if (f.subject().id() != null) {
                out.append(':').append(f.subject().id());
            }
            if (f.subject().relation() != null) {
                out.append('#').append(f.subject().relation().isEmpty() ? "..." : f.subject().relation());
            }
        }
        return out.toString().strip() + "}";
    }
}
