package io.relata.server;

import io.relata.engine.CheckRequest;
import io.relata.engine.EngineOptions;
import io.relata.engine.Explanation;
import io.relata.store.Relationship;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Explain without a server ({@code relata explain --file}): the validation file's schema and
 * relationships are loaded into a memory store, as {@code relata validate} loads them, and the
 * question goes through the same engine code as {@code /relata/v1/permissions/explain}.
 */
public final class OfflineExplain {

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
        // The file loaded as `relata validate` loads it: the same checks, errors naming the file's line.
        try (ValidationRun.Loaded loaded = ValidationRun.load(validation, EngineOptions.DEFAULTS)) {
            Explanation why = loaded.engine().explain(ValidationRun.TENANT, loaded.revision(), request).get();
            return Explanations.json(why, null);
        } catch (ValidationFile.Unreadable e) {
            throw new IllegalStateException(e.getMessage(), e);
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
