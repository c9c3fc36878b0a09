package io.relata.server;

import io.relata.engine.CheckRequest;
import io.relata.engine.CheckResult;
import io.relata.engine.CompositeChecks;
import io.relata.engine.EngineException;
import io.relata.engine.EngineOptions;
import io.relata.engine.GraphCheckEngine;
import io.relata.engine.LookupResult;
import io.relata.engine.Permissionship;
import io.relata.engine.SubjectResult;
import io.relata.schema.Compilation;
import io.relata.schema.Diagnostic;
import io.relata.schema.Schema;
import io.relata.schema.SchemaCompiler;
import io.relata.schema.SubjectType;
import io.relata.schema.ast.Span;
import io.relata.store.Json;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.SubjectRef;
import io.relata.store.memory.MemoryTupleStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a {@link ValidationFile} in memory: its schema compiles, its relationships load,
 * every assertion holds and every expected subject set is exact. Failures are
 * {@code file:line: what failed, what was expected, what was found}.
 */
final class ValidationRun {

    /**
     * The outcome of one assertion or one expected subject set.
     *
     * @param kind     {@code assertTrue}, {@code assertFalse}, {@code assertCaveated} or {@code validation}
     * @param text     the assertion as written, or the {@code type:id#permission} whose subjects were expected
     * @param line     its line in the file
     * @param failure  what failed, what was expected and what was found; null when it holds
     */
    record Result(String kind, String text, int line, String failure) {

        boolean holds() {
            return failure == null;
        }
    }

    /** The outcome: every assertion's and expected subject set's result, in file order. */
    record Outcome(java.nio.file.Path path, List<Result> results, int assertions, int relationships) {

        /** The failures as {@code file:line: failure} (empty when everything holds). */
        List<String> failures() {
            return results.stream().filter(r -> !r.holds()).map(r -> path + ":" + r.line() + ": " + r.failure()).toList();
        }
    }

    private static final Pattern EXPECTED = Pattern.compile("\\[([^\\]]*(?:\\[\\.\\.\\.\\])?)\\]\\s+is\\s+.*");

    /** The tenant of the in-memory store a file is loaded into. */
    static final String TENANT = "validation";

    /**
     * @throws ValidationFile.Unreadable when the schema does not compile or a relationship does not fit it
     */
    static Outcome run(ValidationFile file) {
        try (Loaded loaded = load(file, EngineOptions.DEFAULTS)) {
            return loaded.outcome(null);
        }
    }

    /**
     * Loads a file's schema and relationships into a new in-memory store, for its assertions
     * and for other questions about the same data; closing it drops the data.
     *
     * @throws ValidationFile.Unreadable when the schema does not compile or a relationship does not fit it
     */
    static Loaded load(ValidationFile file, EngineOptions options) {
        Compilation compilation = SchemaCompiler.compile(file.schema());
        if (!compilation.ok()) {
            List<String> lines = new ArrayList<>();
            for (Diagnostic d : compilation.errors()) {
                Span span = d.span();
                String where = file.schemaLine() > 0 && span.isKnown()
                        ? file.path() + ":" + (file.schemaLine() + span.line() - 1) + ":" + (span.column() + file.schemaIndent())
                        : file.path() + " (schema " + span + ")";
                lines.add(where + ": " + d.message());
            }
            throw new ValidationFile.Unreadable(String.join("\n", lines), null);
        }
        return load(file, options, compilation.orThrow());
    }

    /**
     * {@link #load(ValidationFile, EngineOptions)} with the file's schema already compiled.
     *
     * @throws ValidationFile.Unreadable when a relationship does not fit the schema
     */
    static Loaded load(ValidationFile file, EngineOptions options, Schema schema) {
        for (int i = 0; i < file.relationships().size(); i++) {
            try {
                Api.allowed(schema, file.relationships().get(i));
            } catch (ApiException e) {
                throw new ValidationFile.Unreadable(file.path() + ":" + file.relationshipLines().get(i) + ": "
                        + e.getMessage(), e);
            }
        }
        StoreOptions storeOptions = StoreOptions.DEFAULTS;
        MemoryTupleStore store = new MemoryTupleStore(storeOptions);
        GraphCheckEngine engine = new GraphCheckEngine(store, options);
        try {
            store.createTenant(TENANT);
            store.writeSchema(TENANT, file.schema());
            List<RelationshipUpdate> updates = file.relationships().stream().map(RelationshipUpdate::touch).toList();
            Revision revision = store.headRevision(TENANT);
            int batch = storeOptions.maxUpdatesPerWrite();
            for (int i = 0; i < updates.size(); i += batch) {
                revision = store.write(TENANT, updates.subList(i, Math.min(updates.size(), i + batch)));
            }
            return new Loaded(file, schema, store, engine, revision);
        } catch (RuntimeException e) {
            engine.close();
            store.close();
            throw e;
        }
    }

