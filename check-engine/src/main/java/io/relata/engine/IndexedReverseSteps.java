package io.relata.engine;

import io.relata.engine.index.GroupIndexes;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Relation;
import io.relata.schema.Schema;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import java.util.List;

/**
 * The reverse steps of one lookup resources that the nested-group index gives from memory
 * instead of the store: over a recursive relation ({@code group#member} allowing
 * {@code group#member}), the groups that name a user directly, and the parents of the groups
 * reached so far, one nesting level per step; over a self-typed arrow's relation
 * ({@code group#parent} under {@code view = member + parent->view}), the groups whose
 * {@code parent} is one of the groups reached so far, one level per step. Each page is the one the store would return
 * ({@link GroupIndexes#resourcesNaming}), so the walk's order, its candidates' exactness and
 * depth, and the cursors that replay it are the same with the index on, off, or answering
 * some pages and not others. Where the index cannot prove a page (a caveated or expiring
 * relationship, a revision it does not hold), it answers null and the walk reads the store.
 * One per request; not thread-safe.
 */
final class IndexedReverseSteps {

    private final GroupIndexes index;
    private final String tenant;
    private final Revision revision;
    private final Schema schema;

    IndexedReverseSteps(GroupIndexes index, String tenant, Revision revision, Schema schema) {
        this.index = index;
        this.tenant = tenant;
        this.revision = revision;
        this.schema = schema;
    }

    /**
     * The page {@link io.relata.store.TupleStore#resourcesNaming(String, Revision, String, String, String,
     * String, java.util.Collection, Relationship, int)} would return, or null to read the store.
     */
    List<Relationship> page(String resourceType, String relation, String subjectType, String subjectRelation,
            List<String> ids, Relationship after, int limit) {
        ObjectDefinition definition = schema.definitions().get(resourceType);
        Relation r = definition == null ? null : definition.relations().get(relation);
        if (r == null || !(GroupIndexes.indexable(resourceType, r) || GroupIndexes.arrowIndexable(resourceType, r))) {
            return null;
        }
        return index.resourcesNaming(tenant, revision, resourceType, relation, subjectType, subjectRelation, ids,
                after, limit).orElse(null);
    }
}
