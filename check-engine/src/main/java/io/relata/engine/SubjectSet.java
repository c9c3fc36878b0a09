package io.relata.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The subjects of one type that hold a relation, as lookup subjects reports them: concrete
 * subjects, and possibly a wildcard ("every subject of the type") with the subjects it
 * excludes; every entry carries a {@link Cav}. The operations are SpiceDB's subject set
 * algebra ({@code internal/datasets/basesubjectset.go}) step for step, so that results list
 * the same entries, exclusions and permissionships.
 */
final class SubjectSet {

    /** A found subject: its id, its caveat, and (for the wildcard) its exclusions. */
    record Found(String id, Cav cav, Map<String, Found> exclusions) {

        Found(String id, Cav cav) {
            this(id, cav, Map.of());
        }
    }

    private final TreeMap<String, Found> concrete = new TreeMap<>();
    private Found wildcard;

    static SubjectSet empty() {
        return new SubjectSet();
    }

    static SubjectSet of(String id, Cav cav) {
        SubjectSet s = new SubjectSet();
        s.add(new Found(id, cav));
        return s;
    }

    boolean isEmpty() {
        return concrete.isEmpty() && wildcard == null;
    }

    SubjectSet copy() {
        SubjectSet c = new SubjectSet();
        c.concrete.putAll(concrete);
        c.wildcard = wildcard;
        return c;
    }

    private List<Found> asList() {
        List<Found> out = new ArrayList<>(concrete.values());
        if (wildcard != null) {
            out.add(wildcard);
        }
        return out;
    }

    // ---- union ---------------------------------------------------------------------------------------

    void add(Found s) {
        if (s.id().equals("*")) {
            wildcard = unionWW(wildcard, s);
            for (Found c : concrete.values()) {
                wildcard = unionWC(wildcard, c);
            }
        } else {
            concrete.put(s.id(), unionCC(concrete.get(s.id()), s));
            wildcard = unionWC(wildcard, s);
        }
    }

    void unionWith(SubjectSet other) {
        for (Found s : other.asList()) {
            add(s);
        }
    }

    private static Found unionCC(Found e, Found a) {
        if (e == null) {
            return a;
        }
        if (a == null) {
            return e;
        }
        return new Found(e.id(), e.cav().scor(a.cav()));
    }

    private static Found unionWW(Found e, Found a) {
        if (e == null) {
            return a;
        }
        SubjectSet mine = fromExclusions(e);
        mine.intersectionDifference(fromExclusions(a));
        return new Found("*", e.cav().scor(a.cav()), mine.concreteMap());
    }

    private static Found unionWC(Found w, Found c) {
        if (w == null) {
            return null;
        }
        Map<String, Found> exclusions = new LinkedHashMap<>();
        for (Found x : w.exclusions().values()) {
            if (x.id().equals(c.id())) {
                if (!c.cav().unconditional()) {
                    exclusions.put(x.id(), new Found(x.id(), x.cav().and(c.cav().not())));
                }
            } else {
                exclusions.put(x.id(), x);
            }
        }
        return new Found("*", w.cav(), exclusions);
    }

    // ---- subtraction ---------------------------------------------------------------------------------

    void subtractAll(SubjectSet other) {
        for (Found r : other.asList()) {
            subtract(r);
        }
    }

    private void subtract(Found r) {
        if (r.id().equals("*")) {
            for (Found c : new ArrayList<>(concrete.values())) {
                setOrDelete(c.id(), subWfromC(c, r));
            }
            Found previous = wildcard;
            wildcard = null;
            if (previous != null && !(r.cav().unconditional() && r.exclusions().isEmpty())) {
                for (Found x : r.exclusions().values()) {
                    Found ex = previous.exclusions().get(x.id());
                    if (ex == null || !ex.cav().unconditional()) {
                        Cav cav = ex == null
                                ? previous.cav().and(r.cav()).and(x.cav())
                                : previous.cav().and(r.cav()).and(ex.cav().not()).and(x.cav());
                        concrete.put(x.id(), new Found(x.id(), cav));
                    }
                }
                // NOT of an absent caveat is absent, so an unconditional `r` leaves a caveated wildcard (as SpiceDB).
                Cav remaining = previous.cav().and(r.cav().not());
                if (!(previous.cav().unconditional() && r.cav().unconditional())) {
                    wildcard = new Found("*", remaining, previous.exclusions());
                }
            }
        } else {
            Found existing = concrete.get(r.id());
            if (existing != null) {
                setOrDelete(r.id(), r.cav().unconditional() ? null
                        : new Found(r.id(), existing.cav().and(r.cav().not())));
            }
            if (wildcard != null) {
                Map<String, Found> exclusions = new LinkedHashMap<>(wildcard.exclusions());
                Found x = exclusions.get(r.id());
                exclusions.put(r.id(), x == null ? new Found(r.id(), r.cav()) : new Found(r.id(), x.cav().scor(r.cav())));
                wildcard = new Found("*", wildcard.cav(), exclusions);
            }
        }
    }

