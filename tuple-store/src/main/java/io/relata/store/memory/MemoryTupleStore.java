package io.relata.store.memory;

import io.relata.store.AlreadyExistsException;
import io.relata.store.ChangeSet;
import io.relata.store.ConflictException;
import io.relata.store.Cursor;
import io.relata.store.DeleteResult;
import io.relata.store.GcResult;
import io.relata.store.InvalidRequestException;
import io.relata.store.Precondition;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipPage;
import io.relata.store.RelationshipShape;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.RevisionUnavailableException;
import io.relata.store.SchemaVersion;
import io.relata.store.StoreOptions;
import io.relata.store.StoreSupport;
import io.relata.store.TenantNotFoundException;
import io.relata.store.TupleStore;
import io.relata.store.WriteValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A {@link TupleStore} in memory: for {@code relata serve} without a database, for
 * validation files and for tests. Same behaviour as the PostgreSQL store (the contract
 * suite holds both to it); data is lost when the process ends.
 *
 * <p>Each tenant has a read-write lock: a write holds it exclusively while it validates,
 * checks and applies all its updates, so readers see a write entirely or not at all,
 * revisions follow the order writes took the lock, and a write's validator sees exactly the
 * state the write commits on. A bulk import is the exception: it stages its relationships
 * with no lock held and takes the write lock only to apply them (see {@link #bulkImport}).
 */
public final class MemoryTupleStore implements TupleStore {

    private static final long LIVE = Long.MAX_VALUE;

    private final StoreOptions options;
    private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();

    public MemoryTupleStore(StoreOptions options) {
        this.options = options;
    }

    public MemoryTupleStore() {
        this(StoreOptions.DEFAULTS);
    }

    /** One version of one relationship. {@code deleted} changes once, under the write lock. */
    private static final class Version {
        final Relationship relationship;
        final long created;
        long deleted = LIVE;

        Version(Relationship relationship, long created) {
            this.relationship = relationship;
            this.created = created;
        }

        boolean visibleAt(long revision, Instant now) {
            return created <= revision && revision < deleted && !relationship.isExpiredAt(now);
        }
    }

    private record RevisionRecord(Instant committedAt, Map<String, Object> metadata, boolean schemaChanged,
            List<RelationshipUpdate> changes) {}

    private static final class Tenant {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        long revision;
        long gcHorizon;
        /** Every version by relationship key, in read order. */
        final TreeMap<Relationship, List<Version>> byKey = new TreeMap<>();
        /** Versions by resource and relation: the forward step. */
        final Map<String, List<Version>> forward = new HashMap<>();
        /** Versions by resource type, relation and subject: the reverse step. */
        final Map<String, List<Version>> reverse = new HashMap<>();
        /** Versions by resource type, then relation: the relationships of a shape. */
        final Map<String, Map<String, List<Version>>> byRelation = new HashMap<>();
        final TreeMap<Long, RevisionRecord> revisions = new TreeMap<>();
        final TreeMap<Long, String> schemas = new TreeMap<>();

        Version live(Relationship key) {
            List<Version> versions = byKey.get(key);
            if (versions == null) {
                return null;
            }
            Version last = versions.get(versions.size() - 1);
            return last.deleted == LIVE ? last : null;
        }

        void add(Version v) {
            Relationship key = v.relationship.key();
            byKey.computeIfAbsent(key, k -> new ArrayList<>(1)).add(v);
            forward.computeIfAbsent(forwardKey(key.resource().type(), key.resource().id(), key.relation()),
                    k -> new ArrayList<>()).add(v);
            addByResource(reverse.computeIfAbsent(reverseKey(key.resource().type(), key.relation(),
                    key.subject().type(), key.subject().relationOrEmpty(), key.subject().id()), k -> new ArrayList<>()), v);
            byRelation.computeIfAbsent(key.resource().type(), k -> new HashMap<>())
                    .computeIfAbsent(key.relation(), k -> new ArrayList<>()).add(v);
        }

        /**
         * Keeps a reverse list in resource id order (versions of one resource in the order
         * written), so a paged reverse step can start mid-list; appending in order is O(1).
         */
        static void addByResource(List<Version> list, Version v) {
            String id = v.relationship.resource().id();
            boolean inOrder = list.isEmpty() || list.get(list.size() - 1).relationship.resource().id().compareTo(id) <= 0;
            list.add(inOrder ? list.size() : firstAfter(list, id), v);
        }

        /** The index of the first version whose resource id sorts after {@code id}. */
        static int firstAfter(List<Version> list, String id) {
            int low = 0;
            int high = list.size();
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (list.get(mid).relationship.resource().id().compareTo(id) <= 0) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return low;
        }

        void removeAll(Set<Version> dead) {
            if (dead.isEmpty()) {
                return;
            }
            byKey.values().removeIf(list -> list.removeAll(dead) && list.isEmpty());
            forward.values().removeIf(list -> list.removeAll(dead) && list.isEmpty());
            reverse.values().removeIf(list -> list.removeAll(dead) && list.isEmpty());
            byRelation.values().removeIf(relations -> {
                relations.values().removeIf(list -> list.removeAll(dead) && list.isEmpty());
                return relations.isEmpty();
            });
        }

        /** One live relationship of {@code shape} at {@code now}, if any. */
        Optional<Relationship> findAny(RelationshipShape shape, Instant now) {
            Map<String, List<Version>> relations = byRelation.getOrDefault(shape.resourceType(), Map.of());
            Collection<List<Version>> lists = shape.relation() == null ? relations.values()
                    : List.of(relations.getOrDefault(shape.relation(), List.of()));
            for (List<Version> versions : lists) {
                for (Version v : versions) {
                    if (v.deleted == LIVE && !v.relationship.isExpiredAt(now) && shape.matches(v.relationship)) {
                        return Optional.of(v.relationship);
                    }
                }
            }
            return Optional.empty();
        }

        /** What a validator sees of this tenant: call only under its lock (an import's validator: the read lock). */
        WriteValidator.Context context(Instant now) {
            return new WriteValidator.Context() {
                @Override
                public Revision head() {
                    return Revision.of(revision);
                }

                @Override
                public Optional<SchemaVersion> schema() {
                    return Optional.ofNullable(schemas.lastEntry())
                            .map(e -> new SchemaVersion(e.getValue(), Revision.of(e.getKey())));
                }

                @Override
                public Optional<Relationship> findAny(RelationshipShape shape) {
                    return Tenant.this.findAny(shape, now);
                }
            };
        }

        long commit(Instant now, Map<String, Object> metadata, boolean schemaChanged, List<RelationshipUpdate> changes) {
            revision++;
            revisions.put(revision, new RevisionRecord(now, metadata == null ? Map.of()
                    : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata)),
                    schemaChanged, List.copyOf(changes)));
            return revision;
        }
    }

    private static String forwardKey(String type, String id, String relation) {
        return type + ':' + id + '#' + relation;
    }

    private static String reverseKey(String resourceType, String relation, String subjectType, String subjectRelation,
            String subjectId) {
        return resourceType + '#' + relation + '@' + subjectType + ':' + subjectId + '#' + subjectRelation;
    }

    @Override
    public StoreOptions options() {
        return options;
    }

    /** {@inheritDoc} Ids are kept in {@link String#compareTo} order. */
    @Override
    public boolean ordersIdsAsJava() {
        return true;
    }

    // ---- tenants and revisions ---------------------------------------------------------------------

    @Override
    public boolean createTenant(String tenant) {
        StoreSupport.checkTenantName(tenant);
        return tenants.putIfAbsent(tenant, new Tenant()) == null;
    }

    @Override
    public boolean tenantExists(String tenant) {
        return tenants.containsKey(tenant);
    }

    private Tenant tenant(String name) {
        Tenant t = tenants.get(name);
        if (t == null) {
            throw new TenantNotFoundException("tenant `" + name + "` does not exist");
        }
        return t;
    }

    private <T> T reading(String name, Supplier<T> body) {
        Tenant t = tenant(name);
        t.lock.readLock().lock();
        try {
            return body.get();
        } finally {
            t.lock.readLock().unlock();
        }
    }

    private <T> T writing(Tenant t, Supplier<T> body) {
        t.lock.writeLock().lock();
        try {
            return body.get();
        } finally {
            t.lock.writeLock().unlock();
        }
    }

    @Override
    public Revision headRevision(String tenant) {
        Tenant t = tenant(tenant);
        return reading(tenant, () -> Revision.of(t.revision));
    }

    @Override
    public Revision oldestReadableRevision(String tenant) {
        Tenant t = tenant(tenant);
        return reading(tenant, () -> Revision.of(t.gcHorizon));
    }

    @Override
    public Revision revisionAt(String tenant, Instant time) {
        Tenant t = tenant(tenant);
        return reading(tenant, () -> {
            long found = t.gcHorizon;
            for (Map.Entry<Long, RevisionRecord> e : t.revisions.descendingMap().entrySet()) {
                if (!e.getValue().committedAt().isAfter(time)) {
                    found = Math.max(found, e.getKey());
                    break;
                }
            }
            return Revision.of(found);
        });
    }

    @Override
    public Optional<Instant> committedAt(String tenant, Revision revision) {
        Tenant t = tenant(tenant);
        return reading(tenant, () -> Optional.ofNullable(t.revisions.get(revision.value()))
                .map(RevisionRecord::committedAt));
    }

    // ---- writes ------------------------------------------------------------------------------------

    @Override
    public Revision write(String tenant, List<RelationshipUpdate> updates, List<Precondition> preconditions,
            Map<String, Object> metadata, WriteValidator validator) {
        StoreSupport.checkWrite(options, updates, preconditions, metadata);
        Tenant t = tenant(tenant);
        return writing(t, () -> {
            Instant now = options.clock().instant();
            validator.validate(t.context(now));
            checkPreconditions(t, preconditions, now);
            // Check everything before changing anything: a failed write leaves no trace.
            for (RelationshipUpdate u : updates) {
                if (u.operation() == RelationshipUpdate.Operation.CREATE) {
                    Version live = t.live(u.relationship().key());
                    if (live != null && !live.relationship.isExpiredAt(now)) {
                        throw StoreSupport.alreadyExists(u.relationship());
                    }
                }
            }
            long revision = t.revision + 1;
            List<RelationshipUpdate> changes = new ArrayList<>();
            for (RelationshipUpdate u : updates) {
                Version live = t.live(u.relationship().key());
                if (live != null) {
                    live.deleted = revision;
                }
                if (u.operation() == RelationshipUpdate.Operation.DELETE) {
                    if (live != null) {
                        changes.add(RelationshipUpdate.delete(live.relationship));
                    }
                } else {
                    t.add(new Version(u.relationship(), revision));
                    changes.add(RelationshipUpdate.touch(u.relationship()));
                }
            }
            return Revision.of(t.commit(now, metadata, false, changes));
        });
    }

    private static void checkPreconditions(Tenant t, List<Precondition> preconditions, Instant now) {
        for (Precondition p : preconditions) {
            boolean matched = t.byKey.values().stream()
                    .map(list -> list.get(list.size() - 1))
                    .anyMatch(v -> v.deleted == LIVE && !v.relationship.isExpiredAt(now)
                            && p.filter().matches(v.relationship));
            if (matched != (p.kind() == Precondition.Kind.MUST_MATCH)) {
                throw StoreSupport.failed(p);
            }
        }
    }

    @Override
    public DeleteResult delete(String tenant, RelationshipFilter filter, List<Precondition> preconditions, long limit,
            boolean allowPartial) {
        StoreSupport.checkWrite(options, List.of(), preconditions);
        Tenant t = tenant(tenant);
        return writing(t, () -> {
            Instant now = options.clock().instant();
            checkPreconditions(t, preconditions, now);
            List<Version> matching = new ArrayList<>();
            for (List<Version> versions : t.byKey.values()) {
                Version last = versions.get(versions.size() - 1);
                if (last.deleted == LIVE && filter.matches(last.relationship)) {
                    matching.add(last);
                }
            }
            boolean complete = true;
            if (limit > 0 && matching.size() > limit) {
                if (!allowPartial) {
                    throw StoreSupport.tooManyToDelete(matching.size() + " relationships match the filter, more"
                            + " than the limit of " + limit + "; raise the limit or allow partial deletion", limit, filter);
                }
                matching = matching.subList(0, (int) limit);
                complete = false;
            }
            long revision = t.revision + 1;
            List<RelationshipUpdate> changes = new ArrayList<>();
            for (Version v : matching) {
                v.deleted = revision;
                changes.add(RelationshipUpdate.delete(v.relationship));
            }
            return new DeleteResult(Revision.of(t.commit(now, Map.of(), false, changes)), matching.size(), complete);
        });
    }

    /**
     * Stages, then applies: the validator runs under the read lock, the iterator is drained
     * with no lock held (so reads and writes of the tenant go on during a slow upload), and
     * only the apply takes the write lock. Should the schema have changed since the validator
     * ran, what the iterator checked may no longer hold, and the import is refused whole as a
     * conflict to retry.
     */
    @Override
    public Revision bulkImport(String tenant, Iterator<Relationship> relationships, WriteValidator validator) {
        Tenant t = tenant(tenant);
        Long schemaSeen = reading(tenant, () -> {
            validator.validate(t.context(options.clock().instant()));
            return t.schemas.isEmpty() ? null : t.schemas.lastKey();
        });
        List<Relationship> all = new ArrayList<>();
        Set<Relationship> seen = new HashSet<>();
        while (relationships.hasNext()) {
            Relationship r = relationships.next();
            all.add(r);
            if (!seen.add(r.key())) {
                throw new InvalidRequestException("relationship " + r.key() + " appears twice in the import");
            }
        }
        return writing(t, () -> {
            Long schemaNow = t.schemas.isEmpty() ? null : t.schemas.lastKey();
            if (!java.util.Objects.equals(schemaSeen, schemaNow)) {
                throw new ConflictException("the schema changed while the import was uploaded; nothing was"
                        + " imported; retry the import");
            }
            Instant now = options.clock().instant();
            for (Relationship r : all) {
                Version live = t.live(r.key());
                if (live != null && !live.relationship.isExpiredAt(now)) {
                    throw new AlreadyExistsException("relationship " + r.key() + " already exists",
                            StoreSupport.alreadyExists(r).errorInfo());
                }
            }
            long revision = t.revision + 1;
            List<RelationshipUpdate> changes = new ArrayList<>(all.size());
            for (Relationship r : all) {
                Version live = t.live(r.key());
                if (live != null) {
                    live.deleted = revision;
                }
                t.add(new Version(r, revision));
                changes.add(RelationshipUpdate.touch(r));
            }
            return Revision.of(t.commit(now, Map.of(), false, changes));
        });
    }

    // ---- reads -------------------------------------------------------------------------------------

    @Override
    public RelationshipPage read(String tenant, RelationshipFilter filter, Revision revision, Cursor after, int limit) {
        StoreSupport.checkLimit(limit);
        Relationship start = after == null ? null : after.position();
        Tenant t = tenant(tenant);
        return reading(tenant, () -> {
            Instant now = options.clock().instant();
            List<Relationship> out = new ArrayList<>();
            Map<Relationship, List<Version>> range = start == null ? t.byKey : t.byKey.tailMap(start, false);
            boolean oneRelation = filter.resourceType() != null && filter.resourceId() != null
                    && filter.relation() != null;
            if (oneRelation && start == null) {
                // One object's relation (lookup subjects' forward pages): start at its first key, not at the tenant's.
                List<Version> of = t.forward.get(forwardKey(filter.resourceType(), filter.resourceId(),
                        filter.relation()));
                if (of == null || of.isEmpty()) {
                    return new RelationshipPage(out, null);
                }
                Relationship first = of.stream().map(v -> v.relationship).min(Relationship::compareTo).orElseThrow();
                range = t.byKey.tailMap(first, true);
            }
            for (Map.Entry<Relationship, List<Version>> entry : range.entrySet()) {
                if (oneRelation && !entry.getKey().resource().type().equals(filter.resourceType())
                        || oneRelation && !entry.getKey().resource().id().equals(filter.resourceId())
                        || oneRelation && !entry.getKey().relation().equals(filter.relation())) {
                    break; // past the object's relation: nothing further matches
                }
                List<Version> versions = entry.getValue();
                for (Version v : versions) {
                    if (v.visibleAt(revision.value(), now) && filter.matches(v.relationship)) {
                        out.add(v.relationship);
                        break;
                    }
                }
                if (out.size() == limit) {
                    return new RelationshipPage(out, Cursor.after(out.get(out.size() - 1)));
                }
            }
            return new RelationshipPage(out, null);
        });
    }

    @Override
    public List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation) {
        Tenant t = tenant(tenant);
        return visible(t, revision, resourceIds, id -> t.forward.get(forwardKey(resourceType, id, relation)));
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds) {
        Tenant t = tenant(tenant);
        String subjectRel = subjectRelation == null ? "" : subjectRelation;
        return visible(t, revision, subjectIds,
                id -> t.reverse.get(reverseKey(resourceType, relation, subjectType, subjectRel, id)));
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds, Relationship after, int limit) {
        StoreSupport.checkLimit(limit);
        Tenant t = tenant(tenant);
        String subjectRel = subjectRelation == null ? "" : subjectRelation;
        java.util.TreeSet<String> ids = new java.util.TreeSet<>(subjectIds);
        t.lock.readLock().lock();
        try {
            Instant now = options.clock().instant();
            List<Relationship> out = new ArrayList<>();
            for (String id : after == null ? ids : ids.tailSet(after.subject().id(), true)) {
                List<Version> versions = t.reverse.get(reverseKey(resourceType, relation, subjectType, subjectRel, id));
                if (versions == null) {
                    continue;
                }
                int from = after != null && id.equals(after.subject().id())
                        ? Tenant.firstAfter(versions, after.resource().id()) : 0;
                for (int i = from; i < versions.size(); i++) {
                    Version v = versions.get(i);
                    if (v.visibleAt(revision.value(), now)) {
                        out.add(v.relationship);
                        if (out.size() == limit) {
                            return out;
                        }
                    }
                }
            }
            return out;
        } finally {
            t.lock.readLock().unlock();
        }
    }

    /** The versions visible at {@code revision} in the index lists of {@code keys}. */
    private List<Relationship> visible(Tenant t, Revision revision, Collection<String> keys,
            java.util.function.Function<String, List<Version>> index) {
        t.lock.readLock().lock();
        try {
            Instant now = options.clock().instant();
            List<Relationship> out = new ArrayList<>();
            for (String key : new HashSet<>(keys)) {
                List<Version> versions = index.apply(key);
                if (versions != null) {
                    for (Version v : versions) {
                        if (v.visibleAt(revision.value(), now)) {
                            out.add(v.relationship);
                        }
                    }
                }
            }
            return out;
        } finally {
            t.lock.readLock().unlock();
        }
    }

    // ---- schema ------------------------------------------------------------------------------------

    @Override
    public Revision writeSchema(String tenant, String schemaText, WriteValidator validator) {
        Tenant t = tenant(tenant);
        return writing(t, () -> {
            validator.validate(t.context(options.clock().instant()));
            long revision = t.commit(options.clock().instant(), Map.of(), true, List.of());
            t.schemas.put(revision, schemaText);
            return Revision.of(revision);
        });
    }

    @Override
    public Optional<SchemaVersion> readSchema(String tenant, Revision revision) {
        Tenant t = tenant(tenant);
        return reading(tenant, () -> Optional.ofNullable(t.schemas.floorEntry(revision.value()))
                .map(e -> new SchemaVersion(e.getValue(), Revision.of(e.getKey()))));
    }

    // ---- history -----------------------------------------------------------------------------------

    @Override
    public List<ChangeSet> changesSince(String tenant, Revision after, int maxRevisions) {
        StoreSupport.checkLimit(maxRevisions);
        Tenant t = tenant(tenant);
        return reading(tenant, () -> {
            if (after.value() < t.gcHorizon) {
                throw new RevisionUnavailableException("changes after revision " + after + " are gone: garbage"
                        + " collection removed history before revision " + t.gcHorizon + "; start again from a"
                        + " newer revision (read the current state, then watch from its token)");
            }
            List<ChangeSet> out = new ArrayList<>();
            for (Map.Entry<Long, RevisionRecord> e : t.revisions.tailMap(after.value(), false).entrySet()) {
                RevisionRecord r = e.getValue();
                List<RelationshipUpdate> sorted = new ArrayList<>(r.changes());
                sorted.sort((a, b) -> a.relationship().compareTo(b.relationship()));
                out.add(new ChangeSet(Revision.of(e.getKey()), r.committedAt(), sorted, r.schemaChanged(), r.metadata()));
                if (out.size() == maxRevisions) {
                    break;
                }
            }
            return out;
        });
    }

    @Override
    public GcResult collectGarbage() {
        GcResult total = new GcResult(0, 0, 0);
        Instant now = options.clock().instant();
        Instant cutoff = now.minus(options.gcWindow());
        for (Tenant t : tenants.values()) {
            total = total.plus(writing(t, () -> collect(t, now, cutoff)));
        }
        return total;
    }

    private static GcResult collect(Tenant t, Instant now, Instant cutoff) {
        long cutoffRevision = t.gcHorizon;
        for (Map.Entry<Long, RevisionRecord> e : t.revisions.entrySet()) {
            if (e.getValue().committedAt().isAfter(cutoff)) {
                break;
            }
            cutoffRevision = e.getKey();
        }
        Set<Version> old = new HashSet<>();
        Set<Version> expired = new HashSet<>();
        for (List<Version> versions : t.byKey.values()) {
            for (Version v : versions) {
                if (v.deleted <= cutoffRevision) {
                    old.add(v);
                } else if (v.relationship.isExpiredAt(now)) {
                    expired.add(v);
                }
            }
        }
        Set<Version> dead = new HashSet<>(old);
        dead.addAll(expired);
        t.removeAll(dead);
        Map<Long, RevisionRecord> oldRevisions = t.revisions.headMap(cutoffRevision, false);
        long revisions = oldRevisions.size();
        oldRevisions.clear();
        Long schemaInEffect = t.schemas.floorKey(cutoffRevision);
        if (schemaInEffect != null) {
            t.schemas.headMap(schemaInEffect, false).clear();
        }
        t.gcHorizon = cutoffRevision;
        return new GcResult(old.size(), expired.size(), revisions);
    }

    @Override
    public void close() {
        tenants.clear();
    }
}
