package io.relata.store;

import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Relationships of many tenants, with their history. Every change commits at a new
 * revision of its tenant; reading at revision R sees exactly what was committed at R or
 * before (until garbage collection removes versions older than the GC window), and an
 * expired relationship is invisible from its expiration time on.
 *
 * <p>Tenants are isolated: no call reads or changes another tenant's data. Every method
 * may throw {@link TenantNotFoundException} for an unknown tenant and
 * {@link StoreUnavailableException} when the storage cannot be reached; a call that throws
 * has written nothing. Implementations are thread-safe.
 */
public interface TupleStore extends AutoCloseable {

    /** The options the store runs with. */
    StoreOptions options();

    /**
     * Whether the store orders ids, in the pages of {@link #read} and {@link #resourcesNaming},
     * as {@link String#compareTo} orders them, for the ASCII ids of the API: true for the memory
     * store and for PostgreSQL databases with a byte-order collation ({@code C}, {@code POSIX},
     * {@code C.UTF-8}); false for a linguistic one ({@code en_US.UTF-8}, ICU), whose order only
     * the database knows. A decorator answers as the store it wraps.
     */
    boolean ordersIdsAsJava();

    // ---- tenants and revisions -------------------------------------------------------------

    /** Creates a tenant; returns false when it already existed. */
    boolean createTenant(String tenant);

    boolean tenantExists(String tenant);

    /** The newest committed revision ({@link Revision#ZERO} before the first write). */
    Revision headRevision(String tenant);

    /** The oldest revision that can still be read: garbage collection removed what came before. */
    Revision oldestReadableRevision(String tenant);

    /** The newest revision committed at or before {@code time}, but not older than the oldest readable. */
    Revision revisionAt(String tenant, Instant time);

    /** When {@code revision} committed, if the store still knows. */
    Optional<Instant> committedAt(String tenant, Revision revision);

    // ---- writes ------------------------------------------------------------------------------

    /**
     * Applies {@code updates} atomically, after {@code validator} accepted them and
     * {@code preconditions} held, all in the same transaction under the tenant's write lock,
     * and returns the revision it committed at.
     *
     * @param metadata   the writer's transaction metadata, reported by Watch (may be empty)
     * @param validator  checks the write against the tenant as it finds it (the schema in effect, above all)
     * @throws InvalidRequestException      more updates than {@link StoreOptions#maxUpdatesPerWrite}, or the
     *                                      same relationship twice
     * @throws AlreadyExistsException       a CREATE of a relationship that exists (and has not expired)
     * @throws PreconditionFailedException  a precondition did not hold
     * @throws RuntimeException             whatever {@code validator} threw to refuse the write
     */
    Revision write(String tenant, List<RelationshipUpdate> updates, List<Precondition> preconditions,
            Map<String, Object> metadata, WriteValidator validator);

    /** {@link #write(String, List, List, Map, WriteValidator)} without a validator. */
    default Revision write(String tenant, List<RelationshipUpdate> updates, List<Precondition> preconditions,
            Map<String, Object> metadata) {
        return write(tenant, updates, preconditions, metadata, WriteValidator.NONE);
    }

    default Revision write(String tenant, List<RelationshipUpdate> updates) {
        return write(tenant, updates, List.of(), Map.of());
    }

    /**
     * Deletes the relationships {@code filter} matches (expired ones included), at most
     * {@code limit} of them when {@code limit > 0}.
     *
     * @throws PreconditionFailedException  a precondition did not hold, or more than {@code limit}
     *                                      matched and {@code allowPartial} is false
     */
    DeleteResult delete(String tenant, RelationshipFilter filter, List<Precondition> preconditions, long limit,
            boolean allowPartial);

    /**
     * Writes every relationship in one transaction at one new revision, through the fastest
     * path the store has (COPY in PostgreSQL), streaming them from the iterator as it goes
     * (never all in memory at once where the store can avoid it). No limit on the count.
     *
     * <p>The store first calls {@code validator} once, then drains {@code relationships}, and
     * guarantees that what the validator saw of the schema still holds at the commit: so a
     * check the iterator makes as it hands out each relationship (against the schema in
     * effect) holds for the commit. PostgreSQL drains the iterator into COPY under the tenant's
     * write lock, inside the import's transaction; the memory store stages the relationships
     * with no lock held (reads and writes of the tenant go on during the upload), then takes
     * the write lock to apply them, refusing the import as a {@link ConflictException} should
     * the schema have changed in between. Whatever the validator or the iterator throws aborts
     * the import, which then has written nothing, and reaches the caller unchanged.
     *
     * @throws AlreadyExistsException if one of them exists (the message names it)
     * @throws StoreException if one appears twice ({@link InvalidRequestException} or
     *                        {@link AlreadyExistsException}, depending on the store)
     * @throws RuntimeException whatever {@code validator} or the iterator threw to refuse the import
     */
    Revision bulkImport(String tenant, Iterator<Relationship> relationships, WriteValidator validator);

