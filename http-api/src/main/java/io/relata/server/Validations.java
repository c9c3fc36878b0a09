package io.relata.server;

import io.relata.engine.CheckResult;
import io.relata.engine.EngineException;
import io.relata.engine.EngineOptions;
import io.relata.engine.ExpandTree;
import io.relata.schema.Compilation;
import io.relata.schema.Diagnostic;
import io.relata.schema.SchemaCompiler;
import io.relata.store.ObjectRef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Relata's side-effect-free schema and validation-file endpoints, for editors such as the
 * playground: {@code /relata/v1/schema/validate} compiles a schema and lists its errors and
 * warnings with their positions; {@code /relata/v1/validation/run} loads a validation file
 * (the format {@code relata validate} reads) into a store of its own in memory, evaluates its
 * assertions and expected subjects the way {@code relata validate} does ({@link ValidationRun}),
 * answers extra checks and expands against the same data, and drops it. Neither reads nor
 * writes the caller's tenant. The work of one request is bounded by the limits below and by
 * the engine's deadline per question plus {@code budget} for the whole run.
 */
final class Validations {

    /** The most relationships a validation file sent to the server may hold. */
    static final int MAX_RELATIONSHIPS = 10_000;

    /** The most assertions and expected subject sets together. */
    static final int MAX_ASSERTIONS = 1_000;

    /** The most extra checks and expands together. */
    static final int MAX_QUESTIONS = 100;

    /** The most nodes and subjects the expands of one run answer together; past it trees are cut. */
    static final int MAX_EXPAND_LEAVES = 10_000;

    /** What messages call a file sent in a request. */
    private static final Path NAME = Path.of("validation.yaml");

    private final EngineOptions options;
    private final java.time.Duration budget;

    /**
     * @param options the engine limits of each run's questions (depth, deadline of one question)
     * @param budget  how long the assertions of one run may take together; those left when it is
     *                spent fail as not evaluated
     */
    Validations(EngineOptions options, java.time.Duration budget) {
        // A run's store is small and dropped after it: no group index to build for it.
        this.options = options.withCacheSize(0).withRelationshipCacheSize(0)
                .withGroupIndex(io.relata.engine.index.GroupIndexOptions.OFF);
        this.budget = budget;
    }

    /**
     * {@code {"schema": text}} to {@code {"valid": bool, "diagnostics": [...]}}: every error
     * (at most {@link SchemaCompiler#MAX_DIAGNOSTICS}) and warning, each
     * {@code {"severity": "error"|"warning", "message", "line", "column", "endLine", "endColumn"}}
     * with 1-based lines and columns (counted in code points, the end inclusive; 0 for a
     * problem of the whole text). A schema with errors is an answer, not a failed request.
     *
     * @throws ApiException INVALID_ARGUMENT without {@code schema} or when it is larger than
     *                      {@link Api#MAX_SCHEMA_BYTES}
     */
    JsonObject validateSchema(JsonObject body) {
        Compilation compilation = compile(Json.string(body, "schema", true), "the schema");
        return new JsonObject().put("valid", compilation.ok()).put("diagnostics", diagnostics(compilation));
    }

