package io.relata.server;

import io.relata.engine.CheckRequest;
import io.relata.engine.ExpandTree;
import io.relata.engine.Permissionship;
import io.relata.store.Caveat;
import io.relata.store.ObjectRef;
import io.relata.store.Precondition;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipUpdate;
import io.relata.store.SubjectFilter;
import io.relata.store.SubjectRef;
import io.relata.zookie.Consistency;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * SpiceDB's v1 JSON shapes to Relata's values and back. Field names are lowerCamelCase
 * (snake_case accepted on input); a field of the wrong JSON type is a clear 400.
 */
final class Json {

    private Json() {}

    static Object field(JsonObject o, String name) {
        if (o == null) {
            return null;
        }
        Object value = o.getValue(name);
        if (value == null) {
            String snake = snake(name);
            if (snake != name) {
                value = o.getValue(snake);
            }
        }
        return value;
    }

    /** The snake_case of the field names asked for so far: a few dozen, all named in this code. */
    private static final java.util.concurrent.ConcurrentHashMap<String, String> SNAKE =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * {@code camel} in snake_case ({@code optionalRelation} to {@code optional_relation}), or
     * {@code camel} itself when it has no capital; remembered, since this runs for every absent
     * field of every request.
     */
    static String snake(String camel) {
        String known = SNAKE.get(camel);
        if (known == null) {
            known = toSnake(camel);
            if (SNAKE.size() < 1_000) {
                SNAKE.putIfAbsent(camel, known);
            }
        }
        return known;
    }

    private static String toSnake(String camel) {
        StringBuilder out = null;
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (out == null) {
                    out = new StringBuilder(camel.length() + 4).append(camel, 0, i);
                }
                out.append('_').append((char) (c + ('a' - 'A')));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? camel : out.toString();
    }

    static JsonObject object(JsonObject o, String name) {
        Object v = field(o, name);
        if (v == null) {
            return null;
        }
        if (v instanceof JsonObject j) {
            return j;
        }
        if (v instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            return new JsonObject(map);
        }
        throw ApiException.invalid("`" + name + "` must be an object");
    }

    static JsonArray array(JsonObject o, String name) {
        Object v = field(o, name);
        if (v == null) {
            return new JsonArray();
        }
        if (v instanceof JsonArray a) {
            return a;
        }
        if (v instanceof List<?> l) {
            return new JsonArray(l);
        }
        throw ApiException.invalid("`" + name + "` must be an array");
    }

