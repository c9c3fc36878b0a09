package io.relata.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.relata.schema.Schema;
import io.relata.schema.SchemaCompiler;
import io.relata.store.Revision;
import io.relata.store.SchemaVersion;
import io.relata.store.TupleStore;

/**
 * The compiled schema of a tenant at a revision; each schema version is compiled once while it
 * is kept, and the version in effect at a revision is looked up once (it never changes). The
 * compiled schemas kept weigh at most {@link #MAX_KEPT_CHARS} characters of schema text in all,
 * so a caller who writes the largest schemas over and over cannot fill the heap with them; a
 * version evicted is read and compiled again when next asked for.
 */
final class SchemaProvider {

    /**
     * Schema text, in characters, that the compiled schemas kept may add up to: thousands of
     * ordinary schemas, a handful of the largest accepted.
     */
    static final long MAX_KEPT_CHARS = 16L << 20;

    private record Key(String tenant, long revision) {}

    private final TupleStore store;
    /** By the revision the schema was written at; weighed by the length of its text. */
    private final Cache<Key, Compiled> compiled;
    /** By the revision asked about: the revision its schema was written at (which holds no schema itself). */
    private final Cache<Key, Long> atRevision = Caffeine.newBuilder().maximumSize(10_000).build();

    private record Compiled(Schema schema, int chars) {}

    SchemaProvider(TupleStore store) {
        this(store, MAX_KEPT_CHARS);
    }

    /** A provider that keeps compiled schemas of at most {@code maxKeptChars} characters of text in all. */
    SchemaProvider(TupleStore store, long maxKeptChars) {
        this.store = store;
        this.compiled = Caffeine.newBuilder().maximumWeight(maxKeptChars)
                .weigher((Key key, Compiled c) -> Math.max(1, c.chars())).build();
    }

    Schema schemaAt(String tenant, Revision revision) {
        Key asked = new Key(tenant, revision.value());
        Long written = atRevision.getIfPresent(asked);
        if (written != null) {
            Compiled kept = compiled.getIfPresent(new Key(tenant, written));
            if (kept != null) {
                return kept.schema();
            }
        }
        SchemaVersion version = store.readSchema(tenant, revision).orElseThrow(() -> new EngineException(
                EngineException.Reason.SCHEMA_MISMATCH, "tenant `" + tenant + "` has no schema at revision " + revision
                        + "; write a schema first"));
        atRevision.put(asked, version.revision().value());
        return compiled(tenant, version);
    }

    /** The schema at {@code revision} when it has been looked up before and is still kept, else null (never asks the store). */
    Schema schemaIfKnown(String tenant, Revision revision) {
        Long written = atRevision.getIfPresent(new Key(tenant, revision.value()));
        Compiled kept = written == null ? null : compiled.getIfPresent(new Key(tenant, written));
        return kept == null ? null : kept.schema();
    }

    /** {@code version} compiled, once per version while it is kept. */
    Schema compiled(String tenant, SchemaVersion version) {
        return compiled.get(new Key(tenant, version.revision().value()),
                key -> new Compiled(SchemaCompiler.compile(version.text()).orThrow(), version.text().length())).schema();
    }

    /** Characters of schema text of the compiled schemas kept now (for tests). */
    long keptChars() {
        compiled.cleanUp();
        return compiled.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
    }
}
