package io.relata.store.postgres;

import io.relata.store.SchemaVersion;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The newest schema version a write of each tenant found in effect. A schema version (tenant
 * and revision) never changes, so a write that learns the revision of the schema in effect
 * takes its text from here instead of reading it again. At most {@link #MAX_TENANTS} tenants
 * are kept; past that the cache starts over.
 */
final class SchemaCache {

    static final int MAX_TENANTS = 10_000;

    private final Map<Long, SchemaVersion> newest = new ConcurrentHashMap<>();

    /** The newest schema version of {@code tenantId} a write found in effect, or null. */
    SchemaVersion newest(long tenantId) {
        return newest.get(tenantId);
    }

    /** The schema of {@code tenantId} at {@code revision}, from the cache or from {@code read}. */
    SchemaVersion get(long tenantId, long revision, Supplier<SchemaVersion> read) {
        SchemaVersion cached = newest.get(tenantId);
        if (cached != null && cached.revision().value() == revision) {
            return cached;
        }
        SchemaVersion version = read.get();
        if (version.revision().value() != revision) {
            throw new IllegalStateException("read schema revision " + version.revision() + ", expected " + revision);
        }
        if (newest.size() >= MAX_TENANTS) {
            newest.clear();
        }
        newest.put(tenantId, version);
        return version;
    }
}
