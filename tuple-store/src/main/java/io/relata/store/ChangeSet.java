package io.relata.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one revision changed, for Watch: relationships written ({@code TOUCH}, which
 * creates report too) and deleted ({@code DELETE}), and whether the schema changed.
 *
 * @param revision       the revision
 * @param committedAt    when it committed
 * @param updates        the relationship changes, in the store's order
 * @param schemaChanged  true when this revision wrote a schema
 * @param metadata       the writer's transaction metadata (may be empty)
 */
public record ChangeSet(Revision revision, Instant committedAt, List<RelationshipUpdate> updates,
        boolean schemaChanged, Map<String, Object> metadata) {

    public ChangeSet {
        updates = List.copyOf(updates);
        metadata = metadata == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }
}
