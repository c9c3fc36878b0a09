package io.relata.server;

import io.relata.store.KeyAccess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A key's {@link KeyAccess} in the admin API's JSON: {@code "scopes": ["check", "read"]} and
 * {@code "resourceTypes": ["project"]} (or {@code resource_types}) when a key is created (both optional: without scopes a
 * key may do everything; without types it may name every type), and the same fields when
 * keys are listed.
 */
final class KeyAccessJson {

    /** The fields of a key-creation request, in both spellings {@link Json#field} reads. */
    private static final java.util.Set<String> CREATE_FIELDS = java.util.Set.of("tenant", "label", "scopes",
            "resourceTypes", "resource_types");

    private KeyAccessJson() {}

    /**
     * The access a key-creation request asks for.
     *
     * @throws ApiException INVALID_ARGUMENT for a field key creation does not take, an unknown
     *                      scope, an empty scope list, a type name that is not one, or a type-limited key asking for the {@code schema} scope
     */
    static KeyAccess of(JsonObject body) {
        for (String field : body.fieldNames()) {
            if (!CREATE_FIELDS.contains(field)) {
                // A misspelt limit must not leave a key with more than was asked for.
                throw ApiException.invalid("key creation has no field " + Errors.quoted(field) + "; it takes "
                        + "`tenant`, `label`, `scopes` and `resourceTypes`");
            }
        }
        boolean scoped = body.containsKey("scopes");
        List<String> scopes = strings(body, "scopes");
        List<String> types = strings(body, "resourceTypes");
        if (!scoped && types.isEmpty()) {
            return KeyAccess.FULL;
        }
        try {
            return KeyAccess.of(scoped ? scopes : KeyAccess.FULL.scopeNames().stream()
                    .filter(s -> types.isEmpty() || !s.equals("schema")).toList(), types);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        }
    }

    /** {@code access} as the key list shows it. */
    static JsonObject put(JsonObject key, KeyAccess access) {
        return key.put("scopes", new JsonArray(new ArrayList<>(access.scopeNames())))
                .put("resourceTypes", new JsonArray(new ArrayList<>(access.sortedResourceTypes())));
    }

    private static List<String> strings(JsonObject body, String field) {
        Object value = Json.field(body, field);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray array)) {
            throw ApiException.invalid("`" + field + "` must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (Object o : array) {
            if (!(o instanceof String s)) {
                throw ApiException.invalid("`" + field + "` must be an array of strings");
            }
            out.add(s);
        }
        return out;
    }
}
