package io.relata.schema;

import io.relata.schema.ast.ArrowNode;
import io.relata.schema.ast.BinaryNode;
import io.relata.schema.ast.CaveatNode;
import io.relata.schema.ast.DefinitionNode;
import io.relata.schema.ast.ExprNode;
import io.relata.schema.ast.ImportDirective;
import io.relata.schema.ast.MemberNode;
import io.relata.schema.ast.NilNode;
import io.relata.schema.ast.ParameterNode;
import io.relata.schema.ast.PermissionNode;
import io.relata.schema.ast.ReferenceNode;
import io.relata.schema.ast.RelationNode;
import io.relata.schema.ast.SchemaFile;
import io.relata.schema.ast.SelfNode;
import io.relata.schema.ast.Span;
import io.relata.schema.ast.TopLevel;
import io.relata.schema.ast.TypeExprNode;
import io.relata.schema.ast.TypeRefNode;
import io.relata.schema.ast.UseDirective;
import io.relata.schema.caveat.CaveatExpressions;
import io.relata.schema.caveat.CaveatTypes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks a syntax tree against the rules SpiceDB enforces and builds the compiled
 * {@link Schema}. Every problem is collected (the checks go on after the first error), each
 * placed at the name or reference it is about. Problems SpiceDB accepts are warnings.
 */
final class SchemaValidator {

    /**
     * The {@code use} flags SpiceDB knows. Relata accepts all of them; {@code partial} and
     * {@code import} have no effect because partial blocks and imports are not supported
     * (an {@code import} statement is refused).
     */
    private static final Set<String> FLAGS = Set.of("expiration", "self", "typechecking", "partial", "import");

    private final SchemaFile file;
    private final SourceText source;
    private final List<Diagnostic> errors = new ArrayList<>();
    private final List<Diagnostic> warnings = new ArrayList<>();
    private final Set<String> features = new TreeSet<>();
    private final Map<String, DefinitionNode> definitions = new LinkedHashMap<>();
    private final Map<String, CaveatNode> caveats = new LinkedHashMap<>();
    /** Members of each definition by name (first occurrence). */
    private final Map<String, Map<String, MemberNode>> members = new HashMap<>();

    SchemaValidator(SchemaFile file, SourceText source) {
        this.file = file;
        this.source = source;
    }

    record Result(Schema schema, List<Diagnostic> errors, List<Diagnostic> warnings) {}

    Result validate() {
        directives();
        topLevelNames();
        for (DefinitionNode definition : definitions.values()) {
            memberNames(definition);
        }
        Map<String, ObjectDefinition> compiled = new LinkedHashMap<>();
        for (DefinitionNode definition : definitions.values()) {
            compiled.put(definition.name(), definition(definition));
        }
        Map<String, CaveatDefinition> compiledCaveats = new LinkedHashMap<>();
        for (CaveatNode caveat : caveats.values()) {
            CaveatDefinition c = caveat(caveat);
            if (c != null) {
                compiledCaveats.put(c.name(), c);
            }
        }
        Map<String, Composite> composites = new CompositeValidator(compiled, this::error)
                .compile(file.items(), errors.isEmpty());
        Schema schema = errors.isEmpty() ? new Schema(compiled, compiledCaveats, features, composites) : null;
        return new Result(schema, List.copyOf(errors), List.copyOf(warnings));
    }

    // ---- use and import ------------------------------------------------------------------

    private void directives() {
        boolean seenDeclaration = false;
        for (TopLevel item : file.items()) {
            if (item instanceof UseDirective use) {
                String flag = use.flag();
                if (seenDeclaration) {
                    error(use.span(), "`use " + flag + "` must come before every definition and caveat");
                }
                if (!FLAGS.contains(flag)) {
                    error(use.flagSpan(), "unknown use flag `" + flag + "`" + Names.suggestion(flag, FLAGS)
                            + "; the flags are " + String.join(", ", new TreeSet<>(FLAGS)));
                } else {
                    features.add(flag);
                }
            } else if (item instanceof ImportDirective imp) {
                error(imp.span(), "imports are not supported by Relata; put the definitions of `" + imp.path()
                        + "` in this file");
            } else {
                seenDeclaration = true;
            }
        }
    }