    /** A file's data in memory, in tenant {@link #TENANT} at {@link #revision()}. */
    static final class Loaded implements AutoCloseable {

        private final ValidationFile file;
        private final Schema schema;
        private final MemoryTupleStore store;
        private final GraphCheckEngine engine;
        private final Revision revision;

        private Loaded(ValidationFile file, Schema schema, MemoryTupleStore store, GraphCheckEngine engine,
                Revision revision) {
            this.file = file;
            this.schema = schema;
            this.store = store;
            this.engine = engine;
            this.revision = revision;
        }

        GraphCheckEngine engine() {
            return engine;
        }

        Revision revision() {
            return revision;
        }

        /**
         * Evaluates the file's assertions, then its expected subject sets, in file order. Once
         * {@code deadline} (a {@link System#nanoTime()} value; null for none) has passed, the
         * rest are not evaluated and fail saying so.
         */
        Outcome outcome(Long deadline) {
            List<Result> results = new ArrayList<>();
            for (ValidationFile.Assertion a : file.assertions()) {
                String failure = late(deadline) ? NOT_EVALUATED : assertion(engine, revision, a);
                results.add(new Result(a.kind(), a.text(), a.line(), failure));
            }
            for (ValidationFile.Expected e : file.validations()) {
                String failure = late(deadline) ? NOT_EVALUATED : expected(engine, schema, revision, e);
                results.add(new Result("validation", e.resource(), e.line(), failure));
            }
            return new Outcome(file.path(), results, file.assertions().size(), file.relationships().size());
        }

        @Override
        public void close() {
            engine.close();
            store.close();
        }
    }

    /** The failure of what was left when a run's time ran out. */
    static final String NOT_EVALUATED = "not evaluated: the run's time was up";

    private static boolean late(Long deadline) {
        return deadline != null && System.nanoTime() - deadline > 0;
    }

    /** An assertion's text split at {@code with}: the question and its caveat context. */
    private record Question(String text, Map<String, Object> context) {
        static Question of(String text) {
            String check = text.strip();
            int with = check.indexOf(" with ");
            if (with <= 0) {
                return new Question(check, Map.of());
            }
            Map<String, Object> context;
            try {
                context = Json.readObject(check.substring(with + 6).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the context after `with` is not a JSON object", e);
            }
            return new Question(check.substring(0, with).strip(), context);
        }

        /** Whether it asks about a chain of principals ({@code ...@p1>p2}). */
        boolean chain() {
            int at = text.lastIndexOf('@');
            return at > 0 && text.indexOf('>', at) > 0;
        }
    }

