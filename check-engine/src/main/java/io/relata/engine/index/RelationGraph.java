package io.relata.engine.index;

import io.relata.store.Relationship;
import io.relata.store.SubjectRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The relationships of one recursive relation {@code type#relation} (one that allows
 * {@code type#relation} as a subject), sorted by what the index may do with them:
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
 * <p>Each relationship is kept by its identity (resource, relation, subject), so a TOUCH that
 * changes its caveat or expiration moves it between the sets and a DELETE removes it
 * wherever it is. Not thread-safe: {@link TenantIndex} guards it.
 */
final class RelationGraph {

    /** Never expires. */
    private static final Instant FOREVER = Instant.MAX;

    private final String type;
    private final String relation;
    private final Map<String, Set<String>> children = new HashMap<>();
    private final Map<String, Set<String>> leaves = new HashMap<>();
    /** Group id to held-back subjects and when each stops counting (expires). */
    private final Map<String, Map<String, Instant>> heldBack = new HashMap<>();
    private long edges;

    RelationGraph(String type, String relation) {
        this.type = type;
        this.relation = relation;
    }

    long edges() {
        return edges;
    }

    /** Adds or replaces {@code r} (a relationship of this relation). */
    void put(Relationship r) {
        remove(r);
        String group = r.resource().id();
        SubjectRef s = r.subject();
        if (r.caveat() != null || r.expiresAt() != null) {
            add(heldBack, group, s.toString(), r.expiresAt() == null ? FOREVER : r.expiresAt());
        } else if (s.relation() == null) {
            add(leaves, group, s.toString());
        } else if (s.type().equals(type) && s.relation().equals(relation)) {
            add(children, group, s.id());
        } else {
            add(heldBack, group, s.toString(), FOREVER);
        }
    }

    /** Removes {@code r} (by identity) if it is held. */
    void remove(Relationship r) {
        String group = r.resource().id();
        SubjectRef s = r.subject();
        String text = s.toString();
        if (removeFrom(leaves, group, text)) {
            return;
        }
        if (s.relation() != null && s.type().equals(type) && s.relation().equals(relation)
                && removeFrom(children, group, s.id())) {
            return;
        }
        Map<String, Instant> held = heldBack.get(group);
        if (held != null && held.remove(text) != null) {
            edges--;
            if (held.isEmpty()) {
                heldBack.remove(group);
            }
        }
    }

    /**
     * Whether {@code subject} is in {@code group#relation}, possibly through nested groups, as
     * the engine's walk from {@code group} with no sub-result known would answer it, starting at
     * depth {@code maxDepth - depthLeft}. It follows the walk: breadth first, one batch per
     * level, a group met before not again, and a group that names the subject directly (or is
     * the subject's own set) not opened further. It is UNKNOWN if a group the walk opens holds
     * a relationship held back (and not expired at {@code now}), where the walk would go past
     * the depth limit (a group at level {@code k} with nesting edges makes the walk ask level
     * {@code k + 1}), or past {@code maxVisits} groups.
     */
    IndexAnswer member(String group, SubjectRef subject, int depthLeft, Instant now, int maxVisits) {
        if (subject.isWildcard()) {
            return IndexAnswer.UNKNOWN;
        }
        boolean selfSet = subject.relation() != null && subject.type().equals(type)
                && subject.relation().equals(relation);
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
                if (heldBackAt(g, now)) {
                    return IndexAnswer.UNKNOWN;
                }
                Set<String> nested = children.get(g);
                boolean names;
                if (selfSet) {
                    names = g.equals(subject.id()) || (nested != null && nested.contains(subject.id()));
                } else {
                    Set<String> members = direct == null ? null : leaves.get(g);
                    names = members != null && (members.contains(direct) || members.contains(wildcard));
                }
                if (names) {
                    found = true;
                    continue;
                }
                if (nested != null && !nested.isEmpty()) {
                    if (depth + 1 > depthLeft) {
                        return IndexAnswer.UNKNOWN;
                    }
                    for (String c : nested) {
                        if (visited.add(c)) {
                            next.add(c);
                        }
                    }
                    if (visited.size() > maxVisits) {
                        return IndexAnswer.UNKNOWN;
                    }
                }
            }
            level = next;
        }
        return found ? IndexAnswer.MEMBER : IndexAnswer.NOT_MEMBER;
    }

    private boolean heldBackAt(String group, Instant now) {
        Map<String, Instant> held = heldBack.get(group);
        if (held == null) {
            return false;
        }
        for (Instant until : held.values()) {
            if (until.isAfter(now)) {
                return true;
            }
        }
        return false;
    }

    private void add(Map<String, Set<String>> map, String group, String member) {
        if (map.computeIfAbsent(group, k -> new HashSet<>()).add(member)) {
            edges++;
        }
    }

    private void add(Map<String, Map<String, Instant>> map, String group, String member, Instant until) {
        if (map.computeIfAbsent(group, k -> new HashMap<>()).put(member, until) == null) {
            edges++;
        }
    }

    private boolean removeFrom(Map<String, Set<String>> map, String group, String member) {
        Set<String> set = map.get(group);
        if (set == null || !set.remove(member)) {
            return false;
        }
        edges--;
        if (set.isEmpty()) {
            map.remove(group);
        }
        return true;
    }
}
