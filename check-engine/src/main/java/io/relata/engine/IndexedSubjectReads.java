package io.relata.engine;

import io.relata.engine.index.GroupIndexes;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Relation;
import io.relata.schema.Schema;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reads of one lookup subjects that the nested-group index gives from memory instead of
 * the store: the relationships of a group over a recursive relation ({@code group:g#member}
 * allowing {@code group#member}), its direct members and nested groups, when the index holds
 * them all at the request's revision ({@link GroupIndexes#relationshipsOf}). Where it does not
 * (a caveated or expiring relationship, a subject set of another relation, a revision it does
 * not hold), {@link SubjectSets} reads the store as before. The relationships are the store's,
 * so the subjects found, their caveats and the depth at which the walk stops are the same.
 * One per request; not thread-safe.
 */
final class IndexedSubjectReads {

    private final GroupIndexes index;
    private final String tenant;
    private final Revision revision;
    private final Schema schema;
    /** What the index gave, by {@code type:id#relation}: each is asked once per request. */
    private final Map<String, List<Relationship>> given = new HashMap<>();

    IndexedSubjectReads(GroupIndexes index, String tenant, Revision revision, Schema schema) {
        this.index = index;
        this.tenant = tenant;
        this.revision = revision;
        this.schema = schema;
    }

    /** The relationships of {@code type:id#relation} from the index, or null to read the store. */
    List<Relationship> get(String type, String id, String relation) {
        String key = type + ":" + id + "#" + relation;
        List<Relationship> known = given.get(key);
        if (known != null || !indexable(type, relation)) {
            return known;
        }
        List<Relationship> rows = index.relationshipsOf(tenant, revision, type, relation, id).orElse(null);
        if (rows != null) {
            given.put(key, rows);
        }
        return rows;
    }

    /** Of {@code ids}, those whose {@code type:id#relation} the index does not give (the store must). */
    List<String> notGiven(String type, Collection<String> ids, String relation) {
        if (!indexable(type, relation)) {
            return new ArrayList<>(ids);
        }
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            if (get(type, id, relation) == null) {
                out.add(id);
            }
        }
        return out;
    }

    private boolean indexable(String type, String relation) {
        ObjectDefinition definition = schema.definitions().get(type);
        Relation r = definition == null ? null : definition.relations().get(relation);
        return r != null && GroupIndexes.indexable(type, r);
    }
}
