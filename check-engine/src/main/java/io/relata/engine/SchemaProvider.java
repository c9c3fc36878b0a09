package io.relata.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.relata.schema.Schema;
import io.relata.schema.SchemaCompiler;
import io.relata.store.Revision;
import io.relata.store.SchemaVersion;
import io.relata.store.TupleStore;

/** The compiled schema of a tenant at a revision; each schema version is compiled once. */
final class SchemaProvider {

    private record Key(String tenant, long schemaRevision) {}

    private final TupleStore store;
    private final Cache<Key, Schema> compiled = Caffeine.newBuilder().maximumSize(1_000).build();

    SchemaProvider(TupleStore store) {
        this.store = store;
    }

    Schema schemaAt(String tenant, Revision revision) {
        SchemaVersion version = store.readSchema(tenant, revision).orElseThrow(() -> new EngineException(
                EngineException.Reason.SCHEMA_MISMATCH, "tenant `" + tenant + "` has no schema at revision " + revision
                        + "; write a schema first"));
        return compiled.get(new Key(tenant, version.revision().value()),
                key -> SchemaCompiler.compile(version.text()).orThrow());
    }
}
