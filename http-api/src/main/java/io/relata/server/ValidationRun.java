package io.relata.server;

import io.relata.engine.CheckRequest;
import io.relata.engine.CheckResult;
import io.relata.engine.CompositeChecks;
import io.relata.engine.EngineException;
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

    /** The outcome: failure lines (empty when everything holds). */
    record Outcome(List<String> failures, int assertions, int relationships) {}

    private static final Pattern EXPECTED = Pattern.compile("\\[([^\\]]*(?:\\[\\.\\.\\.\\])?)\\]\\s+is\\s+.*");

    /**
     * @throws ValidationFile.Unreadable when the schema does not compile or a relationship does not fit it
     */
    static Outcome run(ValidationFile file) {
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
        Schema schema = compilation.orThrow();
        StoreOptions options = StoreOptions.DEFAULTS;
        try (MemoryTupleStore store = new MemoryTupleStore(options);
                GraphCheckEngine engine = new GraphCheckEngine(store)) {
            store.createTenant("validation");
            store.writeSchema("validation", file.schema());
            for (Relationship r : file.relationships()) {
                try {
                    Api.allowed(schema, r);
                } catch (ApiException e) {
                    throw new ValidationFile.Unreadable(file.path() + ": " + e.getMessage(), e);
                }
            }
            List<RelationshipUpdate> updates = file.relationships().stream().map(RelationshipUpdate::touch).toList();
            Revision revision = store.headRevision("validation");
            for (int i = 0; i < updates.size(); i += options.maxUpdatesPerWrite()) {
                revision = store.write("validation", updates.subList(i, Math.min(updates.size(), i + options.maxUpdatesPerWrite())));
            }
            List<String> failures = new ArrayList<>();
            for (ValidationFile.Assertion a : file.assertions()) {
                String failure = assertion(engine, revision, a);
                if (failure != null) {
                    failures.add(file.path() + ":" + a.line() + ": " + failure);
                }
            }
            for (ValidationFile.Expected e : file.validations()) {
                String failure = expected(engine, schema, revision, e);
                if (failure != null) {
                    failures.add(file.path() + ":" + e.line() + ": " + failure);
                }
            }
            return new Outcome(failures, file.assertions().size(), file.relationships().size());
        }
    }

    private static String assertion(GraphCheckEngine engine, Revision revision, ValidationFile.Assertion a) {
        String text = a.text();
        Map<String, Object> context = Map.of();
        int with = text.indexOf(" with ");
        if (with > 0) {
            try {
                context = Json.readObject(text.substring(with + 6).strip());
            } catch (IllegalArgumentException e) {
                return a.kind() + " `" + text + "`: the context after `with` is not a JSON object";
            }
            text = text.substring(0, with).strip();
        }
        int at = text.lastIndexOf('@');
        if (at > 0 && text.indexOf('>', at) > 0) {
            return chainAssertion(engine, revision, a, text, context);
        }
        Relationship question;
        try {
            question = Relationship.parse(text);
        } catch (IllegalArgumentException e) {
            return a.kind() + " `" + text + "`: " + e.getMessage();
        }
        Permissionship wanted = switch (a.kind()) {
            case "assertTrue" -> Permissionship.HAS;
            case "assertFalse" -> Permissionship.NO;
            default -> Permissionship.CONDITIONAL;
        };
        try {
            CheckResult result = engine.checkNow("validation", revision,
                    new CheckRequest(question.resource(), question.relation(), question.subject(), context));
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
                    .check("validation", revision, request).join();
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
                for (SubjectResult s : engine.lookupSubjects("validation", revision, resource, permission, type.type(),
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
