package io.relata.engine.index;

import io.relata.schema.Schema;
import io.relata.store.ChangeSet;
import io.relata.store.Cursor;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipPage;
import io.relata.store.Revision;
import io.relata.store.RevisionUnavailableException;
import io.relata.store.SchemaVersion;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nested-group indexes of every tenant the engine has been asked about, and the indexer
 * that keeps them: a tenant's index is built from the store at its head revision on the first
 * question (and again after a schema change or when the change log it needs was collected),
 * then kept up to date from {@link TupleStore#changesSince} by a background thread every
 * {@link GroupIndexOptions#refreshInterval()} (which also drops expiring relationships expired
 * longer than {@link GroupIndexOptions#history()} ago), and on demand by a question at a revision it
 * has not applied yet (waiting at most {@link GroupIndexOptions#catchUpWait()}).
 *
 * <p>{@link #member} never answers from a state that differs from the data at the revision
 * asked about: see {@link TenantIndex}. Thread-safe.
 */
public final class GroupIndexes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupIndexes.class);
    private static final int PAGE = 5_000;
    private static final int CHANGES_PER_READ = 1_000;
    /** Change-log reads a question may make to catch the index up to its revision. */
    private static final int READS_PER_QUESTION = 4;
    /**
     * Groups one {@link #reach} may visit (under the index's read lock); past it the index answers
     * unknown and the engine's walk evaluates the arrow, which may need far fewer reads (the
     * subject directly in the group asked about, with a very wide graph of parents above it).
     */
    public static final int MAX_REACH_GROUPS = 10_000;

    private final TupleStore store;
    private final GroupIndexOptions options;
    private final BiFunction<String, SchemaVersion, Schema> compile;
    private final Map<String, TenantIndex> tenants = new ConcurrentHashMap<>();
    private final ScheduledExecutorService indexer;
    private final LongAdder answered = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private final LongAdder applied = new LongAdder();
    private final LongAdder reachAnswered = new LongAdder();
    private final LongAdder reachUnknown = new LongAdder();

    /**
     * @param compile the engine's schema compiler ({@code tenant, version -> schema}), so that a version
     *                is compiled once
     */
    public GroupIndexes(TupleStore store, GroupIndexOptions options, BiFunction<String, SchemaVersion, Schema> compile) {
        this.store = store;
        this.options = options;
        this.compile = compile;
        this.indexer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relata-group-indexer");
            t.setDaemon(true);
            return t;
        });
        long every = options.refreshInterval().toMillis();
        indexer.scheduleWithFixedDelay(this::refreshAll, every, every, TimeUnit.MILLISECONDS);
    }

    /** Whether {@code relation} of {@code type} is one the index holds when the schema has it. */
    public static boolean indexable(String type, io.relata.schema.Relation relation) {
        return TenantIndex.isRecursive(type, relation);
    }

    /**
     * Whether {@code subject} is in {@code type:group#relation} at {@code revision}, through
     * nested groups, as the engine's walk from that group would find it starting with
     * {@code depthLeft} levels left before the depth limit; {@link IndexAnswer#UNKNOWN} when
     * the index cannot prove it (see {@link RelationGraph}), does not hold that revision of the
     * tenant, is being built, or the options leave the tenant out.
     */
    public IndexAnswer member(String tenant, Revision revision, String type, String relation, String group,
            SubjectRef subject, int depthLeft) {
        Instant now = store.options().clock().instant();
        int maxVisits = maxVisits();
        IndexAnswer answer = ask(tenant, revision,
                index -> index.member(revision, type, relation, group, subject, depthLeft, now, maxVisits));
        if (answer == null || answer == IndexAnswer.UNKNOWN) {
            unknown.increment();
            return IndexAnswer.UNKNOWN;
        }
        answered.increment();
        return answer;
    }

    /**
     * Whether {@code relation} of {@code type} is an arrow's relation the index holds when the
     * schema has it (and an arrow follows it to its own permission, {@code parent->view} in
     * {@code view}).
     */
    public static boolean arrowIndexable(String type, io.relata.schema.Relation relation) {
        return TenantIndex.isArrowRelation(type, relation);
    }

    /**
     * The objects reached from {@code start} through the arrow relation {@code type#relation}
     * ({@code group#parent}) at {@code revision}, {@code start} first, then breadth first, each
     * with the objects its relationships of that relation name there (none: an empty list); or
     * empty when the index cannot answer: it does not hold that revision of the tenant, one of
     * them holds a relationship of that relation with a caveat, an expiration (not past) or a
     * subject other than a plain object of {@code type}, or they are more than
     * {@link #MAX_REACH_GROUPS} (or the index's relationship limit).
     */
    public Optional<Map<String, List<String>>> reach(String tenant, Revision revision, String type, String relation,
            java.util.Collection<String> start) {
        Instant now = store.options().clock().instant();
        int maxVisits = Math.min(MAX_REACH_GROUPS, maxVisits());
        Map<String, List<String>> out = ask(tenant, revision,
                index -> index.reach(revision, type, relation, start, now, maxVisits));
        if (out == null || out == TenantIndex.UNREACHED) {
            reachUnknown.increment();
            return Optional.empty();
        }
        reachAnswered.increment();
        return Optional.of(out);
    }

    private int maxVisits() {
        return (int) Math.min(Integer.MAX_VALUE, options.maxEdgesPerTenant() + 1);
    }

    /**
     * {@code question}'s answer from the tenant's index; when it is null (a revision not applied
     * yet) the index is caught up to {@code revision}, within the catch-up wait, and asked again.
     * Null when the index leaves the tenant out or still cannot answer.
     */
    private <T> T ask(String tenant, Revision revision, java.util.function.Function<TenantIndex, T> question) {
        if (!options.covers(tenant)) {
            return null;
        }
        TenantIndex index = tenants.computeIfAbsent(tenant, t -> {
            TenantIndex fresh = new TenantIndex(t);
            indexer.execute(() -> build(fresh));
            return fresh;
        });
        if (index.state() == TenantIndex.State.BUILDING) {
            waitFor(index);
        }
        T answer = question.apply(index);
        if (answer == null) {
            // Asked about a revision not applied yet: read the change log up to it, if no one else is.
            index.headSeen = Math.max(index.headSeen, revision.value());
            if (waitFor(index)) {
                try {
                    catchUp(index, revision.value());
                } catch (RuntimeException e) {
                    // The change log could not be read now: the walk answers this one (the background
                    // refresh tries again), rather than the check failing for the index's sake.
                    LOG.debug("group index of tenant {}: catching up to revision {} failed: {}", tenant,
                            revision.value(), e.toString());
                } finally {
                    index.updating.unlock();
                }
            }
            answer = question.apply(index);
        }
        return answer;
    }

    /** Takes the index's update lock within the catch-up wait; true if taken (the caller unlocks). */
    private boolean waitFor(TenantIndex index) {
        try {
            if (index.state() == TenantIndex.State.BUILDING) {
                // A build holds no lock the caller could wait on; poll briefly instead.
                long until = System.nanoTime() + options.catchUpWait().toNanos();
                while (index.state() == TenantIndex.State.BUILDING && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                return false;
            }
            return index.updating.tryLock(options.catchUpWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void build(TenantIndex index) {
        index.updating.lock();
        try {
            long started = System.nanoTime();
            Revision head = store.headRevision(index.tenant);
            Optional<SchemaVersion> version = store.readSchema(index.tenant, head);
            Map<String, RelationGraph> graphs = version.isEmpty() ? Map.of()
                    : TenantIndex.emptyGraphs(compile.apply(index.tenant, version.get()));
            long edges = 0;
            for (Map.Entry<String, RelationGraph> e : graphs.entrySet()) {
                int hash = e.getKey().indexOf('#');
                RelationshipFilter filter = RelationshipFilter.of(e.getKey().substring(0, hash), null,
                        e.getKey().substring(hash + 1));
                Cursor after = null;
                do {
                    RelationshipPage page = store.read(index.tenant, filter, head, after, PAGE);
                    for (Relationship r : page.relationships()) {
                        e.getValue().put(r, head.value());
                    }
                    long before = edges;
                    edges += page.relationships().size();
                    if (edges / 500_000 > before / 500_000) {
                        LOG.info("group index of tenant {}: building at revision {}, {} relationships read",
                                index.tenant, head, edges);
                    }
                    if (edges > options.maxEdgesPerTenant()) {
                        disable(index, "it would hold more than the limit of " + options.maxEdgesPerTenant()
                                + " relationships");
                        return;
                    }
                    after = page.next();
                } while (after != null);
            }
            index.install(graphs, head.value(), edges);
            index.caughtUpTo(head.value());
            index.lastBuildMillis = (System.nanoTime() - started) / 1_000_000;
            LOG.info("group index of tenant {} built at revision {}: {} relations, {} relationships, {} ms",
                    index.tenant, head, graphs.size(), edges, index.lastBuildMillis);
        } catch (RuntimeException e) {
            // The tenant stays unindexed (its checks walk the graph); the next question tries again.
            LOG.warn("group index of tenant {} could not be built: {}", index.tenant, e.toString());
            tenants.remove(index.tenant, index);
        } finally {
            index.updating.unlock();
        }
    }

    private void disable(TenantIndex index, String why) {
        index.disable(why);
        LOG.warn("group index of tenant {} turned off: {}; its checks walk the graph", index.tenant, why);
    }

    /**
     * Applies the change log after the index's revision, up to at least {@code target} (the
     * asking thread: at most {@link #READS_PER_QUESTION} reads of it, so that a question behind
     * a long backlog walks the graph rather than wait) or the head ({@code target} -1: the
     * background refresh). Holds {@code updating}.
     */
    private void catchUp(TenantIndex index, long target) {
        if (index.state() != TenantIndex.State.READY) {
            return;
        }
        int readsLeft = target >= 0 ? READS_PER_QUESTION : Integer.MAX_VALUE;
        if (target < 0) {
            // The background refresh: expiring relationships long expired count for no question any more.
            index.dropExpiredBefore(store.options().clock().instant().minus(options.history()));
        }
        try {
            while (readsLeft-- > 0) {
                List<ChangeSet> changes = store.changesSince(index.tenant, Revision.of(index.appliedUpTo()),
                        CHANGES_PER_READ);
                for (ChangeSet change : changes) {
                    if (!index.apply(change, options.maxEdgesPerTenant(), options.history().toMillis())) {
                        LOG.info("group index of tenant {}: the schema changed at revision {}; rebuilding",
                                index.tenant, change.revision());
                        rebuildLater(index);
                        return;
                    }
                    applied.increment();
                    if (index.state() == TenantIndex.State.DISABLED) {
                        LOG.warn("group index of tenant {} turned off: {}; its checks walk the graph",
                                index.tenant, index.disabledBecause);
                        return;
                    }
                }
                if (changes.size() < CHANGES_PER_READ) {
                    index.caughtUpTo(index.appliedUpTo());
                    return;
                }
                if (index.appliedUpTo() >= target && target >= 0) {
                    return;
                }
            }
        } catch (RevisionUnavailableException gone) {
            LOG.info("group index of tenant {}: the change log after revision {} was collected; rebuilding",
                    index.tenant, index.appliedUpTo());
            rebuildLater(index);
        }
    }

    private void rebuildLater(TenantIndex index) {
        index.invalidate();
        if (index.state() == TenantIndex.State.BUILDING) {
            indexer.execute(() -> build(index));
        }
    }

    private void refreshAll() {
        for (TenantIndex index : tenants.values()) {
            if (index.state() == TenantIndex.State.READY && index.updating.tryLock()) {
                try {
                    catchUp(index, -1);
                } catch (RuntimeException e) {
                    LOG.warn("group index of tenant {} could not read the change log: {}", index.tenant, e.toString());
                } finally {
                    index.updating.unlock();
                }
            }
        }
    }

    /** What the index of each tenant holds and how far behind it is. */
    public List<GroupIndexStats> stats() {
        List<GroupIndexStats> out = new ArrayList<>();
        long now = System.nanoTime();
        for (TenantIndex t : tenants.values()) {
            out.add(new GroupIndexStats(t.tenant, t.state().name().toLowerCase(java.util.Locale.ROOT),
                    t.appliedUpTo(), Math.max(0, t.headSeen - t.appliedUpTo()),
                    (now - t.caughtUpAtNanos) / 1e9, t.edges(), t.lastBuildMillis));
        }
        return out;
    }

    /** Membership questions ({@link #member}) the index answered (member or not). */
    public long answered() {
        return answered.sum();
    }

    /** Membership questions the index left to the graph walk. */
    public long unknown() {
        return unknown.sum();
    }

    /** Questions about an arrow's relation ({@link #reach}) the index answered. */
    public long reachAnswered() {
        return reachAnswered.sum();
    }

    /** Questions about an arrow's relation the index could not answer. */
    public long reachUnknown() {
        return reachUnknown.sum();
    }

    /** Revisions of the change log applied, over all tenants. */
    public long revisionsApplied() {
        return applied.sum();
    }

    @Override
    public void close() {
        indexer.shutdownNow();
    }

    // ---- lookups ----------------------------------------------------------------------------------

    private final LongAdder stepsAnswered = new LongAdder();
    private final LongAdder stepsLeft = new LongAdder();
    private final LongAdder arrowStepsAnswered = new LongAdder();
    private final LongAdder arrowStepsLeft = new LongAdder();
    private final LongAdder readsAnswered = new LongAdder();
    private final LongAdder readsLeft = new LongAdder();

    /**
     * One page of the lookup's reverse step {@code resourceType#relation} from
     * {@code subjectType:id[#subjectRelation]} for the ids given, at {@code revision}: exactly the
     * relationships, in the order and within the page, that {@link TupleStore#resourcesNaming(String,
     * Revision, String, String, String, String, java.util.Collection, Relationship, int)} would
     * return (the store's order is Java's string order for ASCII ids: PostgreSQL with a {@code C}
     * collation, the memory store), so that a lookup walks, orders and pages the same with and
     * without the index. The index gives the steps of a recursive relation from its own subject
     * set (one level of nesting, child to parent groups) and from plain subjects (the groups
     * naming a user directly), and of an arrow's relation ({@code group#parent}) from plain
     * objects of its type (one level: the groups whose {@code parent} is one of the ids, their
     * subgroups); empty when it cannot prove the page (another step, a caveated or unexpired
     * expiring relationship, or one the index does not follow, on a subject the page reaches, a
     * revision it does not hold, a tenant left out, an index being built): the walk then reads
     * the store.
     */
    public Optional<List<Relationship>> resourcesNaming(String tenant, Revision revision, String resourceType,
            String relation, String subjectType, String subjectRelation, List<String> subjectIds, Relationship after,
            int limit) {
        if (!store.ordersIdsAsJava()) {
            // The index's pages come in Java's order; the store's in its collation's: pages mixed from
            // the two could skip or repeat rows, so every page comes from the store.
            countStep(tenant, resourceType, relation, false);
            return Optional.empty();
        }
        Optional<List<Relationship>> rows = ask(tenant, revision, (index, now) -> index.resourcesNaming(revision,
                resourceType, relation, subjectType, subjectRelation, subjectIds, after, limit, now));
        countStep(tenant, resourceType, relation, rows.isPresent());
        return rows;
    }

    private void countStep(String tenant, String resourceType, String relation, boolean given) {
        (given ? stepsAnswered : stepsLeft).increment();
        TenantIndex index = tenants.get(tenant);
        if (index != null && index.holdsArrow(resourceType, relation)) {
            (given ? arrowStepsAnswered : arrowStepsLeft).increment();
        }
    }

    /**
     * The relationships of {@code type:id#relation} (a recursive relation) at {@code revision},
     * in no particular order, as {@link TupleStore#read} would give them: for lookup subjects.
     * Empty when the index cannot prove them: a caveated or unexpired expiring relationship,
     * or a subject set of another relation or type among them (the index does not keep
     * those), a revision it does not hold, a tenant left out, an index being built.
     */
    public Optional<List<Relationship>> relationshipsOf(String tenant, Revision revision, String type,
            String relation, String id) {
        Optional<List<Relationship>> rows = ask(tenant, revision,
                (index, now) -> index.relationshipsOf(revision, type, relation, id, now));
        (rows.isPresent() ? readsAnswered : readsLeft).increment();
        return rows;
    }

    /**
     * Asks {@code question} of the tenant's index at {@code revision}, catching the index up
     * first when it has not applied that revision (as {@link #member} does); the question
     * answers null for a revision not applied yet, empty for "cannot tell".
     */
    private <T> Optional<T> ask(String tenant, Revision revision,
            BiFunction<TenantIndex, Instant, Optional<T>> question) {
        Instant now = store.options().clock().instant();
        Optional<T> answer = ask(tenant, revision, index -> question.apply(index, now));
        return answer == null ? Optional.empty() : answer;
    }

    /** Pages of lookup reverse steps the index gave (see {@link #resourcesNaming}). */
    public long lookupStepsAnswered() {
        return stepsAnswered.sum();
    }

    /** Pages of lookup reverse steps the index left to the store. */
    public long lookupStepsLeft() {
        return stepsLeft.sum();
    }

    /** Of {@link #lookupStepsAnswered}, the pages of steps over an arrow's relation ({@code group#parent}). */
    public long arrowLookupStepsAnswered() {
        return arrowStepsAnswered.sum();
    }

    /**
     * Of {@link #lookupStepsLeft}, the pages of steps over an arrow's relation the index holds
     * (with its graph built) that it left to the store.
     */
    public long arrowLookupStepsLeft() {
        return arrowStepsLeft.sum();
    }

    /** Lookup subjects' reads of a group's relationships the index gave (see {@link #relationshipsOf}). */
    public long subjectReadsAnswered() {
        return readsAnswered.sum();
    }

    /** Lookup subjects' reads of a group's relationships the index left to the store. */
    public long subjectReadsLeft() {
        return readsLeft.sum();
    }
}
