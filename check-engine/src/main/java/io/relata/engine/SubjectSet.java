package io.relata.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The subjects of one type that hold a relation, as lookup subjects reports them:
 * concrete subject ids, each TRUE or UNKNOWN (caveated), and possibly a wildcard ("every
 * subject of the type") with the ids it excludes, each exclusion TRUE or UNKNOWN. The
 * operations follow SpiceDB's subject set algebra, so results list the same entries.
 */
final class SubjectSet {

    final TreeMap<String, Truth> concrete = new TreeMap<>();
    Truth wildcard;
    final TreeMap<String, Truth> exclusions = new TreeMap<>();

    static SubjectSet empty() {
        return new SubjectSet();
    }

    SubjectSet copy() {
        SubjectSet c = new SubjectSet();
        c.concrete.putAll(concrete);
        c.wildcard = wildcard;
        c.exclusions.putAll(exclusions);
        return c;
    }

    boolean isEmpty() {
        return concrete.isEmpty() && wildcard == null;
    }

    /** Adds one subject ({@code *} for the wildcard) that holds with {@code truth}. */
    void add(String id, Truth truth) {
        if (truth.isFalse()) {
            return;
        }
        SubjectSet single = new SubjectSet();
        if (id.equals("*")) {
            single.wildcard = truth;
        } else {
            single.concrete.put(id, truth);
        }
        unionWith(single);
    }

    /** Every entry additionally conditioned on {@code condition} (a caveat on the way). */
    SubjectSet and(Truth condition) {
        if (condition.isTrue()) {
            return this;
        }
        SubjectSet out = new SubjectSet();
        if (condition.isFalse()) {
            return out;
        }
        concrete.forEach((id, t) -> out.concrete.put(id, t.and(condition)));
        if (wildcard != null) {
            out.wildcard = wildcard.and(condition);
            out.exclusions.putAll(exclusions);
        }
        return out;
    }

    /** The truth that {@code id} is in the set, through its concrete entry or the wildcard. */
    Truth holds(String id) {
        Truth viaConcrete = concrete.getOrDefault(id, Truth.FALSE);
        Truth viaWildcard = wildcard == null ? Truth.FALSE : wildcard.and(exclusions.getOrDefault(id, Truth.FALSE).not());
        return viaConcrete.or(viaWildcard);
    }

    void unionWith(SubjectSet other) {
        // A concrete subject added explicitly lifts (as far as it holds) its exclusion from our wildcard, and ours from theirs.
        TreeMap<String, Truth> mergedExclusions = new TreeMap<>();
        if (wildcard != null && other.wildcard != null) {
            // Excluded from the union only where excluded from both wildcards.
            for (Map.Entry<String, Truth> e : exclusions.entrySet()) {
                Truth theirs = other.exclusions.get(e.getKey());
                if (theirs != null) {
                    mergedExclusions.put(e.getKey(), e.getValue().and(theirs));
                }
            }
            wildcard = wildcard.or(other.wildcard);
        } else if (other.wildcard != null) {
            wildcard = other.wildcard;
            mergedExclusions.putAll(other.exclusions);
        } else {
            mergedExclusions.putAll(exclusions);
        }
        other.concrete.forEach((id, t) -> concrete.merge(id, t, Truth::or));
        exclusions.clear();
        if (wildcard != null) {
            for (Map.Entry<String, Truth> e : mergedExclusions.entrySet()) {
                Truth excluded = e.getValue().and(concrete.getOrDefault(e.getKey(), Truth.FALSE).not());
                if (!excluded.isFalse()) {
                    exclusions.put(e.getKey(), excluded);
                }
            }
        }
    }

    SubjectSet intersect(SubjectSet other) {
        SubjectSet out = new SubjectSet();
        for (Map.Entry<String, Truth> e : concrete.entrySet()) {
            Truth t = e.getValue().and(other.holds(e.getKey()));
            if (!t.isFalse()) {
                out.concrete.merge(e.getKey(), t, Truth::or);
            }
        }
        for (Map.Entry<String, Truth> e : other.concrete.entrySet()) {
            if (concrete.containsKey(e.getKey())) {
                continue;
            }
            Truth t = e.getValue().and(holds(e.getKey()));
            if (!t.isFalse()) {
                out.concrete.merge(e.getKey(), t, Truth::or);
            }
        }
        if (wildcard != null && other.wildcard != null) {
            out.wildcard = wildcard.and(other.wildcard);
            exclusions.forEach((id, t) -> out.exclusions.merge(id, t, Truth::or));
            other.exclusions.forEach((id, t) -> out.exclusions.merge(id, t, Truth::or));
            out.exclusions.keySet().removeIf(out.concrete::containsKey);
        }
        return out;
    }

    SubjectSet minus(SubjectSet other) {
        SubjectSet out = new SubjectSet();
        for (Map.Entry<String, Truth> e : concrete.entrySet()) {
            Truth t = e.getValue().and(other.holds(e.getKey()).not());
            if (!t.isFalse()) {
                out.concrete.put(e.getKey(), t);
            }
        }
        if (wildcard != null) {
            if (other.wildcard == null) {
                out.wildcard = wildcard;
                out.exclusions.putAll(exclusions);
                other.concrete.forEach((id, t) -> out.exclusions.merge(id, t, Truth::or));
            } else {
                // (* - A) - (* - B): what B excluded and A did not; the wildcard stays only where theirs may not hold.
                Truth remaining = wildcard.and(other.wildcard.not());
                if (!remaining.isFalse()) {
                    out.wildcard = remaining;
                    out.exclusions.putAll(exclusions);
                    other.concrete.forEach((id, t) -> out.exclusions.merge(id, t, Truth::or));
                }
                for (Map.Entry<String, Truth> e : other.exclusions.entrySet()) {
                    String id = e.getKey();
                    if (out.concrete.containsKey(id)) {
                        continue;
                    }
                    Truth t = wildcard.and(exclusions.getOrDefault(id, Truth.FALSE).not()).and(e.getValue())
                            .and(other.concrete.getOrDefault(id, Truth.FALSE).not());
                    if (!t.isFalse()) {
                        out.concrete.put(id, t);
                    }
                }
            }
            out.exclusions.keySet().removeIf(out.concrete::containsKey);
        }
        return out;
    }

    /** The lookup results: the wildcard first (with its exclusions), then concrete ids in order. */
    List<SubjectResult> results() {
        List<SubjectResult> out = new ArrayList<>();
        if (wildcard != null && !wildcard.isFalse()) {
            List<LookupResult> excluded = new ArrayList<>();
            exclusions.forEach((id, t) -> {
                if (!t.isFalse()) {
                    excluded.add(new LookupResult(id, t.permissionship(), t.missing.stream().sorted().toList()));
                }
            });
            out.add(new SubjectResult("*", wildcard.permissionship(), wildcard.missing.stream().sorted().toList(),
                    excluded));
        }
        concrete.forEach((id, t) -> {
            if (!t.isFalse()) {
                out.add(new SubjectResult(id, t.permissionship(), t.missing.stream().sorted().toList(), List.of()));
            }
        });
        return out;
    }
}
