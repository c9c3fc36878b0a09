package io.relata.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a request names the resource types it touches, in the gateway's JSON (gRPC requests
 * are read in the same JSON, protobuf's mapping): what {@link Access} compares with a key's
 * resource-type limit. A field that may name a type but does not (a read without a type in its
 * filter, a watch of every type) is reported with a null type: a limited key must name one.
 * Lookup subjects is limited by its resource (the subjects it finds are of any type); the
 * subjects of written relationships are not resources and are not limited.
 */
enum ResourceTypes {

    /** {@code resource.objectType}: check, expand, lookup subjects. */
    RESOURCE {
        @Override
        List<Named> named(JsonObject request) {
            return List.of(new Named("resource.objectType", string(object(request, "resource"), "objectType")));
        }
    },
    /** {@code items[].resource.objectType}: the bulk checks. */
    ITEMS {
        @Override
        List<Named> named(JsonObject request) {
            List<Named> out = new ArrayList<>();
            JsonArray items = array(request, "items");
            for (int i = 0; i < items.size(); i++) {
                out.add(new Named("items[" + i + "].resource.objectType",
                        string(object(element(items, i), "resource"), "objectType")));
            }
            return out;
        }
    },
    /**
     * A composite check: its resource and the object of every principal but the last, since a
     * link's {@code where} binding checks a principal as a resource (and the answer's links show it).
     */
    COMPOSITE {
        @Override
        List<Named> named(JsonObject request) {
            List<Named> out = new ArrayList<>(RESOURCE.named(request));
            principals(request, "", out);
            return out;
        }
    },
    /** {@link #COMPOSITE} for each of {@code items[]}: the composite bulk check. */
    COMPOSITE_ITEMS {
        @Override
        List<Named> named(JsonObject request) {
            List<Named> out = new ArrayList<>(ITEMS.named(request));
            JsonArray items = array(request, "items");
            for (int i = 0; i < items.size(); i++) {
                principals(element(items, i), "items[" + i + "].", out);
            }
            return out;
        }
    },
    /** {@code resourceObjectType} and the principals as for {@link #COMPOSITE}: the composite lookup. */
    COMPOSITE_LOOKUP {
        @Override
        List<Named> named(JsonObject request) {
            List<Named> out = new ArrayList<>(LOOKUP_RESOURCES.named(request));
            principals(request, "", out);
            return out;
        }
    },
    /**
     * Answers through relationships of any type (an explanation's chain), so a key limited to
     * types may not use it.
     */
    EVERY_TYPE {
        @Override
        List<Named> named(JsonObject request) {
            return null;
        }
    },
    /** {@code resourceObjectType}: lookup resources. */
    LOOKUP_RESOURCES {
        @Override
        List<Named> named(JsonObject request) {
            return List.of(new Named("resourceObjectType", string(request, "resourceObjectType")));
        }
    },
    /** {@code relationshipFilter.resourceType}: read relationships. */
    READ_FILTER {
        @Override
        List<Named> named(JsonObject request) {
            return List.of(filter(request, "relationshipFilter"));
        }
    },
    /** {@code optionalRelationshipFilter.resourceType}: an export; without a filter it would export every type. */
    EXPORT_FILTER {
        @Override
        List<Named> named(JsonObject request) {
            return List.of(filter(request, "optionalRelationshipFilter"));
        }
    },
    /** Each update's resource and each precondition's filter: write relationships. */
    WRITE {
        @Override
        List<Named> named(JsonObject request) {
            List<Named> out = new ArrayList<>();
            JsonArray updates = array(request, "updates");
            for (int i = 0; i < updates.size(); i++) {
                out.add(new Named("updates[" + i + "].relationship.resource.objectType", string(object(object(
                        element(updates, i), "relationship"), "resource"), "objectType")));
            }
            preconditions(request, out);
            return out;
        }
    },
    /** The filter and each precondition's filter: delete relationships. */
    DELETE {
        @Override
        List<Named> named(JsonObject request) {
            List<Named> out = new ArrayList<>();
            out.add(filter(request, "relationshipFilter"));
            preconditions(request, out);
            return out;
        }
    },
    /** {@code optionalObjectTypes[]} and {@code optionalRelationshipFilters[].resourceType}: a watch. */
    WATCH {
        @Override
        List<Named> named(JsonObject request) {
            List<Named> out = new ArrayList<>();
            JsonArray types = array(request, "optionalObjectTypes");
            for (int i = 0; i < types.size(); i++) {
                Object t = types.getValue(i);
                out.add(new Named("optionalObjectTypes[" + i + "]", t instanceof String s && !s.isEmpty() ? s : null));
            }
            JsonArray filters = array(request, "optionalRelationshipFilters");
            for (int i = 0; i < filters.size(); i++) {
                out.add(new Named("optionalRelationshipFilters[" + i + "].resourceType",
                        string(element(filters, i), "resourceType")));
            }
            if (out.isEmpty()) {
                out.add(new Named("optionalObjectTypes", null));
            }
            return out;
        }
    },
    /**
     * A client stream (import): its relationships are not known when it starts, so a key limited
     * to types may not use it.
     */
    UNKNOWN_AHEAD {
        @Override
        List<Named> named(JsonObject request) {
            return null;
        }
    },
    /** Names no resource type (the schema and its reflection describe types, they hold no data). */
    NOT_TYPED {
        @Override
        List<Named> named(JsonObject request) {
            return List.of();
        }
    };

    /** A field of a request that names a resource type, and the type it names (null: none, i.e. every type). */
    record Named(String field, String type) {}

    /**
     * The resource types {@code request} names, each with its field; null when they cannot be
     * known before the work starts. A malformed request names what it can (the work then
     * refuses it as usual); a field of the wrong shape counts as naming no type.
     */
    abstract List<Named> named(JsonObject request);

    /** Why an operation whose {@link #named} is null needs a key that may touch every type. */
    String whyEveryType() {
        return this == EVERY_TYPE ? "its answer shows relationships of any type"
                : "the relationships it touches are not known when it starts";
    }

    private static void principals(JsonObject request, String prefix, List<Named> out) {
        JsonArray principals = array(request, "principals");
        for (int i = 0; i < principals.size() - 1; i++) {
            out.add(new Named(prefix + "principals[" + i + "].object.objectType",
                    string(object(element(principals, i), "object"), "objectType")));
        }
    }

    private static void preconditions(JsonObject request, List<Named> out) {
        JsonArray preconditions = array(request, "optionalPreconditions");
        for (int i = 0; i < preconditions.size(); i++) {
            Named f = filter(element(preconditions, i), "filter");
            out.add(new Named("optionalPreconditions[" + i + "]." + f.field(), f.type()));
        }
    }

    private static Named filter(JsonObject request, String field) {
        return new Named(field + ".resourceType", string(object(request, field), "resourceType"));
    }

    // Every field is read as the handlers read it (Json.field: camelCase, else snake_case), so a
    // request cannot name a type in a spelling the work reads and this check does not.

    private static JsonObject object(JsonObject o, String field) {
        return Json.field(o, field) instanceof JsonObject j ? j : null;
    }

    private static JsonArray array(JsonObject o, String field) {
        return Json.field(o, field) instanceof JsonArray a ? a : new JsonArray();
    }

    private static JsonObject element(JsonArray a, int i) {
        return a.getValue(i) instanceof JsonObject j ? j : null;
    }

    private static String string(JsonObject o, String field) {
        return Json.field(o, field) instanceof String s && !s.isEmpty() ? s : null;
    }
}
