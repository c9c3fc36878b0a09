package io.relata.server;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
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
 * A {@link TupleStore} that makes a client span of every call into the store it wraps, made
 * inside a request's trace (a call outside any, such as garbage collection, makes none). The
 * span is named for the statement ({@code relationships.subjects}, {@code revision.head}, ...)
 * and carries the datastore's kind, never a parameter: no tenant, id, relation or value.
 */
final class TracingTupleStore implements TupleStore {

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("db.system.name");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("db.operation.name");

    private final TupleStore store;
    private final Tracer tracer;
    private final String system;

    /** @param system the datastore's kind, {@code postgresql} or {@code memory} */
    TracingTupleStore(TupleStore store, Tracer tracer, String system) {
        this.store = store;
        this.tracer = tracer;
        this.system = system;
    }

    private <T> T traced(String statement, Supplier<T> call) {
        if (!Span.current().getSpanContext().isValid()) {
            return call.get();
        }
        Span span = tracer.spanBuilder(statement).setSpanKind(SpanKind.CLIENT).setAttribute(SYSTEM, system)
                .setAttribute(OPERATION, statement).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return call.get();
        } catch (RuntimeException | Error e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
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
        return traced("tenant.create", () -> store.createTenant(tenant));
    }

    @Override
    public boolean tenantExists(String tenant) {
        return traced("tenant.exists", () -> store.tenantExists(tenant));
    }

    @Override
    public Revision headRevision(String tenant) {
        return traced("revision.head", () -> store.headRevision(tenant));
    }

    @Override
    public Revision oldestReadableRevision(String tenant) {
        return traced("revision.oldest", () -> store.oldestReadableRevision(tenant));
    }

    @Override
    public Revision revisionAt(String tenant, Instant time) {
        return traced("revision.at", () -> store.revisionAt(tenant, time));
    }

    @Override
    public Optional<Instant> committedAt(String tenant, Revision revision) {
        return traced("revision.committed_at", () -> store.committedAt(tenant, revision));
    }

    @Override
    public Revision write(String tenant, List<RelationshipUpdate> updates, List<Precondition> preconditions,
            Map<String, Object> metadata, WriteValidator validator) {
        return traced("relationships.write", () -> store.write(tenant, updates, preconditions, metadata, validator));
    }

    @Override
    public DeleteResult delete(String tenant, RelationshipFilter filter, List<Precondition> preconditions, long limit,
            boolean allowPartial) {
        return traced("relationships.delete", () -> store.delete(tenant, filter, preconditions, limit, allowPartial));
    }

    @Override
    public Revision bulkImport(String tenant, Iterator<Relationship> relationships, WriteValidator validator) {
        return traced("relationships.import", () -> store.bulkImport(tenant, relationships, validator));
    }

    @Override
    public RelationshipPage read(String tenant, RelationshipFilter filter, Revision revision, Cursor after, int limit) {
        return traced("relationships.read", () -> store.read(tenant, filter, revision, after, limit));
    }

    @Override
    public List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation) {
        return traced("relationships.subjects", () -> store.subjectsOf(tenant, revision, resourceType, resourceIds,
                relation));
    }

    @Override
    public List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, Collection<String> relations) {
        return traced("relationships.subjects", () -> store.subjectsOf(tenant, revision, resourceType, resourceIds,
                relations));
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds) {
        return traced("relationships.resources", () -> store.resourcesNaming(tenant, revision, resourceType, relation,
                subjectType, subjectRelation, subjectIds));
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds, Relationship after, int limit) {
        return traced("relationships.resources", () -> store.resourcesNaming(tenant, revision, resourceType, relation,
                subjectType, subjectRelation, subjectIds, after, limit));
    }

    @Override
    public List<Relationship> subjectsOfPage(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation, int limit) {
        return traced("relationships.subjects_page", () -> store.subjectsOfPage(tenant, revision, resourceType,
                resourceIds, relation, limit));
    }

    @Override
    public Revision writeSchema(String tenant, String schemaText, WriteValidator validator) {
        return traced("schema.write", () -> store.writeSchema(tenant, schemaText, validator));
    }

    @Override
    public Optional<SchemaVersion> readSchema(String tenant, Revision revision) {
        return traced("schema.read", () -> store.readSchema(tenant, revision));
    }

    @Override
    public List<ChangeSet> changesSince(String tenant, Revision after, int maxRevisions) {
        return traced("changes.since", () -> store.changesSince(tenant, after, maxRevisions));
    }

    @Override
    public GcResult collectGarbage() {
        return traced("relationships.gc", store::collectGarbage);
    }

    @Override
    public void close() {
        store.close();
    }
}
