package io.relata.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.relata.schema.Schema;
import io.relata.schema.SchemaCompiler;
import io.relata.store.Revision;
import io.relata.store.SchemaVersion;
import io.relata.store.TupleStore;

/**
 * The compiled schema of a tenant at a revision; each schema version is compiled once, and
 * the version in effect at a revision is looked up once (it never changes).
 */
final class SchemaProvider {

    private record Key(String tenant, long revision) {}

    private final TupleStore store;
    /** By the revision the schema was written at. */
    private final Cache<Key, Schema> compiled = Caffeine.newBuilder().maximumSize(1_000).build();
    /** By the revision asked about. */
    private final Cache<Key, Schema> atRevision = Caffeine.newBuilder().maximumSize(10_000).build();

    SchemaProvider(TupleStore store) {
        this.store = store;
    }

    Schema schemaAt(String tenant, Revision revision) {
        return atRevision.get(new Key(tenant, revision.value()), key -> lookUp(tenant, revision));
    }

    /** The schema at {@code revision} when it has been looked up before, else null (never asks the store). */
    Schema schemaIfKnown(String tenant, Revision revision) {
        return atRevision.getIfPresent(new Key(tenant, revision.value()));
    }

    private Schema lookUp(String tenant, Revision revision) {
        SchemaVersion version = store.readSchema(tenant, revision).orElseThrow(() -> new EngineException(
                EngineException.Reason.SCHEMA_MISMATCH, "tenant `" + tenant + "` has no schema at revision " + revision
                        + "; write a schema first"));
        return compiled(tenant, version);
    }

    /** {@code version} compiled, once per version. */
    Schema compiled(String tenant, SchemaVersion version) {
        return compiled.get(new Key(tenant, version.revision().value()),
                key -> SchemaCompiler.compile(version.text()).orThrow());
    }
}
