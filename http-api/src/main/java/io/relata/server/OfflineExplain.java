package io.relata.server;

import io.relata.engine.CheckRequest;
import io.relata.engine.Explanation;
import io.relata.engine.GraphCheckEngine;
import io.relata.schema.Schema;
import io.relata.schema.SchemaCompiler;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryTupleStore;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Explain without a server ({@code relata explain --file}): the validation file's schema and
 * relationships are loaded into a memory store, as {@code relata validate} loads them, and the
 * question goes through the same engine code as {@code /relata/v1/permissions/explain}.
 */
public final class OfflineExplain {

    private static final String TENANT = "explain";

    private OfflineExplain() {}

    /**
     * The explain answer for {@code question} (resource, permission and subject) with caveat
     * {@code context}, in the endpoint's JSON shape without {@code checkedAt}.
     *
     * @throws IllegalArgumentException when {@code file} cannot be read as a validation file
     * @throws IllegalStateException    when its schema does not compile, a relationship does not fit it,
     *                                  or the engine refuses the question
     */
    public static JsonObject explain(Path file, Relationship question, Map<String, Object> context) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read " + file);
        }
        ValidationFile validation;
        try {
            validation = ValidationFile.read(file);
        } catch (ValidationFile.Unreadable e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        CheckRequest request = new CheckRequest(question.resource(), question.relation(), question.subject(), context);
        try (MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
                GraphCheckEngine engine = new GraphCheckEngine(store)) {
            Schema schema = SchemaCompiler.compile(validation.schema()).orThrow();
            store.createTenant(TENANT);
            store.writeSchema(TENANT, validation.schema());
            for (Relationship r : validation.relationships()) {
                Api.allowed(schema, r);
            }
            List<RelationshipUpdate> updates = validation.relationships().stream().map(RelationshipUpdate::touch).toList();
            Revision revision = store.headRevision(TENANT);
            int batch = StoreOptions.DEFAULTS.maxUpdatesPerWrite();
            for (int i = 0; i < updates.size(); i += batch) {
                revision = store.write(TENANT, updates.subList(i, Math.min(updates.size(), i + batch)));
            }
            Explanation why = engine.explain(TENANT, revision, request).get();
            return Explanations.json(why, null);
        } catch (ExecutionException e) {
            throw new IllegalStateException(file + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
    }
}