    // ---- names ---------------------------------------------------------------------------

    private void topLevelNames() {
        Map<String, Span> seen = new HashMap<>();
        for (TopLevel item : file.items()) {
            String name;
            Span at;
            if (item instanceof DefinitionNode d) {
                name = d.name();
                at = d.nameSpan();
                checkName(at, Names.definitionProblem(name), name);
            } else if (item instanceof CaveatNode c) {
                name = c.name();
                at = c.nameSpan();
                checkName(at, Names.caveatProblem(name), name);
            } else {
                continue;
            }
            Span first = seen.putIfAbsent(name, at);
            if (first != null) {
                error(at, "`" + name + "` is already defined on line " + first.line()
                        + "; definitions and caveats share one namespace, so each name is used once");
                continue;
            }
            if (item instanceof DefinitionNode d) {
                definitions.put(name, d);
            } else {
                caveats.put(name, (CaveatNode) item);
            }
        }
    }

    private void memberNames(DefinitionNode definition) {
        Map<String, MemberNode> byName = new LinkedHashMap<>();
        for (MemberNode member : definition.members()) {
            String kind = member instanceof RelationNode ? "relation" : "permission";
            checkName(member.nameSpan(), Names.relationProblem(kind, member.name()), member.name());
            MemberNode first = byName.putIfAbsent(member.name(), member);
            if (first != null) {
                error(member.nameSpan(), "`" + member.name() + "` is already defined in `" + definition.name()
                        + "` on line " + first.nameSpan().line()
                        + "; relations and permissions of a definition share one namespace");
            }
        }
        members.put(definition.name(), byName);
    }

    private void checkName(Span at, String problem, String name) {
        if (problem != null) {
            error(at, problem);
            return;
        }
        String keyword = keywordProblem(name);
        if (keyword != null) {
            error(at, keyword);
        }
    }

    /** Names that a `use` flag made keywords, as in SpiceDB's lexer. */
    private String keywordProblem(String name) {
        String flag = switch (name) {
            case "and", "expiration" -> "expiration";
            case "self" -> "self";
            case "typechecking" -> "typechecking";
            case "partial" -> "partial";
            case "import" -> "import";
            default -> null;
        };
        if (flag != null && features.contains(flag)) {
            return "`" + name + "` is a keyword under `use " + flag + "` and cannot be a name";
        }
        return null;
    }

    // ---- definitions -----------------------------------------------------------------------

    private ObjectDefinition definition(DefinitionNode definition) {
        Map<String, Relation> relations = new LinkedHashMap<>();
        Map<String, Permission> permissions = new LinkedHashMap<>();
        Map<String, MemberNode> byName = members.get(definition.name());
        // Source order matters: see wildcardCheck.
        for (MemberNode member : byName.values()) {
            if (member instanceof RelationNode relation) {
                relations.put(relation.name(), relation(definition, relation));
            } else if (member instanceof PermissionNode permission) {
                Rewrite rewrite = rewrite(definition, permission, permission.expression());
                permissions.put(permission.name(),
                        new Permission(permission.name(), permission.comments().doc(),
                                permission.comments().before(permission.span()), rewrite));
                if (!isAlias(permission) && refersTo(permission.expression(), permission.name())) {
                    warning(permission.nameSpan(), "permission `" + permission.name() + "` refers to itself;"
                            + " a check of it recurses until another branch answers or the depth limit is reached");
                }
            }
        }
        aliasCycles(definition, byName);
        return new ObjectDefinition(definition.name(), definition.comments().doc(),
                definition.comments().before(definition.span()), relations, permissions);
    }

