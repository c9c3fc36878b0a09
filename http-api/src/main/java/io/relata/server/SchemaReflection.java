package io.relata.server;

import io.relata.schema.AllowedSubjectType;
import io.relata.schema.CaveatDefinition;
import io.relata.schema.CaveatParameterType;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Permission;
import io.relata.schema.Relation;
import io.relata.schema.Schema;
import io.relata.schema.SchemaCompiler;
import io.relata.schema.caveat.CaveatExpressions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * SpiceDB's schema reflection over a compiled {@link Schema}: {@code ReflectSchema},
 * {@code DiffSchema}, {@code ComputablePermissions} and {@code DependentRelations}, in the
 * JSON shapes of SpiceDB's v1 messages ({@code Reflection*}; the experimental
 * {@code Exp*} messages are the same on the wire). {@link Api} resolves the schema at the
 * request's revision and adds {@code readAt}.
 *
 * <p>As in SpiceDB: definitions and caveats are listed by name, relations and permissions
 * in schema order, caveat parameters by name; a comment is every comment written before
 * the element, delimiters kept and each line trimmed, joined by newlines; a caveat's
 * expression is written back as cel-go's unparser writes it
 * ({@link CaveatExpressions#unparse}). Fields a message leaves unset are given as
 * SpiceDB's gateway gives them: {@code ""} and {@code []}.
 */
final class SchemaReflection {

    /** The schema of a tenant that has written none: nothing to reflect, everything added in a diff. */
    static final Schema EMPTY = SchemaCompiler.compile("").orThrow();

    private SchemaReflection() {}

    // ---- ReflectSchema ------------------------------------------------------------------------------

    /** A {@code ReflectionSchemaFilter}; absent fields are "". */
    record Filter(String definition, String caveat, String relation, String permission) {}

    /** {@code ReflectSchemaResponse} without {@code readAt}: {@code definitions} and {@code caveats}. */
    static JsonObject reflect(Schema schema, JsonObject body) {
        List<Filter> filters = filters(body);
        JsonArray definitions = new JsonArray();
        if (hasDefinitions(filters)) {
            for (ObjectDefinition d : byName(schema.definitions())) {
                if (matchesDefinition(filters, d.name())) {
                    definitions.add(definition(d, filters));
                }
            }
        }
        JsonArray caveats = new JsonArray();
        if (hasCaveats(filters)) {
            for (CaveatDefinition c : byName(schema.caveats())) {
                if (matchesCaveat(filters, c.name())) {
                    caveats.add(caveat(c));
                }
            }
        }
        return new JsonObject().put("definitions", definitions).put("caveats", caveats);
    }

    private static <T> List<T> byName(Map<String, T> byName) {
        return new ArrayList<>(new TreeMap<>(byName).values());
    }

    /** The request's {@code optionalFilters}, refused where SpiceDB refuses them. */
    static List<Filter> filters(JsonObject body) {
        List<Filter> filters = new ArrayList<>();
        JsonArray given = Json.array(body, "optionalFilters");
        for (int i = 0; i < given.size(); i++) {
            if (!(given.getValue(i) instanceof JsonObject o)) {
                throw ApiException.invalid("each of `optionalFilters[]` must be an object");
            }
            Filter f = new Filter(text(o, "optionalDefinitionNameFilter"), text(o, "optionalCaveatNameFilter"),
                    text(o, "optionalRelationNameFilter"), text(o, "optionalPermissionNameFilter"));
            String problem = null;
            if (!f.definition().isEmpty() && !f.caveat().isEmpty()) {
                problem = "cannot filter by both definition and caveat name";
            } else if (!f.relation().isEmpty() && f.definition().isEmpty()) {
                problem = "relation name match requires definition name match";
            } else if (!f.relation().isEmpty() && !f.permission().isEmpty()) {
                problem = "cannot filter by both relation and permission name";
            } else if (!f.permission().isEmpty() && f.definition().isEmpty()) {
                problem = "permission name match requires definition name match";
            }
            if (problem != null) {
                throw ApiException.invalid("the schema filter provided is not valid: " + problem + " (in"
                        + " optionalFilters[" + i + "] " + o.encode() + ")");
            }
            filters.add(f);
        }
        return filters;
    }

    /** A string field, "" when absent: what an unset proto3 string is. */
    static String text(JsonObject o, String name) {
        String value = Json.string(o, name, false);
        return value == null ? "" : value;
    }

    // SpiceDB's schemaFilters: prefix matches; a kind of element no filter names is unfiltered,
    // but definitions (caveats) are listed at all only when some filter names a definition (caveat).

    private static boolean hasDefinitions(List<Filter> filters) {
        return filters.isEmpty() || filters.stream().anyMatch(f -> !f.definition().isEmpty());
    }

    private static boolean hasCaveats(List<Filter> filters) {
        return filters.isEmpty() || filters.stream().anyMatch(f -> !f.caveat().isEmpty());
    }

    private static boolean matchesDefinition(List<Filter> filters, String name) {
        boolean any = false;
        for (Filter f : filters) {
            if (!f.definition().isEmpty()) {
                any = true;
                if (name.startsWith(f.definition())) {
                    return true;
                }
            }
        }
        return !any;
    }

    private static boolean matchesCaveat(List<Filter> filters, String name) {
        boolean any = false;
        for (Filter f : filters) {
            if (!f.caveat().isEmpty()) {
                any = true;
                if (name.startsWith(f.caveat())) {
                    return true;
                }
            }
        }
        return !any;
    }

    private static boolean matchesRelation(List<Filter> filters, String definition, String name) {
        boolean any = false;
        for (Filter f : filters) {
            if (!f.relation().isEmpty()) {
                any = true;
                if (name.startsWith(f.relation()) && definition.startsWith(f.definition())) {
                    return true;
                }
            }
        }
        return !any;
    }

    private static boolean matchesPermission(List<Filter> filters, String definition, String name) {
        boolean any = false;
        for (Filter f : filters) {
            if (!f.permission().isEmpty()) {
                any = true;
                if (name.startsWith(f.permission()) && definition.startsWith(f.definition())) {
                    return true;
                }
            }
        }
        return !any;
    }

    // ---- the Reflection* messages -------------------------------------------------------------------

    /** A {@code ReflectionDefinition}: every relation and permission the filters let through. */
    static JsonObject definition(ObjectDefinition d, List<Filter> filters) {
        JsonArray relations = new JsonArray();
        for (Relation r : d.relations().values()) {
            if (matchesRelation(filters, d.name(), r.name())) {
                relations.add(relation(d.name(), r));
            }
        }
        JsonArray permissions = new JsonArray();
        for (Permission p : d.permissions().values()) {
            if (matchesPermission(filters, d.name(), p.name())) {
                permissions.add(permission(d.name(), p));
            }
        }
        return new JsonObject().put("name", d.name()).put("comment", comment(d.comments()))
                .put("relations", relations).put("permissions", permissions);
    }

    static JsonObject relation(String definition, Relation r) {
        JsonArray types = new JsonArray();
        r.allowedTypes().forEach(t -> types.add(typeReference(t)));
        return new JsonObject().put("name", r.name()).put("comment", comment(r.comments()))
                .put("parentDefinitionName", definition).put("subjectTypes", types);
    }

    static JsonObject permission(String definition, Permission p) {
        return new JsonObject().put("name", p.name()).put("comment", comment(p.comments()))
                .put("parentDefinitionName", definition);
    }

    /**
     * A {@code ReflectionTypeReference}: one of {@code optionalRelationName},
     * {@code isPublicWildcard} and {@code isTerminalSubject}. SpiceDB sets the last without a
     * value, so its gateway writes {@code "isTerminalSubject": false}; so does this. A type's
     * expiration has no field.
     */
    static JsonObject typeReference(AllowedSubjectType t) {
        JsonObject ref = new JsonObject().put("subjectDefinitionName", t.subject().type())
                .put("optionalCaveatName", t.caveat() == null ? "" : t.caveat());
        if (t.subject().relation() != null) {
            ref.put("optionalRelationName", t.subject().relation());
        } else if (t.subject().wildcard()) {
            ref.put("isPublicWildcard", true);
        } else {
            ref.put("isTerminalSubject", false);
        }
        return ref;
    }

    /** A {@code ReflectionCaveat}. */
    static JsonObject caveat(CaveatDefinition c) {
        JsonArray parameters = new JsonArray();
        new TreeMap<>(c.parameters()).forEach((name, type) -> parameters.add(parameter(c.name(), name, type)));
        return new JsonObject().put("name", c.name()).put("comment", comment(c.comments()))
                .put("parameters", parameters).put("expression", CaveatExpressions.unparse(c.expression()));
    }

    static JsonObject parameter(String caveat, String name, CaveatParameterType type) {
        return new JsonObject().put("name", name).put("type", type.toString()).put("parentCaveatName", caveat);
    }

    private static String comment(List<String> comments) {
        return String.join("\n", comments);
    }

    // ---- DiffSchema ---------------------------------------------------------------------------------

    /**
     * {@code DiffSchemaResponse.diffs} from {@code existing} to {@code comparison}, grouped as
     * SpiceDB groups them: definitions added, definitions removed, caveats added, caveats
     * removed, then per changed definition (by name) its doc comment, relations removed and
     * added, permissions removed and added, per kept permission its expression then its
     * comment, per kept relation its comment then the subject types removed and added; then
     * per changed caveat (by name) its comment, parameters removed and added, parameter types
     * changed, expression. Where SpiceDB's order is that of a Go map, names here come in
     * schema order (definitions and caveats by name, parameters by name).
     *
     * <p>What compares: comments as {@link #reflect} gives them; a permission's expression
     * tree ({@code ->} and {@code .any()} are the same arrow here, while SpiceDB tells them
     * apart); a relation's subject types as written ({@code user with cav and expiration}); a
     * parameter's type by name; a caveat's expression text, indentation aside. Reported
     * elements are the comparison's, removed ones the existing schema's.
     */
    static JsonArray diff(Schema existing, Schema comparison) {
        JsonArray diffs = new JsonArray();
        Set<String> definitions = new TreeSet<>(existing.definitions().keySet());
        definitions.addAll(comparison.definitions().keySet());
        Set<String> caveats = new TreeSet<>(existing.caveats().keySet());
        caveats.addAll(comparison.caveats().keySet());
        for (String name : definitions) {
            if (!existing.definitions().containsKey(name)) {
                diffs.add(change("definitionAdded", definition(comparison.definitions().get(name), List.of())));
            }
        }
        for (String name : definitions) {
            if (!comparison.definitions().containsKey(name)) {
                diffs.add(change("definitionRemoved", definition(existing.definitions().get(name), List.of())));
            }
        }
        for (String name : caveats) {
            if (!existing.caveats().containsKey(name)) {
                diffs.add(change("caveatAdded", caveat(comparison.caveats().get(name))));
            }
        }
        for (String name : caveats) {
            if (!comparison.caveats().containsKey(name)) {
                diffs.add(change("caveatRemoved", caveat(existing.caveats().get(name))));
            }
        }
        for (String name : definitions) {
            ObjectDefinition before = existing.definitions().get(name);
            ObjectDefinition after = comparison.definitions().get(name);
            if (before != null && after != null) {
                definitionChanges(before, after, diffs);
            }
        }
        for (String name : caveats) {
            CaveatDefinition before = existing.caveats().get(name);
            CaveatDefinition after = comparison.caveats().get(name);
            if (before != null && after != null) {
                caveatChanges(before, after, diffs);
            }
        }
        return diffs;
    }

    private static JsonObject change(String kind, Object what) {
        return new JsonObject().put(kind, what);
    }

    private static void definitionChanges(ObjectDefinition before, ObjectDefinition after, JsonArray diffs) {
        String name = after.name();
        if (!before.comments().equals(after.comments())) {
            diffs.add(change("definitionDocCommentChanged", definition(after, List.of())));
        }
        before.relations().values().stream().filter(r -> !after.relations().containsKey(r.name()))
                .forEach(r -> diffs.add(change("relationRemoved", relation(name, r))));
        after.relations().values().stream().filter(r -> !before.relations().containsKey(r.name()))
                .forEach(r -> diffs.add(change("relationAdded", relation(name, r))));
        before.permissions().values().stream().filter(p -> !after.permissions().containsKey(p.name()))
                .forEach(p -> diffs.add(change("permissionRemoved", permission(name, p))));
        after.permissions().values().stream().filter(p -> !before.permissions().containsKey(p.name()))
                .forEach(p -> diffs.add(change("permissionAdded", permission(name, p))));
        for (Permission p : after.permissions().values()) {
            Permission old = before.permissions().get(p.name());
            if (old == null) {
                continue;
            }
            if (!old.rewrite().equals(p.rewrite())) {
                diffs.add(change("permissionExprChanged", permission(name, p)));
            }
            if (!old.comments().equals(p.comments())) {
                diffs.add(change("permissionDocCommentChanged", permission(name, p)));
            }
        }
        for (Relation r : after.relations().values()) {
            Relation old = before.relations().get(r.name());
            if (old == null) {
                continue;
            }
            if (!old.comments().equals(r.comments())) {
                diffs.add(change("relationDocCommentChanged", relation(name, r)));
            }
            Map<String, AllowedSubjectType> oldTypes = typesAsWritten(old);
            Map<String, AllowedSubjectType> newTypes = typesAsWritten(r);
            // SpiceDB reports a removed type with the relation as it is in the comparison schema.
            oldTypes.forEach((written, t) -> {
                if (!newTypes.containsKey(written)) {
                    diffs.add(change("relationSubjectTypeRemoved", new JsonObject().put("relation", relation(name, r))
                            .put("changedSubjectType", typeReference(t))));
                }
            });
            newTypes.forEach((written, t) -> {
                if (!oldTypes.containsKey(written)) {
                    diffs.add(change("relationSubjectTypeAdded", new JsonObject().put("relation", relation(name, r))
                            .put("changedSubjectType", typeReference(t))));
                }
            });
        }
    }

    /** A relation's subject types by how they are written, as SpiceDB's {@code SourceForAllowedRelation}. */
    private static Map<String, AllowedSubjectType> typesAsWritten(Relation r) {
        Map<String, AllowedSubjectType> out = new LinkedHashMap<>();
        r.allowedTypes().forEach(t -> out.put(t.toString(), t));
        return out;
    }

    private static void caveatChanges(CaveatDefinition before, CaveatDefinition after, JsonArray diffs) {
        String name = after.name();
        if (!before.comments().equals(after.comments())) {
            diffs.add(change("caveatDocCommentChanged", caveat(after)));
        }
        Map<String, CaveatParameterType> oldParameters = new TreeMap<>(before.parameters());
        Map<String, CaveatParameterType> newParameters = new TreeMap<>(after.parameters());
        oldParameters.forEach((parameter, type) -> {
            if (!newParameters.containsKey(parameter)) {
                diffs.add(change("caveatParameterRemoved", parameter(name, parameter, type)));
            }
        });
        newParameters.forEach((parameter, type) -> {
            if (!oldParameters.containsKey(parameter)) {
                diffs.add(change("caveatParameterAdded", parameter(name, parameter, type)));
            }
        });
        newParameters.forEach((parameter, type) -> {
            CaveatParameterType old = oldParameters.get(parameter);
            if (old != null && !old.toString().equals(type.toString())) {
                diffs.add(change("caveatParameterTypeChanged", new JsonObject()
                        .put("parameter", parameter(name, parameter, type)).put("previousType", old.toString())));
            }
        });
        if (!before.expression().equals(after.expression())) {
            diffs.add(change("caveatExprChanged", caveat(after)));
        }
    }

    // ---- ComputablePermissions and DependentRelations -----------------------------------------------

    /**
     * {@code ComputablePermissionsResponse.permissions}: the relations and permissions whose
     * value may change when {@code relationName} (the objects themselves when "") of
     * {@code definitionName} changes, by definition then name; only definitions starting
     * with {@code definitionFilter} when it is not "".
     */
    static JsonArray computable(Schema schema, String definitionName, String relationName, String definitionFilter) {
        ObjectDefinition definition = knownDefinition(schema, definitionName);
        if (!relationName.isEmpty()) {
            knownMember(definition, relationName);
        }
        String start = relationName.isEmpty() ? SchemaReachability.ELLIPSIS : relationName;
        List<SchemaReachability.Ref> found = new ArrayList<>();
        for (SchemaReachability.Ref r : new SchemaReachability(schema)
                .encounteredForSubject(new SchemaReachability.Ref(definitionName, start))) {
            boolean itself = r.namespace().equals(definitionName) && r.relation().equals(relationName);
            if (!itself && r.namespace().startsWith(definitionFilter)) {
                found.add(r);
            }
        }
        return references(schema, found);
    }

    /**
     * {@code DependentRelationsResponse.relations}: the relations and permissions
     * {@code permissionName} of {@code definitionName} depends on, by definition then name.
     */
    static JsonArray dependent(Schema schema, String definitionName, String permissionName) {
        ObjectDefinition definition = knownDefinition(schema, definitionName);
        knownMember(definition, permissionName);
        if (definition.permission(permissionName).isEmpty()) {
            throw ApiException.invalid("the relation `" + permissionName + "` is not a permission");
        }
        List<SchemaReachability.Ref> found = new ArrayList<>();
        for (SchemaReachability.Ref r : new SchemaReachability(schema)
                .encounteredForResource(new SchemaReachability.Ref(definitionName, permissionName))) {
            if (!(r.namespace().equals(definitionName) && r.relation().equals(permissionName))) {
                found.add(r);
            }
        }
        return references(schema, found);
    }

    /** SpiceDB's error for a definition that is not in the schema: FAILED_PRECONDITION. */
    private static ObjectDefinition knownDefinition(Schema schema, String name) {
        return schema.definition(name).orElseThrow(() -> new ApiException(ApiException.FAILED_PRECONDITION,
                "object definition `" + name + "` not found"));
    }

    /** SpiceDB's error for a relation or permission that is not in the definition: FAILED_PRECONDITION. */
    private static void knownMember(ObjectDefinition definition, String name) {
        if (!definition.has(name)) {
            throw new ApiException(ApiException.FAILED_PRECONDITION, "relation/permission `" + name
                    + "` not found under definition `" + definition.name() + "`");
        }
    }

    /** {@code ReflectionRelationReference}s, by definition then relation. */
    private static JsonArray references(Schema schema, List<SchemaReachability.Ref> refs) {
        JsonArray out = new JsonArray();
        refs.stream().sorted(Comparator.comparing(SchemaReachability.Ref::namespace)
                .thenComparing(SchemaReachability.Ref::relation)).distinct().forEach(r -> out.add(new JsonObject()
                        .put("definitionName", r.namespace()).put("relationName", r.relation())
                        .put("isPermission", schema.definition(r.namespace())
                                .map(d -> d.permission(r.relation()).isPresent()).orElse(false))));
        return out;
    }
}