    static String string(JsonObject o, String name, boolean required) {
        Object v = field(o, name);
        if (v == null || (v instanceof String s && s.isEmpty())) {
            if (required) {
                throw missing(name);
            }
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        throw ApiException.invalid("`" + name + "` must be a string");
    }

    /** A protobuf uint32 limit: a whole number from 0 to 4,294,967,295; 0 when absent. */
    static long uint32(JsonObject o, String name) {
        Object v = field(o, name);
        if (v == null) {
            return 0;
        }
        java.math.BigDecimal n;
        try {
            n = new java.math.BigDecimal(v.toString());
        } catch (NumberFormatException e) {
            throw ApiException.invalid("`" + name + "` must be a whole number from 0 to 4294967295");
        }
        if (n.signum() < 0 || n.compareTo(java.math.BigDecimal.valueOf(4_294_967_295L)) > 0 || n.stripTrailingZeros().scale() > 0) {
            throw ApiException.invalid("`" + name + "` must be a whole number from 0 to 4294967295, got " + v);
        }
        return n.longValue();
    }

    static boolean bool(JsonObject o, String name) {
        Object v = field(o, name);
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw ApiException.invalid("`" + name + "` must be true or false");
    }

    static Map<String, Object> context(JsonObject o, String name) {
        JsonObject c = object(o, name);
        return c == null ? Map.of() : c.getMap();
    }

    // ---- requests ----------------------------------------------------------------------------------

    static ObjectRef objectRef(JsonObject o, String name) {
        JsonObject ref = object(o, name);
        if (ref == null) {
            throw missingObjectRef(name);
        }
        return new ObjectRef(string(ref, "objectType", true), string(ref, "objectId", true));
    }

    // The refusals of a missing field, also for transports that translate their own messages (gRPC).

    static ApiException missing(String name) {
        return ApiException.invalid("`" + name + "` is required");
    }

    static ApiException missingObjectRef(String name) {
        return ApiException.invalid("`" + name + "` is required, as {\"objectType\": ..., \"objectId\": ...}");
    }

    static ApiException missingSubjectRef(String name) {
        return ApiException.invalid("`" + name + "` is required, as {\"object\": {...}, \"optionalRelation\": ...}");
    }

    static ApiException missingSubjectObject(String name) {
        return ApiException.invalid("`" + name + ".object` is required");
    }

    static SubjectRef subjectRef(JsonObject o, String name) {
        JsonObject ref = object(o, name);
        if (ref == null) {
            throw missingSubjectRef(name);
        }
        JsonObject object = object(ref, "object");
        if (object == null) {
            throw missingSubjectObject(name);
        }
        return new SubjectRef(string(object, "objectType", true), string(object, "objectId", true),
                string(ref, "optionalRelation", false));
    }

    static Relationship relationship(JsonObject o) {
        if (o == null) {
            throw ApiException.invalid("`relationship` is required");
        }
        ObjectRef resource = objectRef(o, "resource");
        String relation = string(o, "relation", true);
        SubjectRef subject = subjectRef(o, "subject");
        Caveat caveat = null;
        JsonObject c = object(o, "optionalCaveat");
        if (c != null) {
            caveat = new Caveat(string(c, "caveatName", true), context(c, "context"));
        }
        Instant expires = null;
        String expiresAt = string(o, "optionalExpiresAt", false);
        if (expiresAt != null) {
            try {
                expires = Instant.parse(expiresAt);
            } catch (DateTimeParseException e) {
                throw ApiException.invalid("`optionalExpiresAt` must be an RFC 3339 time such as 2030-01-01T00:00:00Z");
            }
        }
        return new Relationship(resource, relation, subject, caveat, expires);
    }

    static RelationshipUpdate update(JsonObject o) {
        String op = String.valueOf(field(o, "operation"));
        RelationshipUpdate.Operation operation = switch (op) {
            case "OPERATION_CREATE", "1" -> RelationshipUpdate.Operation.CREATE;
            case "OPERATION_TOUCH", "2" -> RelationshipUpdate.Operation.TOUCH;
            case "OPERATION_DELETE", "3" -> RelationshipUpdate.Operation.DELETE;
            default -> throw ApiException.invalid("`operation` must be OPERATION_CREATE, OPERATION_TOUCH or"
                    + " OPERATION_DELETE, got " + Errors.quoted(String.valueOf(op)));
        };
        return new RelationshipUpdate(operation, relationship(object(o, "relationship")));
    }

    static RelationshipFilter filter(JsonObject f) {
        if (f == null) {
            throw ApiException.invalid("`relationshipFilter` is required");
        }
        SubjectFilter subject = null;
        JsonObject s = object(f, "optionalSubjectFilter");
        if (s != null) {
            String relation = null;
            JsonObject r = object(s, "optionalRelation");
            if (r != null) {
                relation = string(r, "relation", false);
                relation = relation == null ? "" : relation;
            }
            subject = new SubjectFilter(string(s, "subjectType", true), string(s, "optionalSubjectId", false), relation);
        }
        return new RelationshipFilter(string(f, "resourceType", false), string(f, "optionalResourceId", false),
                string(f, "optionalResourceIdPrefix", false), string(f, "optionalRelation", false), subject);
    }

    static Precondition precondition(JsonObject p) {
        String op = String.valueOf(field(p, "operation"));
        Precondition.Kind kind = switch (op) {
            case "OPERATION_MUST_MATCH", "2" -> Precondition.Kind.MUST_MATCH;
            case "OPERATION_MUST_NOT_MATCH", "1" -> Precondition.Kind.MUST_NOT_MATCH;
            default -> throw ApiException.invalid("a precondition's `operation` must be OPERATION_MUST_MATCH or"
                    + " OPERATION_MUST_NOT_MATCH, got " + Errors.quoted(String.valueOf(op)));
        };
        return new Precondition(kind, filter(object(p, "filter")));
    }

    private static final java.util.Set<String> CONSISTENCY_FIELDS = java.util.Set.of("minimizeLatency",
            "minimize_latency", "atLeastAsFresh", "at_least_as_fresh", "atExactSnapshot", "at_exact_snapshot",
            "fullyConsistent", "fully_consistent");

    static Consistency consistency(JsonObject body) {
        JsonObject c = object(body, "consistency");
        if (c == null) {
            return Consistency.MINIMIZE_LATENCY;
        }
        for (String name : c.fieldNames()) {
            if (!CONSISTENCY_FIELDS.contains(name)) {
                throw ApiException.invalid("`consistency` has no field " + Errors.quoted(name) + "; it takes one of"
                        + " minimizeLatency, atLeastAsFresh, atExactSnapshot and fullyConsistent");
            }
        }
        int given = 0;
        for (String option : new String[] {"minimizeLatency", "atLeastAsFresh", "atExactSnapshot", "fullyConsistent"}) {
            Object v = field(c, option);
            if (v != null && !Boolean.FALSE.equals(v)) {
                given++;
            }
        }
        if (given > 1) {
            throw ApiException.invalid("`consistency` takes one of minimizeLatency, atLeastAsFresh, atExactSnapshot"
                    + " and fullyConsistent, not several");
        }
        if (bool(c, "fullyConsistent")) {
            return Consistency.FULLY_CONSISTENT;
        }
        JsonObject fresh = object(c, "atLeastAsFresh");
        if (fresh != null) {
            return new Consistency.AtLeastAsFresh(string(fresh, "token", true));
        }
        JsonObject exact = object(c, "atExactSnapshot");
        if (exact != null) {
            return new Consistency.AtExactSnapshot(string(exact, "token", true));
        }
        return Consistency.MINIMIZE_LATENCY;
    }

    static CheckRequest checkRequest(JsonObject o) {
        return new CheckRequest(objectRef(o, "resource"), string(o, "permission", true), subjectRef(o, "subject"),
                context(o, "context"));
    }

    // ---- responses ---------------------------------------------------------------------------------

    static JsonObject token(String token) {
        return new JsonObject().put("token", token);
    }

    static JsonObject objectRef(ObjectRef ref) {
        return new JsonObject().put("objectType", ref.type()).put("objectId", ref.id());
    }

    static JsonObject subjectRef(SubjectRef s) {
        return new JsonObject().put("object", new JsonObject().put("objectType", s.type()).put("objectId", s.id()))
                .put("optionalRelation", s.relation() == null ? "" : s.relation());
    }

    static JsonObject relationship(Relationship r) {
        return new JsonObject().put("resource", objectRef(r.resource())).put("relation", r.relation())
                .put("subject", subjectRef(r.subject())).put("optionalCaveat", caveat(r.caveat()))
                .put("optionalExpiresAt", timestamp(r.expiresAt()));
    }

    /** A {@code ContextualizedCaveat}, or null. */
    static JsonObject caveat(Caveat caveat) {
        return caveat == null ? null
                : new JsonObject().put("caveatName", caveat.name()).put("context", new JsonObject(caveat.context()));
    }

    static String timestamp(Instant time) {
        return time == null ? null : time.toString();
    }

    static String permissionship(Permissionship p) {
        return switch (p) {
            case HAS -> "PERMISSIONSHIP_HAS_PERMISSION";
            case NO -> "PERMISSIONSHIP_NO_PERMISSION";
            case CONDITIONAL -> "PERMISSIONSHIP_CONDITIONAL_PERMISSION";
        };
    }

    static String lookupPermissionship(Permissionship p) {
        return p == Permissionship.CONDITIONAL ? "LOOKUP_PERMISSIONSHIP_CONDITIONAL_PERMISSION"
                : "LOOKUP_PERMISSIONSHIP_HAS_PERMISSION";
    }

    static JsonObject partialCaveat(List<String> missing) {
        return missing.isEmpty() ? null : new JsonObject().put("missingRequiredContext", new JsonArray(missing));
    }

    /**
     * SpiceDB's {@code PermissionRelationshipTree}. Its leaves are {@code DirectSubjectSet}s,
     * which list subjects only: SpiceDB's v1 API has no place for a subject's caveat, so this
     * shape leaves caveats and expirations out (see {@link #expandWithConditions}).
     */
    static JsonObject expand(ExpandTree tree) {
        return expand(tree, false);
    }

    /**
     * The same tree with what bounds its subjects, for Relata's own expand: every node gets
     * {@code optionalCaveat} and {@code optionalExpiresAt} (of the relationship an arrow
     * followed to it; null elsewhere), and every leaf, beside SpiceDB's {@code subjects}, a
     * {@code directSubjects} list of {@code {subject, optionalCaveat, optionalExpiresAt}} in
     * the same order. Field names and value shapes are those of SpiceDB's {@code Relationship}.
     */
    static JsonObject expandWithConditions(ExpandTree tree) {
        return expand(tree, true);
    }

    private static JsonObject expand(ExpandTree tree, boolean conditions) {
        JsonObject node = new JsonObject().put("expandedObject", objectRef(tree.resource()))
                .put("expandedRelation", tree.relation());
        if (tree instanceof ExpandTree.Leaf leaf) {
            JsonArray subjects = new JsonArray();
            leaf.subjects().forEach(s -> subjects.add(subjectRef(s)));
            JsonObject set = new JsonObject().put("subjects", subjects);
            if (conditions) {
                JsonArray direct = new JsonArray();
                leaf.directSubjects().forEach(s -> direct.add(new JsonObject().put("subject", subjectRef(s.subject()))
                        .put("optionalCaveat", caveat(s.caveat())).put("optionalExpiresAt", timestamp(s.expiresAt()))));
                set.put("directSubjects", direct);
            }
            node.put("leaf", set);
        } else {
            ExpandTree.Operation op = (ExpandTree.Operation) tree;
            JsonArray children = new JsonArray();
            op.children().forEach(c -> children.add(expand(c, conditions)));
            node.put("intermediate", new JsonObject().put("operation", "OPERATION_" + op.kind().name())
                    .put("children", children));
        }
        if (conditions) {
            node.put("optionalCaveat", caveat(tree.caveat())).put("optionalExpiresAt", timestamp(tree.expiresAt()));
        }
        return node;
    }
}