    /**
     * Runs a validation file: {@code {"validationFile": yaml, "checks": ["type:id#permission@type:id[#rel]"
     * (optionally followed by " with {json context}")], "expand": ["type:id#permission"]}}. Answers
     * {@code schemaDiagnostics} (positions in the schema text) and, when the schema compiles,
     * {@code results} (per assertion and expected subject set: {@code kind, text, line, holds,
     * failure}), {@code checks} ({@code check} and {@code permissionship}, or {@code error}),
     * {@code expand} ({@code resource} and {@code treeRoot} in the shape of
     * {@code /v1/permissions/expand}, or {@code error}) and {@code file}, the file as parsed
     * (schema, relationships, assertions, validation), so an editor can load a file without
     * parsing YAML itself.
     *
     * @throws ApiException INVALID_ARGUMENT when the text is not a validation file, a relationship
     *                      does not fit the schema (naming the line), a check or expand is
     *                      malformed, or a limit above is passed
     */
    JsonObject run(JsonObject body) {
        String text = Json.string(body, "validationFile", true);
        List<String> checks = strings(body, "checks");
        List<String> expands = strings(body, "expand");
        if (checks.size() + expands.size() > MAX_QUESTIONS) {
            throw ApiException.invalid("at most " + MAX_QUESTIONS + " checks and expands together are run at once; got "
                    + (checks.size() + expands.size()));
        }
        ValidationFile file;
        try {
            file = ValidationFile.parseText(text, NAME);
        } catch (ValidationFile.Unreadable e) {
            throw ApiException.invalid(e.getMessage());
        }
        if (file.relationships().size() > MAX_RELATIONSHIPS) {
            throw ApiException.invalid("the file has " + file.relationships().size() + " relationships; at most "
                    + MAX_RELATIONSHIPS + " are run here (use `relata validate` for larger files)");
        }
        if (file.assertions().size() + file.validations().size() > MAX_ASSERTIONS) {
            throw ApiException.invalid("the file has " + (file.assertions().size() + file.validations().size())
                    + " assertions and expected subject sets; at most " + MAX_ASSERTIONS + " are run here");
        }
        Compilation compilation = compile(file.schema(), "the file's schema");
        JsonObject answer = new JsonObject().put("file", parsed(file)).put("schemaLine", file.schemaLine())
                .put("schemaDiagnostics", diagnostics(compilation));
        if (!compilation.ok()) {
            return answer;
        }
        long deadline = System.nanoTime() + budget.toNanos();
        try (ValidationRun.Loaded loaded = ValidationRun.load(file, options, compilation.orThrow())) {
            JsonArray results = new JsonArray();
            for (ValidationRun.Result r : loaded.outcome(deadline).results()) {
                results.add(new JsonObject().put("kind", r.kind()).put("text", r.text()).put("line", r.line())
                        .put("holds", r.holds()).put("failure", r.failure()));
            }
            JsonArray checked = new JsonArray();
            for (String check : checks) {
                checked.add(late(deadline) ? notEvaluated("check", check) : check(loaded, check));
            }
            JsonArray expanded = new JsonArray();
            int[] leavesLeft = {MAX_EXPAND_LEAVES};
            for (String resource : expands) {
                if (late(deadline)) {
                    expanded.add(notEvaluated("resource", resource));
                } else if (leavesLeft[0] <= 0) {
                    leavesLeft[0] = -1;
                    expanded.add(new JsonObject().put("resource", resource).put("truncated", true));
                } else {
                    expanded.add(expand(loaded, resource, leavesLeft, deadline));
                }
            }
            return answer.put("relationships", file.relationships().size()).put("results", results)
                    .put("checks", checked).put("expand", expanded).put("truncated", leavesLeft[0] < 0);
        } catch (ValidationFile.Unreadable e) {
            throw ApiException.invalid(e.getMessage());
        }
    }

