package io.relata.engine;

import io.relata.store.ChangeSet;
import io.relata.store.Cursor;
import io.relata.store.DeleteResult;
import io.relata.store.GcResult;
import io.relata.store.Precondition;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipPage;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.SchemaVersion;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real store (it delegates every call) whose relationship reads can be held: while the
 * gate is shut, each read waits until it opens. A test shuts the gate to keep a
 * computation in flight for as long as it needs, without sleeping.
 */
final class GatedTupleStore implements TupleStore {

    private static final long WAIT_SECONDS = 30;

    private final TupleStore store;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final Semaphore held = new Semaphore(0);
    private final AtomicInteger heldReads = new AtomicInteger();
    private final AtomicInteger reads = new AtomicInteger();
    private volatile int shutAt;

    GatedTupleStore(TupleStore store) {
        this.store = store;
    }

    /** From now on, relationship reads wait until {@link #open}. */
    void shut() {
        gate = new CountDownLatch(1);
    }

    /** Lets every waiting read (and those after it) through. */
    void open() {
        gate.countDown();
    }

    /** Waits until a read is held at the shut gate; fails after 30 seconds. */
    void awaitHeldRead() throws InterruptedException {
        if (!held.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("no read reached the gate within " + WAIT_SECONDS + " s");
        }
    }

    /** Reads that were held at the gate so far. */
    int heldReads() {
        return heldReads.get();
    }

    /** Relationship reads made so far (held or not). */
    int reads() {
        return reads.get();
    }

    /** Lets {@code more} further relationship reads through, then shuts the gate for the next. */
    void shutAfter(int more) {
        shutAt = reads.get() + more + 1;
    }

    private void pass() {
        int n = reads.incrementAndGet();
        if (shutAt > 0 && n >= shutAt) {
            shutAt = 0;
            gate = new CountDownLatch(1);
        }
        CountDownLatch current = gate;
        if (current.getCount() == 0) {
            return;
        }
        heldReads.incrementAndGet();
        held.release();
        try {
            if (!current.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the gate stayed shut for " + WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at the gate", e);
        }
    }

    @Override
    public StoreOptions options() {
        return store.options();
    }

    @Override
    public boolean ordersIdsAsJava() {
        return store.ordersIdsAsJava();
    }

    @Override
    public boolean createTenant(String tenant) {
        return store.createTenant(tenant);
    }

    @Override
    public boolean tenantExists(String tenant) {
        return store.tenantExists(tenant);
    }

    @Override
    public Revision headRevision(String tenant) {
        return store.headRevision(tenant);
    }

    @Override
    public Revision oldestReadableRevision(String tenant) {
        return store.oldestReadableRevision(tenant);
    }

    @Override
    public Revision revisionAt(String tenant, Instant time) {
        return store.revisionAt(tenant, time);
    }

    @Override
    public Optional<Instant> committedAt(String tenant, Revision revision) {
        return store.committedAt(tenant, revision);
    }

    @Override
    public Revision write(String tenant, List<RelationshipUpdate> updates, List<Precondition> preconditions,
            Map<String, Object> metadata, io.relata.store.WriteValidator validator) {
        return store.write(tenant, updates, preconditions, metadata, validator);
    }

    @Override
    public DeleteResult delete(String tenant, RelationshipFilter filter, List<Precondition> preconditions, long limit,
            boolean allowPartial) {
        return store.delete(tenant, filter, preconditions, limit, allowPartial);
    }

    @Override
    public Revision bulkImport(String tenant, Iterator<Relationship> relationships, io.relata.store.WriteValidator validator) {
        return store.bulkImport(tenant, relationships, validator);
    }

    @Override
    public RelationshipPage read(String tenant, RelationshipFilter filter, Revision revision, Cursor after, int limit) {
        pass();
        return store.read(tenant, filter, revision, after, limit);
    }

    @Override
    public List<Relationship> subjectsOfPage(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation, int limit) {
        pass();
        return store.subjectsOfPage(tenant, revision, resourceType, resourceIds, relation, limit);
    }

    @Override
    public List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation) {
        pass();
        return store.subjectsOf(tenant, revision, resourceType, resourceIds, relation);
    }

    @Override
    public List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, Collection<String> relations) {
        pass();
        return store.subjectsOf(tenant, revision, resourceType, resourceIds, relations);
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds) {
        pass();
        return store.resourcesNaming(tenant, revision, resourceType, relation, subjectType, subjectRelation, subjectIds);
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds, Relationship after, int limit) {
        pass();
        return store.resourcesNaming(tenant, revision, resourceType, relation, subjectType, subjectRelation, subjectIds,
                after, limit);
    }

    @Override
    public Revision writeSchema(String tenant, String schemaText, io.relata.store.WriteValidator validator) {
        return store.writeSchema(tenant, schemaText, validator);
    }

    @Override
    public Optional<SchemaVersion> readSchema(String tenant, Revision revision) {
        return store.readSchema(tenant, revision);
    }

    @Override
    public List<ChangeSet> changesSince(String tenant, Revision after, int maxRevisions) {
        return store.changesSince(tenant, after, maxRevisions);
    }

    @Override
    public GcResult collectGarbage() {
        return store.collectGarbage();
    }

    @Override
    public void close() {
        store.close();
    }
}