    private Relation relation(DefinitionNode definition, RelationNode relation) {
        List<AllowedSubjectType> allowed = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (TypeRefNode ref : relation.types()) {
            AllowedSubjectType type = allowedType(definition, relation, ref);
            if (type == null) {
                continue;
            }
            if (!seen.add(type.toString())) {
                error(ref.span(), "`" + type + "` is listed twice in relation `" + relation.name() + "`");
                continue;
            }
            allowed.add(type);
        }
        return new Relation(relation.name(), relation.comments().doc(), relation.comments().before(relation.span()),
                allowed);
    }

    private AllowedSubjectType allowedType(DefinitionNode definition, RelationNode relation, TypeRefNode ref) {
        boolean ok = true;
        DefinitionNode target = definitions.get(ref.type());
        if (target == null) {
            error(ref.typeSpan(), "relation `" + relation.name() + "` allows `" + ref.type()
                    + "`, but there is no definition `" + ref.type() + "`"
                    + Names.suggestion(ref.type(), definitions.keySet()));
            ok = false;
        } else if (ref.relation() != null) {
            Map<String, MemberNode> targetMembers = members.get(ref.type());
            if (!targetMembers.containsKey(ref.relation())) {
                error(ref.relationSpan(), "`" + ref.type() + "` has no relation or permission `" + ref.relation() + "`"
                        + Names.suggestion(ref.relation(), targetMembers.keySet()));
                ok = false;
            } else if (!target.name().equals(definition.name())) {
                String wildcard = wildcardCheck(ref.type(), ref.relation());
                if (wildcard != null) {
                    error(ref.span(), "`" + ref.type() + "#" + ref.relation() + "` includes the wildcard `" + wildcard
                            + "`, and a relation cannot include a wildcard through another relation; allow `"
                            + wildcard + "` on `" + relation.name() + "` directly, or refer to a permission");
                    ok = false;
                }
            }
        }
        String caveat = ref.caveat();
        boolean expiration = ref.expiration();
        if (expiration && !features.contains("expiration")) {
            if (caveat == null && caveats.containsKey("expiration")) {
                // Without `use expiration`, `with expiration` names a caveat called `expiration`.
                caveat = "expiration";
                expiration = false;
            } else {
                error(ref.traitsSpan(), "`with " + (caveat == null ? "" : caveat + " and ")
                        + "expiration` needs `use expiration` at the top of the schema");
                ok = false;
            }
        }
        if (caveat != null && !caveats.containsKey(caveat)) {
            error(ref.traitsSpan(), "relation `" + relation.name() + "` uses caveat `" + caveat
                    + "`, but there is no caveat `" + caveat + "`" + Names.suggestion(caveat, caveats.keySet()));
            ok = false;
        }
        if (!ok) {
            return null;
        }
        SubjectType subject = ref.wildcard()
                ? SubjectType.wildcardOf(ref.type())
                : ref.relation() == null ? SubjectType.object(ref.type()) : SubjectType.userset(ref.type(), ref.relation());
        return new AllowedSubjectType(subject, caveat, expiration);
    }

    /** Results of {@link #wildcardCheck} by relation name alone, as SpiceDB keys them. */
    private final Map<String, java.util.Optional<String>> wildcardChecks = new HashMap<>();

    /**
     * The wildcard check as SpiceDB v1.54 makes it: its results are remembered by relation
     * name only, not by type, for the whole schema, in the order definitions and their
     * members are validated. So once {@code folder#banned} is found free of wildcards, a
     * later {@code organization#banned} is taken to be free too, and SpiceDB accepts a
     * schema it would otherwise refuse. Relata accepts what SpiceDB accepts, so it keeps
     * the same memory; the engine handles wildcards reached through usersets either way.
     */
    private String wildcardCheck(String type, String name) {
        return wildcardChecks.computeIfAbsent(name,
                n -> java.util.Optional.ofNullable(wildcardReachedBy(type, n, new HashSet<>()))).orElse(null);
    }

