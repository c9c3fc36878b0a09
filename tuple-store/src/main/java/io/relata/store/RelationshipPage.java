package io.relata.store;

import java.util.List;

/**
 * One page of a read.
 *
 * @param relationships  the relationships, in the store's order
 * @param next           where the next page starts, or null when this was the last
 */
public record RelationshipPage(List<Relationship> relationships, Cursor next) {

    public RelationshipPage {
        relationships = List.copyOf(relationships);
    }
}
