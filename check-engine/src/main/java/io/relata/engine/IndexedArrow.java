package io.relata.engine;

import io.relata.engine.index.GroupIndexes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates a permission of the {@link ArrowPlan} shape ({@code view = member + parent->view})
 * on a batch of objects from the index's graph of the arrow's relation, instead of one level
 * of the graph at a time: the index gives every object reached from the batch through
 * {@code parent} at the revision, the rest of the union is evaluated over all of them as one
 * batch, and the permission on each object of the batch is the union of the rest over the
 * objects it reaches (the least fixed point the walk computes, cycles included).
 *
 * <p>It answers only when it can prove the walk would answer the same, and otherwise returns
 * null for the walk to run as before, having forgotten what it memoized: when the index cannot
 * answer (a revision it does not hold, a caveated or expiring {@code parent} relationship or one
 * to another type), when the walk would go past the depth limit (found by replaying the walk's
 * levels over the graph, with the objects the rest already grants and those known from the memo
 * or cache not opened further, as the walk does), or when evaluating the rest fails otherwise
 * than by the deadline. The rest is evaluated as deep as the walk's deepest level may be
 * ({@code depth} plus the objects reached outside the batch), so that if it stays within the
 * depth limit there, it does at every level the walk evaluates it on.
 */
final class IndexedArrow {

    /** Largest batch size times objects reached for which the union over each object's reach is computed. */
    private static final long MAX_WORK = 1_000_000;

    private IndexedArrow() {}

    /** The permission {@code type#name} for each of {@code ids}, or null to walk them. */
    static Map<String, Truth> evaluate(Evaluation ev, GroupIndexes index, String type, String name, List<String> ids,
            ArrowPlan plan, int depth) {
        Optional<Map<String, List<String>>> reached = index.reach(ev.tenant(), ev.revision(), type, plan.relation(), ids);
        if (reached.isEmpty()) {
            return null;
        }
        Map<String, List<String>> parents = reached.get();
        Set<String> batch = new LinkedHashSet<>(ids);
        if ((long) batch.size() * parents.size() > MAX_WORK) {
            return null;
        }
        int evalDepth = depth + parents.size() - batch.size();
        String self = ev.selfSet(type, name);
        Map<String, Truth> known = new HashMap<>();
        List<String> nodes = new ArrayList<>(parents.size());
        for (String node : parents.keySet()) {
            if (!batch.contains(node)) {
                Truth t = ev.known(type, name, node);
                if (t != null) {
                    known.put(node, t);
                }
            }
            if (!node.equals(self)) {
                nodes.add(node);
            }
        }
        Evaluation.Checkpoint checkpoint = ev.checkpoint();
        try {
            ev.preload(type, nodes);
            Map<String, Truth> rest = ev.union(type, nodes, plan.pre(), evalDepth);
            if (self != null && parents.containsKey(self)) {
                rest.put(self, Truth.TRUE);
            }
            List<List<String>> levels = walkLevels(ev.maxDepth(), depth, batch, parents, rest, known);
            if (levels == null) {
                ev.restore(checkpoint);
                return null;
            }
            if (!plan.post().isEmpty()) {
                List<String> open = new ArrayList<>();
                for (String node : nodes) {
                    if (!rest.get(node).isTrue()) {
                        open.add(node);
                    }
                }
                if (!open.isEmpty()) {
                    ev.union(type, open, plan.post(), evalDepth).forEach((id, t) -> rest.merge(id, t, Truth::or));
                }
            }
            Map<String, Truth> out = new LinkedHashMap<>();
            for (String b : batch) {
                out.put(b, closure(b, parents, rest));
            }
            ev.release(checkpoint);
            if (!ev.cutOutsideFrame()) {
                rememberLikeTheWalk(ev, type, name, levels, parents, rest, known);
            }
            return out;
        } catch (EngineException e) {
            if (e.reason() == EngineException.Reason.DEADLINE_EXCEEDED) {
                ev.release(checkpoint);
                throw e;
            }
            ev.restore(checkpoint);
            return null;
        } catch (RuntimeException | Error e) {
            ev.release(checkpoint);
            throw e;
        }
    }

    /**
     * Replays the walk's levels: level 0 is the batch; an object the rest grants is not opened;
     * an open one with {@code parent} relationships makes the walk ask the next level, at one
     * more depth, for the objects it names not met before nor known. The levels, or null if a
     * level asked would be deeper than the limit (the walk fails there).
     */
    private static List<List<String>> walkLevels(int maxDepth, int depth, Set<String> batch,
            Map<String, List<String>> parents, Map<String, Truth> rest, Map<String, Truth> known) {
        Set<String> visited = new HashSet<>(batch);
        List<List<String>> levels = new ArrayList<>();
        List<String> level = new ArrayList<>(batch);
        for (int k = 0; !level.isEmpty(); k++) {
            levels.add(level);
            boolean asks = false;
            List<String> next = new ArrayList<>();
            for (String node : level) {
                List<String> up = parents.get(node);
                if (up.isEmpty() || rest.getOrDefault(node, Truth.FALSE).isTrue()) {
                    continue;
                }
                asks = true;
                for (String p : up) {
                    if (visited.add(p) && !known.containsKey(p)) {
                        next.add(p);
                    }
                }
            }
            if (asks && depth + k + 1 > maxDepth) {
                return null;
            }
            level = next;
        }
        return levels;
    }

    /**
     * Memoizes the permission on the objects the walk would have computed and kept: those of
     * every level below the batch whose frame no object of it or of a deeper level needed
     * while it was still being computed further up (a cycle back to a shallower level), as
     * {@link Evaluation#evaluate} keeps only values that did not rest on a provisional one.
     */
    private static void rememberLikeTheWalk(Evaluation ev, String type, String name, List<List<String>> levels,
            Map<String, List<String>> parents, Map<String, Truth> rest, Map<String, Truth> known) {
        Map<String, Integer> levelOf = new HashMap<>();
        for (int k = 0; k < levels.size(); k++) {
            for (String node : levels.get(k)) {
                levelOf.put(node, k);
            }
        }
        // lowestCut[k]: the shallowest level a cut from level k or deeper reaches.
        int[] lowestCut = new int[levels.size() + 1];
        lowestCut[levels.size()] = Integer.MAX_VALUE;
        for (int k = levels.size() - 1; k >= 0; k--) {
            int low = lowestCut[k + 1];
            for (String node : levels.get(k)) {
                if (rest.getOrDefault(node, Truth.FALSE).isTrue()) {
                    continue;
                }
                for (String p : parents.get(node)) {
                    Integer at = levelOf.get(p);
                    if (at != null && at <= k && !known.containsKey(p)) {
                        low = Math.min(low, at);
                    }
                }
            }
            lowestCut[k] = low;
        }
        for (int k = 1; k < levels.size(); k++) {
            if (lowestCut[k] >= k) {
                for (String node : levels.get(k)) {
                    ev.remember(type, name, node, closure(node, parents, rest));
                }
            }
        }
    }

    /** The union of {@code rest} over everything reached from {@code start}, itself included. */
    private static Truth closure(String start, Map<String, List<String>> parents, Map<String, Truth> rest) {
        Truth acc = Truth.FALSE;
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> queue = new ArrayDeque<>();
        seen.add(start);
        queue.add(start);
        while (!queue.isEmpty()) {
            String node = queue.poll();
            acc = acc.or(rest.getOrDefault(node, Truth.FALSE));
            if (acc.isTrue()) {
                return acc;
            }
            for (String p : parents.get(node)) {
                if (seen.add(p)) {
                    queue.add(p);
                }
            }
        }
        return acc;
    }
}