    /**
     * The wildcard ({@code user:*}) that relation {@code type#name} allows, directly or through
     * the relations it allows as subjects, or null. Permissions carry no types and end the search.
     */
    private String wildcardReachedBy(String type, String name, Set<String> visited) {
        if (!visited.add(type + "#" + name)) {
            return null;
        }
        Map<String, MemberNode> targetMembers = members.get(type);
        MemberNode member = targetMembers == null ? null : targetMembers.get(name);
        if (!(member instanceof RelationNode relation)) {
            return null;
        }
        for (TypeRefNode ref : relation.types()) {
            if (ref.wildcard()) {
                return ref.type() + ":*";
            }
            if (ref.relation() != null) {
                String found = wildcardReachedBy(ref.type(), ref.relation(), visited);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    // ---- permissions -----------------------------------------------------------------------

    private Rewrite rewrite(DefinitionNode definition, PermissionNode permission, ExprNode expr) {
        Map<String, MemberNode> own = members.get(definition.name());
        if (expr instanceof BinaryNode) {
            // Long chains nest to the left: walk that spine with a loop.
            java.util.ArrayDeque<BinaryNode> spine = new java.util.ArrayDeque<>();
            ExprNode current = expr;
            while (current instanceof BinaryNode b) {
                spine.push(b);
                current = b.left();
            }
            Rewrite result = rewrite(definition, permission, current);
            // A run of one operator (`a + b + c ...`) gathers its operands in one list, made into
            // one node when the run ends: linear in the run's length, where a node per level
            // (each copying the operands before it) was quadratic.
            List<Rewrite> run = null;
            BinaryNode.Operator runOperator = null;
            while (!spine.isEmpty()) {
                BinaryNode level = spine.pop();
                Rewrite right = rewrite(definition, permission, level.right());
                if (level.operator() == BinaryNode.Operator.EXCLUSION) {
                    result = new Rewrite.Exclusion(ended(result, run, runOperator), right);
                    run = null;
                    continue;
                }
                if (run == null || runOperator != level.operator()) {
                    result = ended(result, run, runOperator);
                    run = new ArrayList<>();
                    runOperator = level.operator();
                    addFlattened(run, result, runOperator);
                }
                addFlattened(run, right, runOperator);
            }
            return ended(result, run, runOperator);
        }
        if (expr instanceof NilNode) {
            return new Rewrite.Nil();
        }
        if (expr instanceof SelfNode self) {
            if (features.contains("self")) {
                return new Rewrite.Self();
            }
            // Without `use self`, `self` is an ordinary name.
            if (!own.containsKey("self")) {
                error(self.span(), "`self` needs `use self` at the top of the schema (or a relation named `self`)");
            }
            return new Rewrite.ComputedUserset("self");
        }
        if (expr instanceof ReferenceNode reference) {
            if (!own.containsKey(reference.name())) {
                error(reference.span(), "`" + reference.name() + "` is not a relation or permission of `"
                        + definition.name() + "`" + Names.suggestion(reference.name(), own.keySet()));
            }
            return new Rewrite.ComputedUserset(reference.name());
        }
        ArrowNode arrow = (ArrowNode) expr;
        Rewrite.ArrowKind kind = arrow.function() == ArrowNode.Function.ALL ? Rewrite.ArrowKind.ALL : Rewrite.ArrowKind.ANY;
        Rewrite result = new Rewrite.TupleToUserset(arrow.left(), arrow.right(), kind);
        MemberNode left = own.get(arrow.left());
        if (left == null) {
            error(arrow.leftSpan(), "`" + arrow.left() + "` is not a relation of `" + definition.name() + "`"
                    + Names.suggestion(arrow.left(), own.keySet()));
            return result;
        }
        if (!(left instanceof RelationNode leftRelation)) {
            error(arrow.leftSpan(), "the left side of an arrow must be a relation, and `" + arrow.left()
                    + "` is a permission; arrow through the relation it is built from instead");
            return result;
        }
        String wildcard = wildcardCheck(definition.name(), arrow.left());
        if (wildcard != null) {
            error(arrow.leftSpan(), "relation `" + arrow.left() + "` allows the wildcard `" + wildcard
                    + "`, so it cannot be the left side of an arrow: an arrow visits each subject, and `*` is not one");
            return result;
        }
        Set<String> subjectTypes = new LinkedHashSet<>();
        boolean reachable = false;
        for (TypeRefNode ref : leftRelation.types()) {
            subjectTypes.add(ref.type());
            Map<String, MemberNode> targetMembers = members.get(ref.type());
            if (targetMembers != null && targetMembers.containsKey(arrow.right())) {
                reachable = true;
            }
        }
        if (!reachable) {
            warning(arrow.rightSpan(), "`" + arrow.right() + "` is not a relation or permission of any subject type of `"
                    + arrow.left() + "` (" + String.join(", ", subjectTypes) + "), so this arrow never grants anything");
        }
        return result;
    }

    /** {@code result}, or the node of the run of {@code operator} that just ended. */
    private static Rewrite ended(Rewrite result, List<Rewrite> run, BinaryNode.Operator operator) {
        if (run == null) {
            return result;
        }
        return operator == BinaryNode.Operator.UNION ? new Rewrite.Union(run) : new Rewrite.Intersection(run);
    }

    /** Adds {@code r} to a run of {@code operator}: its children when it is a node of the same operator. */
    private static void addFlattened(List<Rewrite> run, Rewrite r, BinaryNode.Operator operator) {
        if (operator == BinaryNode.Operator.UNION && r instanceof Rewrite.Union u) {
            run.addAll(u.children());
        } else if (operator == BinaryNode.Operator.INTERSECTION && r instanceof Rewrite.Intersection i) {
            run.addAll(i.children());
        } else {
            run.add(r);
        }
    }

    /** The name an expression refers to, when it is a bare name (`self` is one without `use self`). */
    private String referenceName(ExprNode expr) {
        if (expr instanceof ReferenceNode r) {
            return r.name();
        }
        return expr instanceof SelfNode && !features.contains("self") ? "self" : null;
    }

    private boolean isAlias(PermissionNode permission) {
        return referenceName(permission.expression()) != null;
    }

    private boolean refersTo(ExprNode expr, String name) {
        java.util.ArrayDeque<ExprNode> work = new java.util.ArrayDeque<>();
        work.push(expr);
        while (!work.isEmpty()) {
            ExprNode e = work.pop();
            if (e instanceof BinaryNode b) {
                work.push(b.left());
                work.push(b.right());
            } else if (name.equals(referenceName(e))) {
                return true;
            }
        }
        return false;
    }

    /**
     * SpiceDB's cycle rule: a permission that is only another name ({@code permission a = b})
     * must lead, through such aliases, to a relation or a real expression. Aliases that only
     * lead to each other can never grant anything.
     */
    private void aliasCycles(DefinitionNode definition, Map<String, MemberNode> byName) {
        Map<String, String> unresolved = new LinkedHashMap<>();
        for (MemberNode member : byName.values()) {
            if (member instanceof PermissionNode p) {
                String target = referenceName(p.expression());
                if (target != null && byName.containsKey(target)) {
                    unresolved.put(p.name(), target);
                }
            }
        }
        boolean progress = true;
        while (progress && !unresolved.isEmpty()) {
            progress = unresolved.entrySet().removeIf(e -> !unresolved.containsKey(e.getValue()));
        }
        if (unresolved.isEmpty()) {
            return;
        }
        String first = unresolved.keySet().iterator().next();
        String chain = unresolved.entrySet().stream()
                .map(e -> "`" + e.getKey() + " = " + e.getValue() + "`")
                .collect(Collectors.joining(", "));
        error(byName.get(first).nameSpan(), "in `" + definition.name() + "`, permissions "
                + unresolved.keySet().stream().map(n -> "`" + n + "`").collect(Collectors.joining(", "))
                + " only refer to each other (" + chain + "), so they can never grant anything;"
                + " make one of them include a relation");
    }

    // ---- caveats -----------------------------------------------------------------------------

    private CaveatDefinition caveat(CaveatNode caveat) {
        boolean ok = true;
        if (caveat.parameters().isEmpty()) {
            error(caveat.nameSpan(), "caveat `" + caveat.name() + "` has no parameters; a caveat needs at least one,"
                    + " as in `caveat " + caveat.name() + "(name type) { ... }`");
            ok = false;
        }
        Map<String, CaveatParameterType> parameters = new LinkedHashMap<>();
        Map<String, ParameterNode> nodes = new HashMap<>();
        for (ParameterNode parameter : caveat.parameters()) {
            String problem = Names.parameterProblem(parameter.name());
            if (problem == null) {
                problem = keywordProblem(parameter.name());
            }
            if (problem != null) {
                error(parameter.span(), problem);
                ok = false;
            }
            CaveatParameterType type = type(parameter.type());
            if (!type.arguments().isEmpty() && !type.name().equals("list") && !type.name().equals("map")
                    && CaveatTypes.problem(CaveatParameterType.of(type.name())) == null) {
                // SpiceDB accepts `int<string>` and drops the arguments; so do we, with a warning.
                warning(parameter.type().span(), "type `" + type.name() + "` takes no type arguments; `"
                        + parameter.type().text() + "` is read as `" + type.name() + "`");
                type = CaveatParameterType.of(type.name());
            }
            String typeProblem = CaveatTypes.problem(type);
            if (typeProblem != null) {
                error(parameter.type().span(), "parameter `" + parameter.name() + "` of caveat `" + caveat.name()
                        + "`: " + typeProblem);
                ok = false;
            }
            if (parameters.putIfAbsent(parameter.name(), type) != null) {
                error(parameter.span(), "caveat `" + caveat.name() + "` declares parameter `" + parameter.name()
                        + "` twice");
                ok = false;
            }
            nodes.putIfAbsent(parameter.name(), parameter);
        }
        if (caveat.expression().isBlank()) {
            error(caveat.expressionSpan(), "caveat `" + caveat.name() + "` has an empty expression; write a CEL"
                    + " expression that results in a bool");
            return null;
        }
        if (!ok) {
            return null;
        }
        CaveatExpressions.Checked checked = CaveatExpressions.check(caveat.expression(), parameters);
        if (!checked.ok()) {
            for (CaveatExpressions.Problem problem : checked.problems()) {
                error(celSpan(caveat, problem), "caveat `" + caveat.name() + "`: " + problem.message());
            }
            return null;
        }
        for (String name : parameters.keySet()) {
            if (!checked.referencedParameters().contains(name)) {
                error(nodes.get(name).span(), "parameter `" + name + "` of caveat `" + caveat.name()
                        + "` is never used in its expression; use it or remove it");
                ok = false;
            }
        }
        return ok ? new CaveatDefinition(caveat.name(), caveat.comments().doc(), caveat.comments().before(caveat.span()),
                parameters, caveat.expression(), checked.ast()) : null;
    }

    private static CaveatParameterType type(TypeExprNode node) {
        return new CaveatParameterType(node.name(), node.arguments().stream().map(SchemaValidator::type).toList());
    }

    /** CEL reports lines from 1 and columns from 0 within the expression; map them into the file. */
    private static Span celSpan(CaveatNode caveat, CaveatExpressions.Problem problem) {
        List<Integer> columns = caveat.expressionLineColumns();
        if (columns.isEmpty()) {
            return caveat.expressionSpan();
        }
        int index = Math.min(problem.line() - 1, columns.size() - 1);
        int line = caveat.expressionSpan().line() + index;
        int column = columns.get(index) + problem.column();
        return new Span(line, column, line, column, 0, 0);
    }

    // ---- diagnostics -------------------------------------------------------------------------

    private void error(Span span, String message) {
        errors.add(source.error(span, message));
    }

    private void warning(Span span, String message) {
        warnings.add(source.warning(span, message));
    }
}
