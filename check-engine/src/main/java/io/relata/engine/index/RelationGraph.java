package io.relata.engine.index;

import io.relata.store.Relationship;
import io.relata.store.SubjectRef;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The relationships of one recursive relation {@code type#relation} (one that allows
 * {@code type#relation} as a subject), with their recent history, sorted by what the index
 * may do with them:
 *
 * <ul>
 *   <li><b>children</b>: {@code g#relation@type:c#relation} without caveat or expiration, the
 *       nesting edges the closure follows;</li>
 *   <li><b>leaves</b>: {@code g#relation@user:alice} or {@code g#relation@user:*} without caveat or
 *       expiration, direct members;</li>
 *   <li><b>held back</b>: everything else (a caveat, an expiration, a subject set of another
 *       relation or type), which only the engine can evaluate. A group holding one of those
 *       (that has not expired) makes every question whose closure reaches it unknown.</li>
 * </ul>
 *
 * <p>Each relationship is kept by its identity (resource, relation, subject) as versions
 * {@code [from, until)} of revisions, as the store keeps them: a TOUCH closes the live version
 * and opens one (in the set its new caveat or expiration puts it in), a DELETE closes it. A
 * question at revision R sees the versions with {@code from <= R < until}. Closed versions are
 * dropped by {@link #forgetUntil}, oldest first, and expiring ones long expired by
 * {@link #dropExpiredBefore}. Not thread-safe: {@link TenantIndex} guards it.
 */
final class RelationGraph {

    private static final long LIVE = Long.MAX_VALUE;
    /** Never expires. */
    private static final Instant FOREVER = Instant.MAX;

    /** One version of a relationship; {@code until} is LIVE while it is. */
    private static final class Version {
        final long from;
        long until = LIVE;
        /** For held-back relationships: when it stops counting (its expiration). */
        final Instant expires;

        Version(long from, Instant expires) {
            this.from = from;
            this.expires = expires;
        }

        boolean visibleAt(long revision) {
            return from <= revision && revision < until;
        }
    }

    /** A closed version, to be dropped once no question may see it. */
    private record Closed(long until, Map<String, Map<String, List<Version>>> set, String group, String key,
            Version version) {}

    private final String type;
    private final String relation;
    /**
     * The relation of the subject sets that nest: {@code relation} for a recursive relation, null
     * for an arrow's relation ({@code group#parent@group:p}: plain subjects of this type nest, and
     * every other subject is held back).
     */
    private final String childRelation;
    /** Group id, then child group id. */
    private final Map<String, Map<String, List<Version>>> children = new HashMap<>();
    /** Group id, then subject ({@code user:ann}, {@code user:*}). */
    private final Map<String, Map<String, List<Version>>> leaves = new HashMap<>();
    /** Group id, then subject. */
    private final Map<String, Map<String, List<Version>>> heldBack = new HashMap<>();
    private final ArrayDeque<Closed> closed = new ArrayDeque<>();
    /** Held-back versions with an expiration, soonest first, to be dropped once long expired. */
    private final java.util.PriorityQueue<Closed> expiring = new java.util.PriorityQueue<>(
            java.util.Comparator.comparing((Closed c) -> c.version().expires));
    private long versions;
    /**
     * The same version lists the other way round, for lookups ({@link #resourcesNaming}):
     * child id, then group id, of {@link #children}; subject, then group id, of {@link #leaves}
     * and of {@link #heldBack}. Sorted by group id, the store's page order.
     */
    private final Map<String, java.util.TreeMap<String, List<Version>>> parents = new HashMap<>();
    private final Map<String, java.util.TreeMap<String, List<Version>>> groupsOfLeaf = new HashMap<>();
    private final Map<String, java.util.TreeMap<String, List<Version>>> groupsOfHeldBack = new HashMap<>();

    RelationGraph(String type, String relation) {
        this(type, relation, relation);
    }

    private RelationGraph(String type, String relation, String childRelation) {
        this.type = type;
        this.relation = relation;
        this.childRelation = childRelation;
    }

    /**
     * The graph of an arrow's relation ({@code group#parent} allowing {@code group}): the edges
     * {@code g#parent@group:p} without caveat or expiration are children; anything else is held back.
     */
    static RelationGraph ofArrow(String type, String relation) {
        return new RelationGraph(type, relation, null);
    }

    /**
     * The groups {@code start} and everything reached from them through children at
     * {@code revision}, each with its children there (in the order met, breadth first), or
     * null when one of them holds a relationship held back (and not expired at {@code now}) or
     * more than {@code maxVisits} groups are reached.
     */
    Map<String, List<String>> reach(java.util.Collection<String> start, long revision, Instant now, int maxVisits) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        ArrayDeque<String> queue = new ArrayDeque<>();
        for (String g : start) {
            if (!out.containsKey(g)) {
                out.put(g, List.of());
                queue.add(g);
            }
        }
        while (!queue.isEmpty()) {
            String g = queue.poll();
            if (heldBackAt(g, revision, now)) {
                return null;
            }
            Map<String, List<Version>> nested = children.get(g);
            if (nested == null) {
                continue;
            }
            List<String> kids = new ArrayList<>(nested.size());
            for (String child : nested.keySet()) {
                if (visible(nested, child, revision) != null) {
                    kids.add(child);
                    if (!out.containsKey(child)) {
                        out.put(child, List.of());
                        queue.add(child);
                        if (out.size() > maxVisits) {
                            return null;
                        }
                    }
                }
            }
            if (!kids.isEmpty()) {
                out.put(g, kids);
            }
        }
        return out;
    }

    /** Whether this is an arrow's relation ({@link #ofArrow}). */
    boolean arrow() {
        return childRelation == null;
    }

    /** Versions held, live and closed. */
    long edges() {
        return versions;
    }

    /** Writes {@code r} (a relationship of this relation) at {@code revision}, replacing a live version. */
    void put(Relationship r, long revision) {
        remove(r, revision);
        String group = r.resource().id();
        SubjectRef s = r.subject();
        if (r.caveat() != null || r.expiresAt() != null) {
            open(heldBack, group, s.toString(), revision, r.expiresAt() == null ? FOREVER : r.expiresAt());
        } else if (isChild(s)) {
            open(children, group, s.id(), revision, null);
        } else if (s.relation() == null && childRelation != null) {
            open(leaves, group, s.toString(), revision, null);
        } else {
            open(heldBack, group, s.toString(), revision, FOREVER);
        }
    }

    /** Deletes {@code r} (by identity) at {@code revision}, if it is live. */
    void remove(Relationship r, long revision) {
        String group = r.resource().id();
        SubjectRef s = r.subject();
        String text = s.toString();
        if (close(leaves, group, text, revision) || close(heldBack, group, text, revision)) {
            return;
        }
        if (isChild(s)) {
            close(children, group, s.id(), revision);
        }
    }

    /** Drops the versions closed at or before {@code revision}: no question before it is answered any more. */
    void forgetUntil(long revision) {
        while (!closed.isEmpty() && closed.peekFirst().until() <= revision) {
            drop(closed.pollFirst());
        }
    }

    /**
     * Drops the held-back versions (live or closed) that expired before {@code cutoff}: an
     * expired relationship counts for no question at any revision (questions compare expirations
     * with the clock's present, which is past {@code cutoff}), and the store collects such rows
     * without a change-log entry that would close them.
     */
    void dropExpiredBefore(Instant cutoff) {
        while (!expiring.isEmpty() && expiring.peek().version().expires.isBefore(cutoff)) {
            drop(expiring.poll());
        }
        if (expiring.size() > 2 * versions + 1_024) {
            // Mostly versions forgetUntil already dropped (renewed expirations): forget those too.
            expiring.removeIf(c -> !holds(c));
        }
    }

    private static boolean holds(Closed c) {
        Map<String, List<Version>> bySubject = c.set().get(c.group());
        List<Version> list = bySubject == null ? null : bySubject.get(c.key());
        return list != null && list.contains(c.version());
    }

    private void drop(Closed c) {
        Map<String, List<Version>> bySubject = c.set().get(c.group());
        List<Version> list = bySubject == null ? null : bySubject.get(c.key());
        if (list != null && list.remove(c.version())) {
            versions--;
            if (list.isEmpty()) {
                bySubject.remove(c.key());
                unreverse(c.set(), c.key(), c.group());
                if (bySubject.isEmpty()) {
                    c.set().remove(c.group());
                }
            }
        }
    }

    private boolean isChild(SubjectRef s) {
        return !s.isWildcard() && s.type().equals(type) && java.util.Objects.equals(s.relation(), childRelation);
    }

    private void open(Map<String, Map<String, List<Version>>> set, String group, String key, long revision,
            Instant expires) {
        Version version = new Version(revision, expires);
        set.computeIfAbsent(group, k -> new HashMap<>()).computeIfAbsent(key, k -> {
            List<Version> list = new ArrayList<>(1);
            reverse(set).computeIfAbsent(k, x -> new java.util.TreeMap<>()).put(group, list);
            return list;
        }).add(version);
        versions++;
        if (expires != null && !expires.equals(FOREVER)) {
            expiring.add(new Closed(LIVE, set, group, key, version));
        }
    }

    private boolean close(Map<String, Map<String, List<Version>>> set, String group, String key, long revision) {
        Map<String, List<Version>> bySubject = set.get(group);
        List<Version> list = bySubject == null ? null : bySubject.get(key);
        if (list == null || list.isEmpty()) {
            return false;
        }
        Version last = list.get(list.size() - 1);
        if (last.until != LIVE) {
            return false;
        }
        last.until = revision;
        closed.addLast(new Closed(revision, set, group, key, last));
        return true;
    }

    private static Version visible(Map<String, List<Version>> bySubject, String key, long revision) {
        List<Version> list = bySubject == null ? null : bySubject.get(key);
        if (list != null) {
            for (int i = list.size() - 1; i >= 0; i--) {
                if (list.get(i).visibleAt(revision)) {
                    return list.get(i);
                }
            }
        }
        return null;
    }

    /**
     * Whether {@code subject} is in {@code group#relation} at {@code revision}, possibly through
     * nested groups, as the engine's walk from {@code group} with no sub-result known would
     * answer it, starting at depth {@code maxDepth - depthLeft}. It follows the walk: breadth
     * first, one batch per level, a group met before not again, and a group that names the
     * subject directly (or is the subject's own set) not opened further. It is UNKNOWN if a
     * group the walk opens holds a relationship held back (and not expired at {@code now}),
     * where the walk would go past the depth limit (a group at level {@code k} with nesting
     * edges makes the walk ask level {@code k + 1}), or past {@code maxVisits} groups.
     */
    IndexAnswer member(String group, SubjectRef subject, long revision, int depthLeft, Instant now, int maxVisits) {
        if (subject.isWildcard()) {
            return IndexAnswer.UNKNOWN;
        }
        boolean selfSet = isChild(subject);
        String direct = subject.relation() == null ? subject.toString() : null;
        String wildcard = subject.relation() == null ? SubjectRef.wildcard(subject.type()).toString() : null;
        if (selfSet && group.equals(subject.id())) {
            return IndexAnswer.MEMBER;
        }
        Set<String> visited = new HashSet<>();
        visited.add(group);
        List<String> level = List.of(group);
        boolean found = false;
        for (int depth = 0; !level.isEmpty(); depth++) {
            List<String> next = new ArrayList<>();
            for (String g : level) {
                if (heldBackAt(g, revision, now)) {
                    return IndexAnswer.UNKNOWN;
                }
                Map<String, List<Version>> nested = children.get(g);
                boolean names;
                if (selfSet) {
                    names = g.equals(subject.id()) || visible(nested, subject.id(), revision) != null;
                } else {
                    Map<String, List<Version>> members = direct == null ? null : leaves.get(g);
                    names = members != null && (visible(members, direct, revision) != null
                            || visible(members, wildcard, revision) != null);
                }
                if (names) {
                    found = true;
                    continue;
                }
                if (nested == null) {
                    continue;
                }
                boolean any = false;
                for (Map.Entry<String, List<Version>> e : nested.entrySet()) {
                    if (visible(nested, e.getKey(), revision) == null) {
                        continue;
                    }
                    if (!any) {
                        any = true;
                        if (depth + 1 > depthLeft) {
                            return IndexAnswer.UNKNOWN;
                        }
                    }
                    if (visited.add(e.getKey())) {
                        next.add(e.getKey());
                    }
                }
                if (visited.size() > maxVisits) {
                    return IndexAnswer.UNKNOWN;
                }
            }
            level = next;
        }
        return found ? IndexAnswer.MEMBER : IndexAnswer.NOT_MEMBER;
    }

    private boolean heldBackAt(String group, long revision, Instant now) {
        Map<String, List<Version>> held = heldBack.get(group);
        if (held == null) {
            return false;
        }
        for (String key : held.keySet()) {
            Version v = visible(held, key, revision);
            if (v != null && v.expires.isAfter(now)) {
                return true;
            }
        }
        return false;
    }

    // ---- lookups: the reverse step from memory ------------------------------------------------------

    private Map<String, java.util.TreeMap<String, List<Version>>> reverse(Map<String, Map<String, List<Version>>> set) {
        return set == children ? parents : set == leaves ? groupsOfLeaf : groupsOfHeldBack;
    }

    private void unreverse(Map<String, Map<String, List<Version>>> set, String key, String group) {
        Map<String, java.util.TreeMap<String, List<Version>>> reverse = reverse(set);
        java.util.TreeMap<String, List<Version>> groups = reverse.get(key);
        if (groups != null) {
            groups.remove(group);
            if (groups.isEmpty()) {
                reverse.remove(key);
            }
        }
    }

    /**
     * One page of the reverse step of this relation at {@code revision}: the relationships
     * {@code type:g#relation@subjectType:id[#subjectRelation]} for an id of {@code subjectIds},
     * exactly as {@link io.relata.store.TupleStore#resourcesNaming(String, io.relata.store.Revision,
     * String, String, String, String, java.util.Collection, Relationship, int)} returns them (ordered
     * by subject id, then group id, in Java's string order, which is the store's for ASCII ids
     * in a byte-order collation; after {@code after}; at most {@code limit}). Of a recursive
     * relation, two steps are held: from its own subject set (the nesting edges,
     * {@code subjectRelation} equal to this relation on this type, read from {@link #parents})
     * and from plain subjects ({@code subjectRelation} empty, read from {@link #groupsOfLeaf}).
     * Of an arrow's relation ({@link #ofArrow}), the step from plain subjects: from plain
     * objects of this type, its edges {@code g#parent@type:p} (the groups whose parent is
     * {@code p}, read from {@link #parents}, the reverse of its edges), and from plain subjects
     * of another type, which it holds back (so a page reaching one is not given). Null when the
     * index cannot give the store's page: another step, or a subject the page reaches is named
     * by a held-back relationship (caveated, or expiring and not expired at {@code now}, or a
     * subject the graph does not follow), which the store would return as it is.
     */
    List<Relationship> resourcesNaming(String subjectType, String subjectRelation, List<String> subjectIds,
            Relationship after, int limit, long revision, Instant now) {
        boolean plain = subjectRelation == null || subjectRelation.isEmpty();
        if (arrow() ? !plain : !plain && !(subjectType.equals(type) && subjectRelation.equals(relation))) {
            return null;
        }
        // The nesting edges, keyed by the subject's id: a recursive relation's subject sets, an arrow's plain objects.
        boolean nesting = arrow() ? subjectType.equals(type) : !plain;
        List<String> ids = sortedDistinct(subjectIds);
        int start = 0;
        if (after != null) {
            int at = java.util.Collections.binarySearch(ids, after.subject().id());
            start = at >= 0 ? at : -at - 1;
        }
        List<Relationship> out = new ArrayList<>();
        for (int i = start; i < ids.size() && out.size() < limit; i++) {
            String id = ids.get(i);
            SubjectRef subject = new SubjectRef(subjectType, id, plain ? null : subjectRelation);
            String text = subject.toString();
            java.util.TreeMap<String, List<Version>> held = groupsOfHeldBack.get(text);
            if (held != null) {
                for (List<Version> list : held.values()) {
                    Version v = visibleIn(list, revision);
                    if (v != null && v.expires.isAfter(now)) {
                        return null;
                    }
                }
            }
            java.util.TreeMap<String, List<Version>> groups = nesting ? parents.get(id) : groupsOfLeaf.get(text);
            if (groups == null) {
                continue;
            }
            java.util.SortedMap<String, List<Version>> range = after != null && id.equals(after.subject().id())
                    ? groups.tailMap(after.resource().id(), false) : groups;
            for (Map.Entry<String, List<Version>> e : range.entrySet()) {
                if (visibleIn(e.getValue(), revision) != null) {
                    out.add(Relationship.of(new io.relata.store.ObjectRef(type, e.getKey()), relation, subject));
                    if (out.size() == limit) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    private static Version visibleIn(List<Version> list, long revision) {
        for (int i = list.size() - 1; i >= 0; i--) {
            if (list.get(i).visibleAt(revision)) {
                return list.get(i);
            }
        }
        return null;
    }

    private static List<String> sortedDistinct(List<String> ids) {
        for (int i = 1; i < ids.size(); i++) {
            if (ids.get(i - 1).compareTo(ids.get(i)) >= 0) {
                return new ArrayList<>(new java.util.TreeSet<>(ids));
            }
        }
        return ids;
    }

    /**
     * The relationships of {@code type:group#relation} visible at {@code revision}: its direct
     * members and its nesting edges, in no particular order; null if it holds a held-back
     * relationship at that revision (caveated, or expiring after {@code now}; one expired by
     * then the store does not return either), or if this is an arrow's relation.
     */
    List<Relationship> relationshipsOf(String group, long revision, Instant now) {
        if (arrow()) {
            // Its edges are plain objects, not subject sets of this relation: not what this reads.
            return null;
        }
        Map<String, List<Version>> held = heldBack.get(group);
        if (held != null) {
            for (List<Version> list : held.values()) {
                Version v = visibleIn(list, revision);
                if (v != null && v.expires.isAfter(now)) {
                    return null;
                }
            }
        }
        List<Relationship> out = new ArrayList<>();
        io.relata.store.ObjectRef resource = new io.relata.store.ObjectRef(type, group);
        Map<String, List<Version>> direct = leaves.get(group);
        if (direct != null) {
            for (Map.Entry<String, List<Version>> e : direct.entrySet()) {
                if (visibleIn(e.getValue(), revision) != null) {
                    out.add(Relationship.of(resource, relation, SubjectRef.parse(e.getKey())));
                }
            }
        }
        Map<String, List<Version>> nested = children.get(group);
        if (nested != null) {
            for (Map.Entry<String, List<Version>> e : nested.entrySet()) {
                if (visibleIn(e.getValue(), revision) != null) {
                    out.add(Relationship.of(resource, relation, new SubjectRef(type, e.getKey(), relation)));
                }
            }
        }
        return out;
    }
}