    private static Found subWfromC(Found c, Found w) {
        Found x = w.exclusions().get(c.id());
        if (x == null) {
            return w.cav().unconditional() ? null : new Found(c.id(), c.cav().and(w.cav().not()));
        }
        if (x.cav().unconditional()) {
            return c;
        }
        return new Found(c.id(), c.cav().and(w.cav().not().or(x.cav())));
    }

    private void setOrDelete(String id, Found f) {
        if (f == null) {
            concrete.remove(id);
        } else {
            concrete.put(id, f);
        }
    }

    // ---- intersection --------------------------------------------------------------------------------

    void intersectionDifference(SubjectSet other) {
        Found ew = wildcard;
        Found ow = other.wildcard;
        wildcard = intersectWW(ew, ow);
        TreeMap<String, Found> updated = new TreeMap<>();
        for (Found c : concrete.values()) {
            Found both = other.concrete.containsKey(c.id())
                    ? new Found(c.id(), c.cav().and(other.concrete.get(c.id()).cav()))
                    : null;
            Found r = unionCC(both, intersectCW(c, ow));
            if (r != null) {
                updated.put(c.id(), r);
            }
        }
        if (ew != null) {
            for (Found oc : other.concrete.values()) {
                Found x = intersectCW(oc, ew);
                if (updated.containsKey(oc.id())) {
                    updated.put(oc.id(), unionCC(updated.get(oc.id()), x));
                } else if (x != null) {
                    updated.put(oc.id(), x);
                }
            }
        }
        concrete.clear();
        concrete.putAll(updated);
    }

    private static Found intersectWW(Found a, Found b) {
        if (a == null || b == null) {
            return null;
        }
        SubjectSet exclusions = new SubjectSet();
        a.exclusions().values().forEach(exclusions::add);
        b.exclusions().values().forEach(exclusions::add);
        return new Found("*", a.cav().and(b.cav()), exclusions.concreteMap());
    }

    private static Found intersectCW(Found c, Found w) {
        if (w == null) {
            return null;
        }
        Found x = w.exclusions().get(c.id());
        if (x == null) {
            return w.cav().unconditional() ? c : new Found(c.id(), c.cav().and(w.cav()));
        }
        if (x.cav().unconditional()) {
            return null;
        }
        return new Found(c.id(), c.cav().and(w.cav().and(x.cav().not())));
    }

    // ---- caveats on the way --------------------------------------------------------------------------

    /** Every entry also conditioned on the caveat of the relationship that led here (exclusions untouched). */
    SubjectSet withParentCaveat(Cav parent) {
        if (parent.unconditional()) {
            return this;
        }
        SubjectSet out = new SubjectSet();
        concrete.forEach((id, c) -> out.concrete.put(id, new Found(id, parent.and(c.cav()))));
        if (wildcard != null) {
            out.wildcard = new Found("*", parent.and(wildcard.cav()), wildcard.exclusions());
        }
        return out;
    }

    private static SubjectSet fromExclusions(Found wildcard) {
        SubjectSet s = new SubjectSet();
        wildcard.exclusions().values().forEach(s::add);
        return s;
    }

    private Map<String, Found> concreteMap() {
        return new LinkedHashMap<>(concrete);
    }

    // ---- results -------------------------------------------------------------------------------------

    /**
     * The API's view: each entry's caveat evaluated; those that evaluate to false dropped,
     * exclusions included.
     */
    List<SubjectResult> results() {
        List<SubjectResult> out = new ArrayList<>();
        if (wildcard != null && !wildcard.cav().truth().isFalse()) {
            List<LookupResult> excluded = new ArrayList<>();
            for (Found x : new TreeMap<>(wildcard.exclusions()).values()) {
                Truth t = x.cav().truth();
                if (!t.isFalse()) {
                    excluded.add(new LookupResult(x.id(), t.permissionship(), t.missingSorted()));
                }
            }
            Truth t = wildcard.cav().truth();
            out.add(new SubjectResult("*", t.permissionship(), t.missingSorted(), excluded));
        }
        for (Found c : concrete.values()) {
            Truth t = c.cav().truth();
            if (!t.isFalse()) {
                out.add(new SubjectResult(c.id(), t.permissionship(), t.missingSorted(), List.of()));
            }
        }
        return out;
    }
}
