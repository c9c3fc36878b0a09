package io.relata.schema;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An object type: its relations and permissions, each in schema order.
 *
 * @param name         the type name, with its {@code prefix/} if any
 * @param doc          its doc comment text, or ""
 * @param comments     the comments written before it, each whole and trimmed line by line
 *                     ({@link io.relata.schema.ast.Comments#before}), as SpiceDB's schema
 *                     reflection reports them
 * @param relations    relations by name
 * @param permissions  permissions by name
 */
public record ObjectDefinition(String name, String doc, List<String> comments, Map<String, Relation> relations,
        Map<String, Permission> permissions) {

    public ObjectDefinition {
        comments = List.copyOf(comments);
        relations = Collections.unmodifiableMap(new LinkedHashMap<>(relations));
        permissions = Collections.unmodifiableMap(new LinkedHashMap<>(permissions));
    }

    public Optional<Relation> relation(String name) {
        return Optional.ofNullable(relations.get(name));
    }

    public Optional<Permission> permission(String name) {
        return Optional.ofNullable(permissions.get(name));
    }

    /** True when {@code name} is a relation or a permission here. */
    public boolean has(String name) {
        return relations.containsKey(name) || permissions.containsKey(name);
    }
}