    private static JsonObject check(ValidationRun.Loaded loaded, String text) {
        JsonObject out = new JsonObject().put("check", text);
        io.relata.engine.CheckRequest question;
        try {
            question = ValidationRun.question(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("check " + Errors.quoted(text) + " is not `type:id#permission@type:id`"
                    + " (optionally followed by ` with {json context}`): " + e.getMessage());
        }
        try {
            CheckResult result = loaded.engine().checkNow(ValidationRun.TENANT, loaded.revision(), question);
            return out.put("permissionship", Json.permissionship(result.permissionship()))
                    .put("missingContext", new JsonArray(List.copyOf(result.missingContext())));
        } catch (EngineException e) {
            return out.put("error", Errors.of(e).json());
        }
    }

    private static boolean late(long deadline) {
        return System.nanoTime() - deadline > 0;
    }

    private static JsonObject notEvaluated(String field, String text) {
        return new JsonObject().put(field, text).put("error", Errors.status(4, ValidationRun.NOT_EVALUATED).json());
    }

    /**
     * One expand, its tree cut to the leaves left of the run's {@code leavesLeft} (which goes
     * below 0 once a tree is cut), waited for no longer than the run's deadline.
     */
    private static JsonObject expand(ValidationRun.Loaded loaded, String text, int[] leavesLeft, long deadline) {
        JsonObject out = new JsonObject().put("resource", text);
        int hash = text.lastIndexOf('#');
        ObjectRef resource;
        try {
            if (hash < 0) {
                throw new IllegalArgumentException("there is no `#permission`");
            }
            resource = ObjectRef.parse(text.substring(0, hash).strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("expand " + Errors.quoted(text) + " is not `type:id#permission`: " + e.getMessage());
        }
        try {
            java.util.concurrent.CompletableFuture<ExpandTree> future = loaded.engine().expand(ValidationRun.TENANT,
                    loaded.revision(), resource, text.substring(hash + 1).strip());
            ExpandTree tree;
            try {
                tree = future.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                future.cancel(true);
                return notEvaluated("resource", text);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return notEvaluated("resource", text);
            } catch (java.util.concurrent.ExecutionException e) {
                return out.put("error", Errors.of(e.getCause()).json());
            }
            out.put("treeRoot", Json.expand(cut(tree, leavesLeft)));
            return leavesLeft[0] < 0 ? out.put("truncated", true) : out;
        } catch (EngineException e) {
            return out.put("error", Errors.of(e).json());
        }
    }

    /**
     * {@code tree} with at most {@code left[0]} nodes and subjects in all (each counts one):
     * children and subjects past it are left out, and {@code left[0]} ends below 0 when any is.
     */
    private static ExpandTree cut(ExpandTree tree, int[] left) {
        left[0]--;
        if (tree instanceof ExpandTree.Leaf leaf) {
            int n = leaf.directSubjects().size();
            int keep = Math.max(0, Math.min(left[0], n));
            left[0] -= n;
            return keep == n ? leaf : new ExpandTree.Leaf(leaf.resource(), leaf.relation(),
                    leaf.directSubjects().subList(0, keep), leaf.caveat(), leaf.expiresAt());
        }
        ExpandTree.Operation op = (ExpandTree.Operation) tree;
        List<ExpandTree> children = new java.util.ArrayList<>();
        boolean changed = false;
        for (ExpandTree child : op.children()) {
            if (left[0] <= 0) {
                left[0] = Math.min(left[0], -1);
                changed = true;
                break;
            }
            ExpandTree kept = cut(child, left);
            changed |= kept != child;
            children.add(kept);
        }
        return changed ? new ExpandTree.Operation(op.resource(), op.relation(), op.kind(), children, op.caveat(),
                op.expiresAt()) : op;
    }

    /** The file as parsed: what an editor shows in its panes. */
    private static JsonObject parsed(ValidationFile file) {
        JsonArray relationships = new JsonArray();
        file.relationships().forEach(r -> relationships.add(r.toString()));
        JsonObject assertions = new JsonObject();
        for (ValidationFile.Assertion a : file.assertions()) {
            JsonArray list = assertions.getJsonArray(a.kind());
            if (list == null) {
                assertions.put(a.kind(), list = new JsonArray());
            }
            list.add(a.text());
        }
        JsonObject validation = new JsonObject();
        file.validations().forEach(e -> validation.put(e.resource(), new JsonArray(List.copyOf(e.subjects()))));
        return new JsonObject().put("schema", file.schema()).put("relationships", relationships)
                .put("assertions", assertions).put("validation", validation);
    }

    private static Compilation compile(String text, String what) {
        Api.requireSchemaSize(text, what);
        return SchemaCompiler.compile(text);
    }

    private static JsonArray diagnostics(Compilation compilation) {
        JsonArray out = new JsonArray();
        compilation.errors().forEach(d -> out.add(diagnostic("error", d)));
        compilation.warnings().forEach(d -> out.add(diagnostic("warning", d)));
        return out;
    }

    private static JsonObject diagnostic(String severity, Diagnostic d) {
        return new JsonObject().put("severity", severity).put("message", d.message()).put("line", d.line())
                .put("column", d.column()).put("endLine", d.span().endLine()).put("endColumn", d.span().endColumn());
    }

    /** An optional array of strings. */
    private static List<String> strings(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray array) || array.stream().anyMatch(v -> !(v instanceof String))) {
            throw ApiException.invalid("`" + field + "` must be an array of strings");
        }
        return array.stream().map(String.class::cast).toList();
    }
}
