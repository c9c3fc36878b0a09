package io.relata.store;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an API key may do: the operations it may use ({@link Scope}) and, optionally, the
 * resource types it may name. Set when the key is created and never widened afterwards.
 *
 * @param scopes        the scopes the key holds; never empty
 * @param resourceTypes the resource types it may name, or empty for every type; a key limited
 *                      to types cannot hold {@link Scope#SCHEMA} (a schema covers every type)
 */
public record KeyAccess(Set<Scope> scopes, Set<String> resourceTypes) {

    /** An operation family a key may be allowed. */
    public enum Scope {
        /** CheckPermission, bulk checks, expand, LookupResources and LookupSubjects. */
        CHECK,
        /** ReadRelationships, export, ReadSchema and the schema reflection methods. */
        READ,
        /** WriteRelationships, DeleteRelationships and import. */
        WRITE,
        /** WriteSchema. */
        SCHEMA,
        /** Watch. */
        WATCH;

        /** The scope's name as keys are created and listed with: {@code check}, {@code read}, ... */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The scope named {@code name} (in any case).
         *
         * @throws IllegalArgumentException naming the scopes there are, for any other name
         */
        public static Scope of(String name) {
            for (Scope s : values()) {
                if (s.wireName().equalsIgnoreCase(name == null ? "" : name.strip())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown scope " + Names.quoted(name) + "; the scopes are "
                    + String.join(", ", names(EnumSet.allOf(Scope.class))));
        }
    }

    /** Every scope and every resource type: what keys made before scopes existed hold. */
    public static final KeyAccess FULL = new KeyAccess(EnumSet.allOf(Scope.class), Set.of());

    /** The most resource types one key may be limited to. */
    public static final int MAX_RESOURCE_TYPES = 100;

    /**
     * @throws IllegalArgumentException when {@code scopes} is empty, a resource type is not a
     *                                  valid type name, there are more than {@link #MAX_RESOURCE_TYPES},
     *                                  or a key limited to types asks for {@link Scope#SCHEMA}
     */
    public KeyAccess {
        if (scopes == null || scopes.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one scope; the scopes are "
                    + String.join(", ", names(EnumSet.allOf(Scope.class))));
        }
        scopes = Set.copyOf(EnumSet.copyOf(scopes));
        resourceTypes = resourceTypes == null ? Set.of() : Set.copyOf(resourceTypes);
        if (resourceTypes.size() > MAX_RESOURCE_TYPES) {
            throw new IllegalArgumentException("a key may be limited to at most " + MAX_RESOURCE_TYPES
                    + " resource types; " + resourceTypes.size() + " were given");
        }
        for (String type : resourceTypes) {
            Names.type("a key's resource", type);
        }
        if (!resourceTypes.isEmpty() && scopes.contains(Scope.SCHEMA)) {
            throw new IllegalArgumentException("a key limited to resource types cannot hold the `schema` scope:"
                    + " a schema change covers every type; make a separate key for schema writes");
        }
    }

    /** Access with the named scopes (e.g. {@code ["check", "read"]}) limited to {@code resourceTypes} (empty: all). */
    public static KeyAccess of(Collection<String> scopeNames, Collection<String> resourceTypes) {
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String name : scopeNames) {
            scopes.add(Scope.of(name));
        }
        return new KeyAccess(scopes, resourceTypes == null ? Set.of() : Set.copyOf(resourceTypes));
    }

    public boolean allows(Scope scope) {
        return scopes.contains(scope);
    }

    /** Whether the key may name any resource type. */
    public boolean allTypes() {
        return resourceTypes.isEmpty();
    }

    /** Whether the key may name {@code type} as a resource type. */
    public boolean allowsType(String type) {
        return resourceTypes.isEmpty() || resourceTypes.contains(type);
    }

    /** The scopes' names, in {@link Scope} order. */
    public Set<String> scopeNames() {
        return names(scopes);
    }

    private static Set<String> names(Collection<Scope> scopes) {
        Set<String> out = new java.util.LinkedHashSet<>();
        EnumSet.copyOf(scopes).forEach(s -> out.add(s.wireName()));
        return out;
    }

    /** The resource types, sorted. */
    public Set<String> sortedResourceTypes() {
        return new TreeSet<>(resourceTypes);
    }
}