    /** {@link #bulkImport(String, Iterator, WriteValidator)} without a validator. */
    default Revision bulkImport(String tenant, Iterator<Relationship> relationships) {
        return bulkImport(tenant, relationships, WriteValidator.NONE);
    }

    // ---- reads ---------------------------------------------------------------------------------

    /**
     * A page of the relationships {@code filter} matches at {@code revision}, ordered by
     * resource type, resource id, relation, subject type, subject id and subject relation.
     *
     * @param after  start after this cursor, or null for the first page
     * @param limit  the page size, at least 1
     */
    RelationshipPage read(String tenant, RelationshipFilter filter, Revision revision, Cursor after, int limit);

    /**
     * The relationships at {@code revision} of the resources {@code resourceType:id} for every
     * id in {@code resourceIds}, through {@code relation}: the engine's forward step. One
     * query for the whole batch.
     */
    List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation);

    /**
     * The relationships of several relations of the given resources, visible at
     * {@code revision}: one round trip where a store can do it in one (the check engine reads
     * all the relations a permission may need on an object at once).
     */
    default List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, Collection<String> relations) {
        List<Relationship> out = new java.util.ArrayList<>();
        for (String relation : relations) {
            out.addAll(subjectsOf(tenant, revision, resourceType, resourceIds, relation));
        }
        return out;
    }

    /**
     * The first {@code limit} relationships of {@link #subjectsOf(String, Revision, String,
     * Collection, String)}, in the order resource id, then subject type, id and relation (the
     * store's collation): the first page of many objects' relation in one round trip. Every
     * object the page names but its last is complete in it; the rest of the last one is a
     * {@link #read} of that object's relation after the page's last relationship (the same
     * order), and the objects the page does not name come in another call.
     *
     * <p>This default reads the whole step and sorts it in Java; stores override it with
     * ordered, limited index ranges.
     *
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    default List<Relationship> subjectsOfPage(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation, int limit) {
        StoreSupport.checkLimit(limit);
        return subjectsOf(tenant, revision, resourceType, resourceIds, relation).stream()
                .sorted().limit(limit).toList();
    }

    /**
     * The relationships at {@code revision} whose resource type is {@code resourceType},
     * relation is {@code relation}, and subject is {@code subjectType:id[#subjectRelation]}
     * for an id in {@code subjectIds} ({@code subjectRelation} "" for the object itself):
     * the engine's reverse step. One query for the whole batch.
     */
    List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds);

    /**
     * One page of {@link #resourcesNaming(String, Revision, String, String, String, String, Collection)}:
     * the same relationships in the order subject id, then resource id (the store's collation),
     * starting after {@code after} (a relationship an earlier page returned, or null for the
     * start), at most {@code limit} of them. Walking a large reverse step page by page costs
     * each page in proportion to its size, so lookups can stream.
     *
     * <p>This default reads the whole step and sorts it in Java; stores override it with an
     * index range scan.
     *
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    default List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds, Relationship after, int limit) {
        StoreSupport.checkLimit(limit);
        return resourcesNaming(tenant, revision, resourceType, relation, subjectType, subjectRelation, subjectIds)
                .stream().filter(r -> after == null || StoreSupport.REVERSE_ORDER.compare(r, after) > 0)
                .sorted(StoreSupport.REVERSE_ORDER).limit(limit).toList();
    }

    // ---- schema ----------------------------------------------------------------------------------

    /**
     * Stores a new schema text for the tenant, once {@code validator} accepted it in the same
     * transaction under the tenant's write lock (it sees the schema being replaced and the
     * relationships the new one would have to allow); returns the revision it takes effect at.
     *
     * @throws RuntimeException whatever {@code validator} threw to refuse the change
     */
    Revision writeSchema(String tenant, String schemaText, WriteValidator validator);

    /** {@link #writeSchema(String, String, WriteValidator)} without a validator. */
    default Revision writeSchema(String tenant, String schemaText) {
        return writeSchema(tenant, schemaText, WriteValidator.NONE);
    }

    /** The schema in effect at {@code revision}, if one was written by then. */
    Optional<SchemaVersion> readSchema(String tenant, Revision revision);

    // ---- history --------------------------------------------------------------------------------

    /** What the revisions after {@code after} changed, oldest first, at most {@code maxRevisions} of them. */
    List<ChangeSet> changesSince(String tenant, Revision after, int maxRevisions);

    /**
     * Removes relationship versions deleted at a revision older than the GC window, expired
     * relationships, and revision records older than the window, in every tenant. Reads at a
     * revision older than the new {@link #oldestReadableRevision} are no longer possible.
     */
    GcResult collectGarbage();

    @Override
    void close();
}
