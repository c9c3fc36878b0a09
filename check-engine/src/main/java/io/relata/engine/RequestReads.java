package io.relata.engine;

import io.relata.store.Relationship;
import io.relata.store.Revision;
import io.relata.store.TupleStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The relationships one request has read at its revision, by object and relation, each read
 * once: from the shared {@link RelationshipCache} where another request read it at the same
 * revision, the rest in one store query per call however many objects and relations it asks
 * for. Remembers whether anything read expires, since results resting on it may stop holding
 * at the same revision and so must not be shared.
 *
 * <p>Not thread-safe: it belongs to one request (the evaluations of a lookup may share it).
 */
final class RequestReads {

    private final TupleStore store;
    private final String tenant;
    private final Revision revision;
    private RelationshipCache shared;
    private final Map<String, List<Relationship>> loaded = new HashMap<>();
    private boolean expiringRead;
    private int storeCalls;

    RequestReads(TupleStore store, String tenant, Revision revision) {
        this.store = store;
        this.tenant = tenant;
        this.revision = revision;
    }

    /** Reads through the shared cache (and fills it); null reads from the store only. */
    void readThrough(RelationshipCache cache) {
        this.shared = cache;
    }

    /** Store queries made so far. */
    int storeCalls() {
        return storeCalls;
    }

    /** Whether a relationship with an expiration has been read. */
    boolean expiringRead() {
        return expiringRead;
    }

    /** The relationships of {@code type:id#relation}, or null if they have not been read. */
    List<Relationship> get(String type, String id, String relation) {
        return loaded.get(key(type, relation, id));
    }

    /** The relationships of {@code relation} of each id, in id order; reads what was not read. */
    List<Relationship> of(String type, Collection<String> ids, String relation) {
        load(type, ids, Set.of(relation));
        List<Relationship> out = new ArrayList<>();
        for (String id : ids) {
            out.addAll(loaded.get(key(type, relation, id)));
        }
        return out;
    }

    /**
     * Reads the relations of those ids that were not all read before: from the shared cache
     * where another request read them at this revision, the rest in one store query.
     */
    void load(String type, Collection<String> ids, Set<String> relations) {
        Set<String> fresh = new HashSet<>();
        Set<String> missing = new LinkedHashSet<>();
        for (String id : ids) {
            for (String r : relations) {
                String key = key(type, r, id);
                if (!loaded.containsKey(key)) {
                    loaded.put(key, new ArrayList<>());
                    fresh.add(key);
                    missing.add(id);
                }
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        Instant now = store.options().clock().instant();
        if (shared != null) {
            missing.removeIf(id -> fromCache(type, id, relations, fresh, now));
            if (missing.isEmpty()) {
                return;
            }
        }
        storeCalls++;
        List<Relationship> rows = relations.size() == 1
                ? store.subjectsOf(tenant, revision, type, missing, relations.iterator().next())
                : store.subjectsOf(tenant, revision, type, missing, relations);
        for (Relationship row : rows) {
            String key = key(type, row.relation(), row.resource().id());
            if (fresh.contains(key)) {
                loaded.get(key).add(row);
                expiringRead |= row.expiresAt() != null;
            }
        }
        if (shared != null) {
            for (String id : missing) {
                for (String r : relations) {
                    String key = key(type, r, id);
                    if (fresh.contains(key)) {
                        shared.put(new RelationshipCache.Key(tenant, revision.value(), type, id, r),
                                List.copyOf(loaded.get(key)));
                    }
                }
            }
        }
    }

    /** Takes the fresh relations of {@code id} from the shared cache if it holds all of them; drops expired ones. */
    private boolean fromCache(String type, String id, Set<String> relations, Set<String> fresh, Instant now) {
        List<List<Relationship>> found = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (String r : relations) {
            String key = key(type, r, id);
            if (fresh.contains(key)) {
                List<Relationship> cached = shared.get(new RelationshipCache.Key(tenant, revision.value(), type, id, r));
                if (cached == null) {
                    return false;
                }
                found.add(cached);
                keys.add(key);
            }
        }
        for (int i = 0; i < keys.size(); i++) {
            for (Relationship row : found.get(i)) {
                if (row.expiresAt() == null) {
                    loaded.get(keys.get(i)).add(row);
                } else if (row.expiresAt().isAfter(now)) {
                    loaded.get(keys.get(i)).add(row);
                    expiringRead = true;
                }
            }
        }
        return true;
    }

    private static String key(String type, String relation, String id) {
        return type + "#" + relation + ":" + id;
    }
}
