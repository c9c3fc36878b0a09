package io.relata.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
import io.relata.store.WriteValidator;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link TupleStore} that times every call into the store it wraps
 * ({@code relata.store.calls}, by operation and outcome): store queries and their latency.
 */
final class MeteredTupleStore implements TupleStore {

    private final TupleStore store;
    private final MeterRegistry registry;

    MeteredTupleStore(TupleStore store, MeterRegistry registry) {
        this.store = store;
        this.registry = registry;
    }

    private <T> T timed(String operation, Supplier<T> call) {
        Timer.Sample sample = Timer.start(registry);
        String outcome = "error";
        try {
            T result = call.get();
            outcome = "ok";
            return result;
        } finally {
            sample.stop(registry.timer("relata.store.calls", "operation", operation, "outcome", outcome));
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
        return timed("createTenant", () -> store.createTenant(tenant));
    }

    @Override
    public boolean tenantExists(String tenant) {
        return timed("tenantExists", () -> store.tenantExists(tenant));
    }

    @Override
    public Revision headRevision(String tenant) {
        return timed("headRevision", () -> store.headRevision(tenant));
    }

    @Override
    public Revision oldestReadableRevision(String tenant) {
        return timed("oldestReadableRevision", () -> store.oldestReadableRevision(tenant));
    }

    @Override
    public Revision revisionAt(String tenant, Instant time) {
        return timed("revisionAt", () -> store.revisionAt(tenant, time));
    }

    @Override
    public Optional<Instant> committedAt(String tenant, Revision revision) {
        return timed("committedAt", () -> store.committedAt(tenant, revision));
    }

    @Override
    public Revision write(String tenant, List<RelationshipUpdate> updates, List<Precondition> preconditions,
            Map<String, Object> metadata, WriteValidator validator) {
        return timed("write", () -> store.write(tenant, updates, preconditions, metadata, validator));
    }

    @Override
    public DeleteResult delete(String tenant, RelationshipFilter filter, List<Precondition> preconditions, long limit,
            boolean allowPartial) {
        return timed("delete", () -> store.delete(tenant, filter, preconditions, limit, allowPartial));
    }

    @Override
    public Revision bulkImport(String tenant, Iterator<Relationship> relationships, WriteValidator validator) {
        return timed("bulkImport", () -> store.bulkImport(tenant, relationships, validator));
    }

    @Override
    public RelationshipPage read(String tenant, RelationshipFilter filter, Revision revision, Cursor after, int limit) {
        return timed("read", () -> store.read(tenant, filter, revision, after, limit));
    }

    @Override
    public List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation) {
        return timed("subjectsOf", () -> store.subjectsOf(tenant, revision, resourceType, resourceIds, relation));
    }

    @Override
    public List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, Collection<String> relations) {
        return timed("subjectsOf", () -> store.subjectsOf(tenant, revision, resourceType, resourceIds, relations));
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds) {
        return timed("resourcesNaming", () -> store.resourcesNaming(tenant, revision, resourceType, relation, subjectType,
                subjectRelation, subjectIds));
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds, Relationship after, int limit) {
        return timed("resourcesNaming", () -> store.resourcesNaming(tenant, revision, resourceType, relation, subjectType,
                subjectRelation, subjectIds, after, limit));
    }

    @Override
    public List<Relationship> subjectsOfPage(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation, int limit) {
        return timed("subjectsOfPage", () -> store.subjectsOfPage(tenant, revision, resourceType, resourceIds,
                relation, limit));
    }

    @Override
    public Revision writeSchema(String tenant, String schemaText, WriteValidator validator) {
        return timed("writeSchema", () -> store.writeSchema(tenant, schemaText, validator));
    }

    @Override
    public Optional<SchemaVersion> readSchema(String tenant, Revision revision) {
        return timed("readSchema", () -> store.readSchema(tenant, revision));
    }

    @Override
    public List<ChangeSet> changesSince(String tenant, Revision after, int maxRevisions) {
        return timed("changesSince", () -> store.changesSince(tenant, after, maxRevisions));
    }

    @Override
    public GcResult collectGarbage() {
        return timed("collectGarbage", store::collectGarbage);
    }

    @Override
    public void close() {
        store.close();
    }
}
