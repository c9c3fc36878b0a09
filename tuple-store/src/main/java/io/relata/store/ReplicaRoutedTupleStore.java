package io.relata.store;

import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A primary store with a read replica of it (a PostgreSQL streaming replica): a read at
 * revision R goes to the replica once the replica has replayed R, otherwise to the primary.
 * Everything else (writes, head revisions and so {@code fullyConsistent}, history, garbage
 * collection, tenants) goes to the primary.
 *
 * <p>The replica has replayed R when its own head revision of the tenant is at least R: the
 * head row commits in the same transaction as the rows written at its revision, so a replica
 * that shows head R has every row of R. The replica's last seen head of each tenant is kept;
 * the replica is asked again only for a revision newer than that. A replica that cannot
 * answer (down, or not yet knowing the tenant) sends the read to the primary. Reads never see
 * less than they would on the primary.
 */
public final class ReplicaRoutedTupleStore implements TupleStore {

    private static final int MAX_TENANTS = 10_000;

    private final TupleStore primary;
    private final TupleStore replica;
    private final Map<String, Revision> replayed = new ConcurrentHashMap<>();
    private final AtomicLong replicaReads = new AtomicLong();
    private final AtomicLong primaryReads = new AtomicLong();

    public ReplicaRoutedTupleStore(TupleStore primary, TupleStore replica) {
        this.primary = primary;
        this.replica = replica;
    }

    /** Reads at a revision the replica served. */
    public long replicaReads() {
        return replicaReads.get();
    }

    /** Reads at a revision that went to the primary, the replica being behind or unreachable. */
    public long primaryReads() {
        return primaryReads.get();
    }

    /** Where a read of {@code tenant} at {@code revision} goes. */
    private TupleStore at(String tenant, Revision revision) {
        Revision known = replayed.get(tenant);
        if (known == null || known.compareTo(revision) < 0) {
            try {
                known = replica.headRevision(tenant);
            } catch (StoreException e) {
                primaryReads.incrementAndGet();
                return primary;
            }
            if (replayed.size() >= MAX_TENANTS) {
                replayed.clear();
            }
            replayed.merge(tenant, known, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
        if (known.compareTo(revision) >= 0) {
            replicaReads.incrementAndGet();
            return replica;
        }
        primaryReads.incrementAndGet();
        return primary;
    }

    @Override
    public StoreOptions options() {
        return primary.options();
    }

    /** {@inheritDoc} The primary's answer (a replica has the primary's collation). */
    @Override
    public boolean ordersIdsAsJava() {
        return primary.ordersIdsAsJava();
    }

    @Override
    public boolean createTenant(String tenant) {
        return primary.createTenant(tenant);
    }

    @Override
    public boolean tenantExists(String tenant) {
        return primary.tenantExists(tenant);
    }

    @Override
    public Revision headRevision(String tenant) {
        return primary.headRevision(tenant);
    }

    @Override
    public Revision oldestReadableRevision(String tenant) {
        return primary.oldestReadableRevision(tenant);
    }

    @Override
    public Revision revisionAt(String tenant, Instant time) {
        return primary.revisionAt(tenant, time);
    }

    @Override
    public Optional<Instant> committedAt(String tenant, Revision revision) {
        return primary.committedAt(tenant, revision);
    }

    @Override
    public Revision write(String tenant, List<RelationshipUpdate> updates, List<Precondition> preconditions,
            Map<String, Object> metadata, WriteValidator validator) {
        return primary.write(tenant, updates, preconditions, metadata, validator);
    }

    @Override
    public DeleteResult delete(String tenant, RelationshipFilter filter, List<Precondition> preconditions, long limit,
            boolean allowPartial) {
        return primary.delete(tenant, filter, preconditions, limit, allowPartial);
    }

    @Override
    public Revision bulkImport(String tenant, Iterator<Relationship> relationships, WriteValidator validator) {
        return primary.bulkImport(tenant, relationships, validator);
    }

    @Override
    public RelationshipPage read(String tenant, RelationshipFilter filter, Revision revision, Cursor after, int limit) {
        return at(tenant, revision).read(tenant, filter, revision, after, limit);
    }

    @Override
    public List<Relationship> subjectsOfPage(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation, int limit) {
        return at(tenant, revision).subjectsOfPage(tenant, revision, resourceType, resourceIds, relation, limit);
    }

    @Override
    public List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation) {
        return at(tenant, revision).subjectsOf(tenant, revision, resourceType, resourceIds, relation);
    }

    @Override
    public List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, Collection<String> relations) {
        return at(tenant, revision).subjectsOf(tenant, revision, resourceType, resourceIds, relations);
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds) {
        return at(tenant, revision).resourcesNaming(tenant, revision, resourceType, relation, subjectType,
                subjectRelation, subjectIds);
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds, Relationship after, int limit) {
        return at(tenant, revision).resourcesNaming(tenant, revision, resourceType, relation, subjectType,
                subjectRelation, subjectIds, after, limit);
    }

    @Override
    public Revision writeSchema(String tenant, String schemaText, WriteValidator validator) {
        return primary.writeSchema(tenant, schemaText, validator);
    }

    @Override
    public Optional<SchemaVersion> readSchema(String tenant, Revision revision) {
        return at(tenant, revision).readSchema(tenant, revision);
    }

    @Override
    public List<ChangeSet> changesSince(String tenant, Revision after, int maxRevisions) {
        return primary.changesSince(tenant, after, maxRevisions);
    }

    @Override
    public GcResult collectGarbage() {
        return primary.collectGarbage();
    }

    @Override
    public void close() {
        try {
            replica.close();
        } finally {
            primary.close();
        }
    }
}