    /**
     * An assertion's question, {@code type:id#permission@type:id[#relation]} optionally followed
     * by {@code with {json context}}, as a check.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static CheckRequest question(String text) {
        Question q = Question.of(text);
        Relationship r = Relationship.parse(q.text());
        return new CheckRequest(r.resource(), r.relation(), r.subject(), q.context());
    }

    private static String assertion(GraphCheckEngine engine, Revision revision, ValidationFile.Assertion a) {
        CheckRequest question;
        try {
            Question q = Question.of(a.text());
            if (q.chain()) {
                return chainAssertion(engine, revision, a, q.text(), q.context());
            }
            question = question(a.text());
        } catch (IllegalArgumentException e) {
            return a.kind() + " `" + a.text() + "`: " + e.getMessage();
        }
        Permissionship wanted = switch (a.kind()) {
            case "assertTrue" -> Permissionship.HAS;
            case "assertFalse" -> Permissionship.NO;
            default -> Permissionship.CONDITIONAL;
        };
        try {
            CheckResult result = engine.checkNow(TENANT, revision, question);
            if (result.permissionship() == wanted) {
                return null;
            }
            return a.kind() + " " + a.text() + " failed: expected " + wanted + ", found " + result.permissionship()
                    + (result.missingContext().isEmpty() ? "" : " (missing context: "
                            + String.join(", ", result.missingContext()) + ")");
        } catch (EngineException e) {
            return a.kind() + " " + a.text() + " could not be checked: " + e.getMessage();
        }
    }

    /**
     * An assertion about a chain of principals, {@code type:id#permission@p1>p2...} (Relata's
     * extension, see {@link io.relata.engine.CompositeChecks}): the composite answer must be
     * the one asserted.
     */
    private static String chainAssertion(GraphCheckEngine engine, Revision revision, ValidationFile.Assertion a,
            String text, Map<String, Object> context) {
        int at = text.lastIndexOf('@');
        String[] chain = text.substring(at + 1).split(">", -1);
        CompositeChecks.Request request;
        try {
            Relationship first = Relationship.parse(text.substring(0, at + 1) + chain[0].strip());
            List<SubjectRef> principals = new ArrayList<>();
            for (String p : chain) {
                principals.add(SubjectRef.parse(p.strip()));
            }
            request = new CompositeChecks.Request(first.resource(), first.relation(), principals, context);
        } catch (IllegalArgumentException e) {
            return a.kind() + " `" + text + "`: " + e.getMessage() + " (a chain is `type:id#permission@p1>p2`)";
        }
        Permissionship wanted = switch (a.kind()) {
            case "assertTrue" -> Permissionship.HAS;
            case "assertFalse" -> Permissionship.NO;
            default -> Permissionship.CONDITIONAL;
        };
        try {
            CompositeChecks.Answer answer = new CompositeChecks(engine, java.time.Duration.ofSeconds(30))
                    .check(TENANT, revision, request).join();
            CheckResult result = answer.result();
            if (result.permissionship() == wanted) {
                return null;
            }
            StringBuilder links = new StringBuilder();
            for (CompositeChecks.Link link : answer.links()) {
                links.append(links.length() == 0 ? "" : ", ").append(link.resource()).append('#')
                        .append(link.permission()).append('@').append(link.principal()).append(": ")
                        .append(link.result() == null ? "not asked" : link.result().permissionship());
            }
            return a.kind() + " " + a.text() + " failed: expected " + wanted + ", found " + result.permissionship()
                    + " (composite `" + answer.composite() + "`: " + links + ")";
        } catch (java.util.concurrent.CompletionException | EngineException e) {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            return a.kind() + " " + a.text() + " could not be checked: " + cause.getMessage();
        }
    }

    private static String expected(GraphCheckEngine engine, Schema schema, Revision revision, ValidationFile.Expected e) {
        int hash = e.resource().lastIndexOf('#');
        if (hash < 0) {
            return "`" + e.resource() + "` is not a `type:id#permission`";
        }
        ObjectRef resource;
        try {
            resource = ObjectRef.parse(e.resource().substring(0, hash));
        } catch (IllegalArgumentException x) {
            return "`" + e.resource() + "`: " + x.getMessage();
        }
        String permission = e.resource().substring(hash + 1);
        Set<String> wanted = new TreeSet<>();
        for (String line : e.subjects()) {
            Matcher m = EXPECTED.matcher(line);
            if (!m.matches()) {
                return "expected `[subject] is <type:id#relation>`, found `" + line + "`";
            }
            wanted.add(m.group(1).strip());
        }
        Set<String> found = new TreeSet<>();
        try {
            Set<SubjectType> kinds = new java.util.LinkedHashSet<>();
            for (SubjectType type : schema.subjectTypesReaching(resource.type(), permission)) {
                // A wildcard is reported by the lookup of its plain type.
                kinds.add(type.wildcard() ? SubjectType.object(type.type()) : type);
            }
            for (SubjectType type : kinds) {
                for (SubjectResult s : engine.lookupSubjects(TENANT, revision, resource, permission, type.type(),
                        type.relation(), Map.of()).join()) {
                    found.add(describe(type, s));
                }
            }
        } catch (RuntimeException x) {
            return "the subjects of " + e.resource() + " could not be computed: " + x.getMessage();
        }
        if (wanted.equals(found)) {
            return null;
        }
        return "validation of " + e.resource() + " failed: expected subjects " + wanted + ", found " + found;
    }

    /** A subject as zed writes it: {@code user:alice}, {@code group:eng#member}, {@code user:*}, caveated with {@code [...]}. */
    private static String describe(SubjectType type, SubjectResult s) {
        StringBuilder out = new StringBuilder(type.type()).append(':').append(s.id());
        if (type.relation() != null) {
            out.append('#').append(type.relation());
        }
        if (s.id().equals("*") && !s.excluded().isEmpty()) {
            out.append(" - {");
            List<String> excluded = new ArrayList<>();
            for (LookupResult x : s.excluded()) {
                excluded.add(type.type() + ":" + x.id());
            }
            out.append(String.join(", ", excluded)).append('}');
        }
        if (s.permissionship() == Permissionship.CONDITIONAL) {
            out.append("[...]");
        }
        return out.toString();
    }
}
