package io.relata.store.postgres;

import static io.relata.store.postgres.Tables.CAVEAT_CONTEXT;
import static io.relata.store.postgres.Tables.CAVEAT_NAME;
import static io.relata.store.postgres.Tables.COMMITTED_AT;
import static io.relata.store.postgres.Tables.CREATED_REV;
import static io.relata.store.postgres.Tables.DELETED_REV;
import static io.relata.store.postgres.Tables.EXPIRES_AT;
import static io.relata.store.postgres.Tables.GC_HORIZON;
import static io.relata.store.postgres.Tables.KEY_COLUMNS;
import static io.relata.store.postgres.Tables.LIVE;
import static io.relata.store.postgres.Tables.METADATA;
import static io.relata.store.postgres.Tables.RELATION;
import static io.relata.store.postgres.Tables.RELATIONSHIP_COLUMNS;
import static io.relata.store.postgres.Tables.RELATION_TUPLES;
import static io.relata.store.postgres.Tables.RESOURCE_ID;
import static io.relata.store.postgres.Tables.RESOURCE_TYPE;
import static io.relata.store.postgres.Tables.REVISION;
import static io.relata.store.postgres.Tables.REVISIONS;
import static io.relata.store.postgres.Tables.SCHEMAS;
import static io.relata.store.postgres.Tables.SCHEMA_CHANGED;
import static io.relata.store.postgres.Tables.SCHEMA_TEXT;
import static io.relata.store.postgres.Tables.SUBJECT_ID;
import static io.relata.store.postgres.Tables.SUBJECT_RELATION;
import static io.relata.store.postgres.Tables.SUBJECT_TYPE;
import static io.relata.store.postgres.Tables.TENANTS;
import static io.relata.store.postgres.Tables.TENANT_ID;
import static io.relata.store.postgres.Tables.TENANT_ID_COL;
import static io.relata.store.postgres.Tables.TENANT_NAME;
import static io.relata.store.postgres.Tables.TENANT_REVISIONS;
import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.row;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.relata.migrations.Migrator;
import io.relata.store.AlreadyExistsException;
import io.relata.store.Caveat;
import io.relata.store.ChangeSet;
import io.relata.store.ConflictException;
import io.relata.store.Cursor;
import io.relata.store.ErrorInfo;
import io.relata.store.ErrorReason;
import io.relata.store.DeleteResult;
import io.relata.store.GcResult;
import io.relata.store.InvalidRequestException;
import io.relata.store.Json;
import io.relata.store.ObjectRef;
import io.relata.store.Precondition;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipPage;
import io.relata.store.RelationshipShape;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.RevisionUnavailableException;
import io.relata.store.SchemaVersion;
import io.relata.store.StoreException;
import io.relata.store.StoreOptions;
import io.relata.store.StoreSupport;
import io.relata.store.StoreTimeoutException;
import io.relata.store.StoreUnavailableException;
import io.relata.store.SubjectRef;
import io.relata.store.TenantNotFoundException;
import io.relata.store.TupleStore;
import io.relata.store.WriteValidator;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;

/**
 * A {@link TupleStore} in PostgreSQL (see {@code db/relata/V1__relation_tuples.sql}),
 * queried with jOOQ over a HikariCP pool.
 *
 * <p><b>Revisions.</b> Each write transaction starts by incrementing its tenant's row in
 * {@code tenant_revisions}; the row stays locked until the transaction ends, so the
 * writers of one tenant run one after another and revision order is commit order.
 * Relationship writes that arrive while one is committing are combined into one
 * transaction at one revision ({@link GroupCommit}, {@link PostgresWrites}); schema writes,
 * deletes and imports have a transaction of their own. A
 * reader takes the committed revision R from that row and sees exactly the rows with
 * {@code created_rev <= R < deleted_rev}: a writer still in flight can only add rows at
 * revisions above R. A write changes a row only by setting its {@code deleted_rev}.
 *
 * <p><b>Validation.</b> A write's {@link WriteValidator} runs in the write's transaction right
 * after the revision row is locked, so the schema and relationships it checks are the ones
 * the write commits on; what it throws rolls everything back.
 *
 * <p><b>Batches.</b> A write of any size is two statements per resource type besides the
 * revision: end the replaced versions, insert the new ones (both over {@code unnest} of
 * arrays); a group of writes records its revision once. The engine's forward and reverse steps are one query per batch ({@code = ANY}).
 */
public final class PostgresTupleStore implements TupleStore {

    static {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    private final DataSource dataSource;
    private final FailFastDataSource failFast;
    private final HikariDataSource ownedPool;
    private final DSLContext dsl;
    /**
     * The context of every read a request makes (relationships, schema, revisions, tenants, API
     * keys, the change log): {@link #dsl} with the read timeout, if any. Writes, imports and
     * garbage collection use {@link #dsl}.
     */
    private final DSLContext reads;
    private final StoreOptions options;
    private volatile Boolean binaryCollation;
    private final Map<String, Long> tenantIds = new ConcurrentHashMap<>();
    private final GroupCommit writes;
    private final Analyzer analyzer;
    private final PostgresGarbage garbage;

    /**
     * A store over an existing pool, which the caller closes. It takes the time from
     * {@code options.clock()} as given: pass a {@link DatabaseClock} to follow the database's
     * clock, as {@link #open} does.
     */
    public PostgresTupleStore(DataSource dataSource, StoreOptions options) {
        this(dataSource, null, options);
    }

    private PostgresTupleStore(DataSource dataSource, HikariDataSource ownedPool, StoreOptions options) {
        this.failFast = new FailFastDataSource(dataSource);
        dataSource = failFast;
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.options = options;
        this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));
        this.reads = options.readTimeout().isZero() ? dsl : DSL.using(dataSource, SQLDialect.POSTGRES,
                new Settings().withExecuteLogging(false).withQueryTimeout(timeoutSeconds(options.readTimeout())));
        this.writes = new GroupCommit(new PostgresWrites(dataSource, options));
        this.analyzer = new Analyzer(dataSource);
        this.garbage = new PostgresGarbage(dataSource, PostgresGarbage.BATCH);
    }

    /**
     * Opens a pool to {@code config} and a store over it; {@link #close()} closes the pool.
     * The store's clock is the database's ({@link DatabaseClock} over {@code options.clock()}):
     * revision times, expiration and the GC window do not depend on this host's clock.
     *
     * @param migrate run pending migrations first
     * @throws StoreUnavailableException if the database cannot be reached, or (without
     *         {@code migrate}) its schema is not current
     */
    public static PostgresTupleStore open(PostgresConfig config, StoreOptions options, boolean migrate) {
        HikariDataSource pool = pool(config);
        try {
            Migrator migrator = new Migrator(pool);
            if (migrate) {
                migrator.migrate();
            } else if (!migrator.isCurrent()) {
                throw new StoreUnavailableException("the database schema is at version " + migrator.currentVersion()
                        + ", not the current one; run `relata migrate` (or serve with --migrate)");
            }
            return new PostgresTupleStore(pool, pool, options.withClock(DatabaseClock.start(pool, options.clock())));
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** How long a caller waits for a pooled connection (and a new connection for the database to accept it). */
    public static final int ACQUIRE_TIMEOUT_MILLIS = 2_000;

    /** A HikariCP pool for {@code config}. */
    public static HikariDataSource pool(PostgresConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.jdbcUrl());
        if (config.user() != null) {
            hikari.setUsername(config.user());
        }
        if (config.password() != null) {
            hikari.setPassword(config.password());
        }
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setPoolName("relata-postgres");
        // Short waits: a request fails within them when the database stops answering, and after
        // that at once (FailFastDataSource) until it answers again. No idle minimum, so the pool
        // makes connections only for callers, and stops retrying once none waits.
        hikari.setConnectionTimeout(ACQUIRE_TIMEOUT_MILLIS);
        hikari.setValidationTimeout(1_000);
        hikari.setMinimumIdle(0);
        hikari.addDataSourceProperty("connectTimeout", String.valueOf(ACQUIRE_TIMEOUT_MILLIS / 1_000));
        hikari.setInitializationFailTimeout(-1);
        hikari.addDataSourceProperty("ApplicationName", "relata");
        hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        // The driver prepares a statement on the server after five uses, and PostgreSQL then
        // switches to a generic plan, which cannot prune relation_tuples' partitions when it
        // plans: each later read opens all of them (4x the time of a check measured on a
        // 10-level chain). Plan every execution for its parameters instead.
        hikari.addDataSourceProperty("options", "-c plan_cache_mode=force_custom_plan");
        return new HikariDataSource(hikari);
    }

    /** The data source this store reads and writes through. */
    public DataSource dataSource() {
        return dataSource;
    }

    DSLContext dsl() {
        return dsl;
    }

    /** {@link #dsl} with the read timeout: for reads made for a request (API key lookups too). */
    DSLContext reads() {
        return reads;
    }

    /**
     * The read timeout in the whole seconds JDBC's query timeout takes, rounded up: the driver
     * cancels the statement on the server when they pass, lock waits included.
     */
    static int timeoutSeconds(Duration timeout) {
        long millis = timeout.toMillis();
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (millis + 999) / 1_000));
    }

    Analyzer analyzer() {
        return analyzer;
    }

    @Override
    public StoreOptions options() {
        return options;
    }

    /** {@inheritDoc} Asked of the database once. */
    @Override
    public boolean ordersIdsAsJava() {
        Boolean known = binaryCollation;
        if (known == null) {
            try {
                known = Boolean.TRUE.equals(dsl.fetchValue("SELECT datlocprovider = 'c' AND datcollate IN ('C', 'POSIX',"
                        + " 'C.UTF-8', 'C.utf8') FROM pg_database WHERE datname = current_database()"));
            } catch (DataAccessException e) {
                throw translate(e);
            }
            binaryCollation = known;
        }
        return known;
    }

    // ---- errors ------------------------------------------------------------------------------------

    /** Runs a database call, turning driver errors into the store's errors (one place). */
    private <T> T run(Supplier<T> call) {
        try {
            T result = call.get();
            failFast.callSucceeded();
            return result;
        } catch (DataAccessException e) {
            failFast.callFailed(e);
            throw translate(e);
        }
    }

    static StoreException translate(DataAccessException e) {
        String state = e.sqlState();
        Throwable cause = e.getCause();
        if ("23505".equals(state)) {
            return new AlreadyExistsException("a relationship being created already exists", e,
                    ErrorInfo.of(ErrorReason.ATTEMPT_TO_RECREATE_RELATIONSHIP));
        }
        if (state != null && state.startsWith("22")) {
            return new InvalidRequestException("a value cannot be stored (" + firstLine(cause == null ? e.getMessage()
                    : cause.getMessage()).replaceAll("(?i)^ERROR: ", "") + ")", e);
        }
        if ("42883".equals(state) || "42P01".equals(state)) {
            // undefined_function / undefined_table: the database's schema is older than this server's code.
            return new StoreUnavailableException("the database is not migrated to this version of Relata ("
                    + firstLine(cause == null ? e.getMessage() : cause.getMessage()).replaceAll("(?i)^ERROR: ", "")
                    + "); run `relata migrate`, or start the server with --migrate", e);
        }
        if ("57014".equals(state)) {
            // query_canceled: the read timeout (writes have none), or an administrator's cancel.
            return new StoreTimeoutException("the datastore read did not finish within the request's deadline"
                    + " and was cancelled; retry it, or narrow the request", e);
        }
        if ("40001".equals(state) || "40P01".equals(state)) {
            return new ConflictException("the write collided with another; retry it", e);
        }
        if (state != null && (state.startsWith("08") || state.startsWith("57P")) || cause instanceof SQLTransientConnectionException) {
            return new StoreUnavailableException("the database is unavailable: " + firstLine(e.getMessage()), e);
        }
        return new StoreException("the database call failed (SQL state " + state + ")", e);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    // ---- tenants and revisions ---------------------------------------------------------------------

    @Override
    public boolean createTenant(String tenant) {
        StoreSupport.checkTenantName(tenant);
        return run(() -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            Record created = tx.insertInto(TENANTS).set(TENANT_NAME, tenant).onConflict(TENANT_NAME).doNothing()
                    .returning(TENANT_ID_COL).fetchOne();
            if (created == null) {
                return false;
            }
            tx.insertInto(TENANT_REVISIONS).set(TENANT_ID, created.get(TENANT_ID_COL)).execute();
            return true;
        }));
    }

    @Override
    public boolean tenantExists(String tenant) {
        return findTenant(tenant).isPresent();
    }

    private Optional<Long> findTenant(String tenant) {
        Long cached = tenantIds.get(tenant);
        if (cached != null) {
            return Optional.of(cached);
        }
        Long id = run(() -> reads.select(TENANT_ID_COL).from(TENANTS).where(TENANT_NAME.eq(tenant)).fetchOne(TENANT_ID_COL));
        if (id != null) {
            tenantIds.put(tenant, id);
        }
        return Optional.ofNullable(id);
    }

    long tenantId(String tenant) {
        return findTenant(tenant).orElseThrow(() -> new TenantNotFoundException("tenant `" + tenant + "` does not exist"));
    }

    @Override
    public Revision headRevision(String tenant) {
        long id = tenantId(tenant);
        return Revision.of(run(() -> reads.select(REVISION).from(TENANT_REVISIONS).where(TENANT_ID.eq(id)).fetchOne(REVISION)));
    }

    @Override
    public Revision oldestReadableRevision(String tenant) {
        long id = tenantId(tenant);
        return Revision.of(run(() -> reads.select(GC_HORIZON).from(TENANT_REVISIONS).where(TENANT_ID.eq(id))
                .fetchOne(GC_HORIZON)));
    }

    @Override
    public Revision revisionAt(String tenant, Instant time) {
        long id = tenantId(tenant);
        Long found = run(() -> reads.select(max(REVISION)).from(REVISIONS)
                .where(TENANT_ID.eq(id)).and(COMMITTED_AT.le(timestamp(time))).fetchOne(0, Long.class));
        Revision horizon = oldestReadableRevision(tenant);
        return found == null || found < horizon.value() ? horizon : Revision.of(found);
    }

    @Override
    public Optional<Instant> committedAt(String tenant, Revision revision) {
        long id = tenantId(tenant);
        OffsetDateTime at = run(() -> reads.select(COMMITTED_AT).from(REVISIONS)
                .where(TENANT_ID.eq(id)).and(REVISION.eq(revision.value())).fetchOne(COMMITTED_AT));
        return Optional.ofNullable(at).map(OffsetDateTime::toInstant);
    }

    /** Takes the tenant's next revision; the row stays locked until the transaction ends. */
    private static long nextRevision(DSLContext tx, long tenantId) {
        Long revision = tx.update(TENANT_REVISIONS).set(REVISION, REVISION.plus(1)).where(TENANT_ID.eq(tenantId))
                .returning(REVISION).fetchOne(REVISION);
        if (revision == null) {
            throw new TenantNotFoundException("tenant " + tenantId + " has no revision row");
        }
        return revision;
    }

    private void recordRevision(DSLContext tx, long tenantId, long revision, Instant now, boolean schemaChanged,
            Map<String, Object> metadata) {
        tx.insertInto(REVISIONS)
                .set(TENANT_ID, tenantId)
                .set(REVISION, revision)
                .set(COMMITTED_AT, timestamp(now))
                .set(SCHEMA_CHANGED, schemaChanged)
                .set(METADATA, metadata == null || metadata.isEmpty() ? null : JSONB.valueOf(Json.write(metadata)))
                .execute();
    }

    // ---- writes ------------------------------------------------------------------------------------

    /** The body of a write transaction, given the tenant id, its new revision and the time. */
    private interface WriteBody<T> {
        T apply(DSLContext tx, long tenantId, long revision, Instant now);
    }

    /**
     * Runs {@code body} in a transaction that first takes the tenant's next revision (and so
     * its write lock), then lets {@code validator} check the write and checks the
     * preconditions; the caller records the revision. Whatever the validator throws rolls the
     * transaction back and reaches the caller as it is.
     */
    private <T> T writeTransaction(String tenant, List<Precondition> preconditions, WriteValidator validator,
            WriteBody<T> body) {
        long id = tenantId(tenant);
        return run(() -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            Instant now = options.clock().instant();
            long revision = nextRevision(tx, id);
            validator.validate(new TransactionContext(tx, id, Revision.of(revision - 1), now));
            checkPreconditions(tx, id, preconditions, now);
            return body.apply(tx, id, revision, now);
        }));
    }

    /**
     * What a validator sees: the transaction that holds the tenant's revision row. Every
     * writer of the tenant waits on that row, so what these queries find (each statement
     * reads what was committed when it starts) is what the write commits on.
     */
    private static final class TransactionContext implements WriteValidator.Context {

        private final DSLContext tx;
        private final long tenantId;
        private final Revision head;
        private final Instant now;

        TransactionContext(DSLContext tx, long tenantId, Revision head, Instant now) {
            this.tx = tx;
            this.tenantId = tenantId;
            this.head = head;
            this.now = now;
        }

        @Override
        public Revision head() {
            return head;
        }

        @Override
        public Optional<SchemaVersion> schema() {
            return schemaAt(tx, tenantId, head);
        }

        @Override
        public Optional<Relationship> findAny(RelationshipShape shape) {
            return findAnyQuery(tx, tenantId, shape, now).fetchOptional(PostgresTupleStore::relationship);
        }
    }

    /** One live relationship of {@code shape}: LIMIT 1, pruned to the resource type's partition (tests EXPLAIN it). */
    static ResultQuery<Record> findAnyQuery(DSLContext tx, long tenantId, RelationshipShape shape, Instant now) {
        Condition c = TENANT_ID.eq(tenantId).and(RESOURCE_TYPE.eq(shape.resourceType()));
        if (shape.relation() != null) {
            c = c.and(RELATION.eq(shape.relation()));
        }
        if (shape.subjectType() != null) {
            c = c.and(SUBJECT_TYPE.eq(shape.subjectType()));
        }
        if (shape.subjectRelation() != null) {
            c = c.and(SUBJECT_RELATION.eq(shape.subjectRelation()));
        }
        if (shape.wildcard() != null) {
            c = c.and(shape.wildcard() ? SUBJECT_ID.eq(SubjectRef.WILDCARD) : SUBJECT_ID.ne(SubjectRef.WILDCARD));
        }
        if (shape.caveat() != null) {
            c = c.and(shape.caveat().isEmpty() ? CAVEAT_NAME.isNull() : CAVEAT_NAME.eq(shape.caveat()));
        }
        if (shape.expiring() != null) {
            c = c.and(shape.expiring() ? EXPIRES_AT.isNotNull() : EXPIRES_AT.isNull());
        }
        return tx.select(RELATIONSHIP_COLUMNS).from(RELATION_TUPLES)
                .where(c).and(DELETED_REV.eq(LIVE)).and(notExpired(now))
                .limit(1);
    }

    @Override
    public Revision write(String tenant, List<RelationshipUpdate> updates, List<Precondition> preconditions,
            Map<String, Object> metadata, WriteValidator validator) {
        StoreSupport.checkWrite(options, updates, preconditions, metadata);
        return writes.submit(tenantId(tenant), new GroupCommit.Pending(updates, preconditions, metadata, validator));
    }

    private void checkPreconditions(DSLContext tx, long tenantId, List<Precondition> preconditions, Instant now) {
        PostgresWrites.checkPreconditions(tx, tenantId, preconditions, now);
    }

    private static final String END_VERSIONS = """
            UPDATE relation_tuples AS t SET deleted_rev = {0}
            FROM unnest({1}::text[], {2}::text[], {3}::text[], {4}::text[], {5}::text[], {6}::text[], {7}::boolean[])
                AS k(resource_type, resource_id, relation, subject_type, subject_id, subject_relation, only_expired)
            WHERE t.tenant_id = {8} AND t.resource_type = {10}
              AND t.resource_type = k.resource_type AND t.resource_id = k.resource_id AND t.relation = k.relation
              AND t.subject_type = k.subject_type AND t.subject_id = k.subject_id
              AND t.subject_relation = k.subject_relation
              AND t.deleted_rev = 9223372036854775807
              AND (NOT k.only_expired OR t.expires_at <= {9})
            """;

    /**
     * Ends the live versions of {@code keys} at {@code revision} (for CREATEs, only expired
     * ones): one statement per resource type, which names it so that PostgreSQL plans it on
     * that type's partition only (over all of them it took 2 ms to plan, 15 to 30 ms on a new
     * connection).
     */
    private static void endVersions(DSLContext tx, long tenantId, long revision, List<Relationship> keys,
            List<Boolean> onlyExpired, Instant now) {
        Map<String, List<Integer>> byType = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            byType.computeIfAbsent(keys.get(i).resource().type(), t -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<String, List<Integer>> e : byType.entrySet()) {
            List<Relationship> some = new ArrayList<>();
            List<Boolean> expiredOnly = new ArrayList<>();
            for (int i : e.getValue()) {
                some.add(keys.get(i));
                expiredOnly.add(onlyExpired.get(i));
            }
            KeyArrays k = KeyArrays.of(some);
            tx.execute(END_VERSIONS, DSL.val(revision), DSL.val(k.resourceTypes), DSL.val(k.resourceIds),
                    DSL.val(k.relations), DSL.val(k.subjectTypes), DSL.val(k.subjectIds), DSL.val(k.subjectRelations),
                    DSL.val(expiredOnly.toArray(new Boolean[0])), DSL.val(tenantId), DSL.val(timestamp(now)),
                    DSL.val(e.getKey()));
        }
    }

    /** Relationship keys as column arrays, for {@code unnest}. */
    private record KeyArrays(String[] resourceTypes, String[] resourceIds, String[] relations, String[] subjectTypes,
            String[] subjectIds, String[] subjectRelations) {

        static KeyArrays of(List<Relationship> rows) {
            int n = rows.size();
            KeyArrays k = new KeyArrays(new String[n], new String[n], new String[n], new String[n], new String[n],
                    new String[n]);
            for (int i = 0; i < n; i++) {
                Relationship r = rows.get(i);
                k.resourceTypes[i] = r.resource().type();
                k.resourceIds[i] = r.resource().id();
                k.relations[i] = r.relation();
                k.subjectTypes[i] = r.subject().type();
                k.subjectIds[i] = r.subject().id();
                k.subjectRelations[i] = r.subject().relationOrEmpty();
            }
            return k;
        }
    }

    @Override
    public DeleteResult delete(String tenant, RelationshipFilter filter, List<Precondition> preconditions, long limit,
            boolean allowPartial) {
        StoreSupport.checkWrite(options, List.of(), preconditions);
        return writeTransaction(tenant, preconditions, WriteValidator.NONE, (tx, id, revision, now) -> {
            var select = tx.select(KEY_COLUMNS).from(RELATION_TUPLES)
                    .where(TENANT_ID.eq(id)).and(filter(filter)).and(DELETED_REV.eq(LIVE))
                    .orderBy(KEY_COLUMNS);
            List<Relationship> matching = (limit > 0 ? select.limit(limit + 1) : select).fetch(PostgresTupleStore::key);
            boolean complete = true;
            if (limit > 0 && matching.size() > limit) {
                if (!allowPartial) {
                    throw StoreSupport.tooManyToDelete("more than " + limit + " relationships match the filter;"
                            + " raise the limit or allow partial deletion", limit, filter);
                }
                matching = matching.subList(0, (int) limit);
                complete = false;
            }
            List<Boolean> all = new ArrayList<>(java.util.Collections.nCopies(matching.size(), false));
            endVersions(tx, id, revision, matching, all, now);
            recordRevision(tx, id, revision, now, false, Map.of());
            return new DeleteResult(Revision.of(revision), matching.size(), complete);
        });
    }

    @Override
    public Revision bulkImport(String tenant, Iterator<Relationship> relationships, WriteValidator validator) {
        BulkCopy rows = new BulkCopy();
        long[] tenantId = new long[1];
        // The validator runs once the revision row is locked; the iterator is drained after it, in the COPY.
        Revision committed = writeTransaction(tenant, List.of(), validator, (tx, id, revision, now) -> {
            tenantId[0] = id;
            // Expired versions are invisible; end them so they cannot block an import of the same key.
            tx.update(RELATION_TUPLES).set(DELETED_REV, revision)
                    .where(TENANT_ID.eq(id)).and(DELETED_REV.eq(LIVE)).and(EXPIRES_AT.le(timestamp(now)))
                    .execute();
            Connection connection = tx.configuration().connectionProvider().acquire();
            try {
                rows.copy(connection.unwrap(PGConnection.class), id, revision, relationships);
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    throw BulkCopy.duplicate(e);
                }
                throw new DataAccessException("COPY failed: " + e.getMessage(), e);
            } finally {
                tx.configuration().connectionProvider().release(connection);
            }
            recordRevision(tx, id, revision, now, false, Map.of());
            return Revision.of(revision);
        });
        if (rows.rows >= BulkCopy.ANALYZE_AFTER_ROWS) {
            // In the background: the import answers once committed, whatever ANALYZE takes.
            analyzer.request(tenantId[0], rows.resourceTypes, rows.rows);
        }
        return committed;
    }

    // ---- reads -------------------------------------------------------------------------------------

    @Override
    public RelationshipPage read(String tenant, RelationshipFilter filter, Revision revision, Cursor after, int limit) {
        StoreSupport.checkLimit(limit);
        long id = tenantId(tenant);
        Instant now = options.clock().instant();
        Condition start = noCondition();
        if (after != null) {
            Relationship p = after.position();
            start = row(RESOURCE_TYPE, RESOURCE_ID, RELATION, SUBJECT_TYPE, SUBJECT_ID, SUBJECT_RELATION)
                    .gt(p.resource().type(), p.resource().id(), p.relation(), p.subject().type(), p.subject().id(),
                            p.subject().relationOrEmpty());
        }
        Condition from = start;
        List<Relationship> rows = run(() -> reads.select(RELATIONSHIP_COLUMNS).from(RELATION_TUPLES)
                .where(TENANT_ID.eq(id)).and(filter(filter)).and(visibleAt(revision, now)).and(from)
                .orderBy(KEY_COLUMNS).limit(limit)
                .fetch(PostgresTupleStore::relationship));
        Cursor next = rows.size() == limit ? Cursor.after(rows.get(rows.size() - 1)) : null;
        return new RelationshipPage(rows, next);
    }

    @Override
    public List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation) {
        if (resourceIds.isEmpty()) {
            return List.of();
        }
        long id = tenantId(tenant);
        return run(() -> subjectsOfQuery(id, revision, resourceType, resourceIds, relation)
                .fetch(PostgresTupleStore::relationship));
    }

    @Override
    public List<Relationship> subjectsOf(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, Collection<String> relations) {
        if (resourceIds.isEmpty() || relations.isEmpty()) {
            return List.of();
        }
        long id = tenantId(tenant);
        return run(() -> reads.select(RELATIONSHIP_COLUMNS).from(RELATION_TUPLES)
                .where(TENANT_ID.eq(id))
                .and(RESOURCE_TYPE.eq(resourceType))
                .and(RESOURCE_ID.eq(any(resourceIds.toArray(new String[0]))))
                .and(RELATION.eq(any(relations.toArray(new String[0]))))
                .and(visibleAt(revision, options.clock().instant()))
                .fetch(PostgresTupleStore::relationship));
    }

    @Override
    public List<Relationship> subjectsOfPage(String tenant, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation, int limit) {
        StoreSupport.checkLimit(limit);
        if (resourceIds.isEmpty()) {
            return List.of();
        }
        long id = tenantId(tenant);
        return run(() -> subjectsOfPageQuery(id, revision, resourceType, resourceIds, relation, limit)
                .fetch(PostgresTupleStore::relationship));
    }

    /**
     * A page of the forward step of many objects as a query: the objects in id order, each an
     * ordered range of the forward index read with the page's limit (a lateral read), so the
     * page stops once it is full instead of reading and sorting every row of every object.
     */
    ResultQuery<Record> subjectsOfPageQuery(long tenantId, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation, int limit) {
        org.jooq.Field<String> unnested = DSL.field(DSL.name("u", "id"), String.class);
        org.jooq.Table<?> ids = reads.selectDistinct(unnested.as("id"))
                .from(DSL.unnest(DSL.array(resourceIds.toArray(new String[0]))).as("u", "id"))
                .orderBy(unnested)
                .asTable("s");
        org.jooq.Field<String> object = DSL.field(DSL.name("s", "id"), String.class);
        org.jooq.Table<Record> rows = reads.select(RELATIONSHIP_COLUMNS).from(RELATION_TUPLES)
                .where(TENANT_ID.eq(tenantId))
                .and(RESOURCE_TYPE.eq(resourceType))
                .and(RESOURCE_ID.eq(object))
                .and(RELATION.eq(relation))
                .and(visibleAt(revision, options.clock().instant()))
                .orderBy(SUBJECT_TYPE, SUBJECT_ID, SUBJECT_RELATION)
                .limit(limit)
                .asTable("t");
        return reads.select(rows.fields()).from(ids).crossJoin(DSL.lateral(rows))
                .orderBy(object, rows.field(SUBJECT_TYPE), rows.field(SUBJECT_ID), rows.field(SUBJECT_RELATION))
                .limit(limit);
    }

    /** The forward step as a query (tests EXPLAIN it). */
    ResultQuery<Record> subjectsOfQuery(long tenantId, Revision revision, String resourceType,
            Collection<String> resourceIds, String relation) {
        return reads.select(RELATIONSHIP_COLUMNS).from(RELATION_TUPLES)
                .where(TENANT_ID.eq(tenantId))
                .and(RESOURCE_TYPE.eq(resourceType))
                .and(RESOURCE_ID.eq(any(resourceIds.toArray(new String[0]))))
                .and(RELATION.eq(relation))
                .and(visibleAt(revision, options.clock().instant()));
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds) {
        if (subjectIds.isEmpty()) {
            return List.of();
        }
        long id = tenantId(tenant);
        return run(() -> resourcesNamingQuery(id, revision, resourceType, relation, subjectType, subjectRelation,
                subjectIds).fetch(PostgresTupleStore::relationship));
    }

    @Override
    public List<Relationship> resourcesNaming(String tenant, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds, Relationship after, int limit) {
        StoreSupport.checkLimit(limit);
        if (subjectIds.isEmpty()) {
            return List.of();
        }
        long id = tenantId(tenant);
        return run(() -> resourcesNamingPageQuery(id, revision, resourceType, relation, subjectType, subjectRelation,
                subjectIds, after, limit).fetch(PostgresTupleStore::relationship));
    }

    /**
     * A page of the reverse step as a query (tests EXPLAIN it): a range of the reverse index,
     * which ends in (subject_id, resource_id). One subject id is an equality, so the index
     * gives the rows in order and the page reads only its own rows. Several ids are read one
     * after another in id order, each an ordered range of its own (a lateral read with the
     * page's limit), so the page stops once it is full instead of reading and sorting every
     * row of every id ({@code subject_id = ANY(...)} gives no order on PostgreSQL 15).
     */
    ResultQuery<Record> resourcesNamingPageQuery(long tenantId, Revision revision, String resourceType,
            String relation, String subjectType, String subjectRelation, Collection<String> subjectIds,
            Relationship after, int limit) {
        Condition from = after == null ? DSL.noCondition()
                : DSL.row(SUBJECT_ID, RESOURCE_ID).gt(after.subject().id(), after.resource().id());
        Condition step = reverseStep(tenantId, revision, resourceType, relation, subjectType, subjectRelation).and(from);
        if (subjectIds.size() == 1) {
            return reads.select(RELATIONSHIP_COLUMNS).from(RELATION_TUPLES)
                    .where(step)
                    .and(SUBJECT_ID.eq(subjectIds.iterator().next()))
                    .orderBy(SUBJECT_ID, RESOURCE_ID)
                    .limit(limit);
        }
        org.jooq.Field<String> unnested = DSL.field(DSL.name("u", "id"), String.class);
        org.jooq.Table<?> ids = reads.selectDistinct(unnested.as("id"))
                .from(DSL.unnest(DSL.array(subjectIds.toArray(new String[0]))).as("u", "id"))
                .orderBy(unnested)
                .asTable("s");
        org.jooq.Field<String> id = DSL.field(DSL.name("s", "id"), String.class);
        org.jooq.Table<Record> rows = reads.select(RELATIONSHIP_COLUMNS).from(RELATION_TUPLES)
                .where(step)
                .and(SUBJECT_ID.eq(id))
                .orderBy(RESOURCE_ID)
                .limit(limit)
                .asTable("t");
        return reads.select(rows.fields()).from(ids).crossJoin(DSL.lateral(rows))
                .orderBy(id, rows.field(RESOURCE_ID))
                .limit(limit);
    }

    /** The reverse step as a query (tests EXPLAIN it). */
    ResultQuery<Record> resourcesNamingQuery(long tenantId, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation, Collection<String> subjectIds) {
        return reads.select(RELATIONSHIP_COLUMNS).from(RELATION_TUPLES)
                .where(reverseStep(tenantId, revision, resourceType, relation, subjectType, subjectRelation))
                .and(SUBJECT_ID.eq(any(subjectIds.toArray(new String[0]))));
    }

    /** The rows of a reverse step visible at {@code revision}, for any subject id. */
    private Condition reverseStep(long tenantId, Revision revision, String resourceType, String relation,
            String subjectType, String subjectRelation) {
        return TENANT_ID.eq(tenantId)
                .and(RESOURCE_TYPE.eq(resourceType))
                .and(RELATION.eq(relation))
                .and(SUBJECT_TYPE.eq(subjectType))
                .and(SUBJECT_RELATION.eq(subjectRelation == null ? "" : subjectRelation))
                .and(visibleAt(revision, options.clock().instant()));
    }

    // ---- schema ------------------------------------------------------------------------------------

    @Override
    public Revision writeSchema(String tenant, String schemaText, WriteValidator validator) {
        return writeTransaction(tenant, List.of(), validator, (tx, id, revision, now) -> {
            tx.insertInto(SCHEMAS).set(TENANT_ID, id).set(REVISION, revision).set(SCHEMA_TEXT, schemaText).execute();
            recordRevision(tx, id, revision, now, true, Map.of());
            return Revision.of(revision);
        });
    }

    @Override
    public Optional<SchemaVersion> readSchema(String tenant, Revision revision) {
        long id = tenantId(tenant);
        return run(() -> schemaAt(reads, id, revision));
    }

    static Optional<SchemaVersion> schemaAt(DSLContext context, long tenantId, Revision revision) {
        return context.select(SCHEMA_TEXT, REVISION).from(SCHEMAS)
                .where(TENANT_ID.eq(tenantId)).and(REVISION.le(revision.value()))
                .orderBy(REVISION.desc()).limit(1)
                .fetchOptional(r -> new SchemaVersion(r.get(SCHEMA_TEXT), Revision.of(r.get(REVISION))));
    }

    // ---- history -----------------------------------------------------------------------------------

    @Override
    public List<ChangeSet> changesSince(String tenant, Revision after, int maxRevisions) {
        StoreSupport.checkLimit(maxRevisions);
        long id = tenantId(tenant);
        // One snapshot for the horizon and the history: garbage collection commits a new horizon
        // before it deletes (PostgresGarbage), so a snapshot that still sees the old horizon still
        // sees every row, and one that sees the new horizon refuses a position older than it. Each
        // statement has the read timeout; a cancelled one rolls the read-only transaction back.
        return run(() -> reads.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            long oldest = tx.select(GC_HORIZON).from(TENANT_REVISIONS).where(TENANT_ID.eq(id)).fetchOne(GC_HORIZON);
            if (after.value() < oldest) {
                throw new RevisionUnavailableException("changes after revision " + after + " are gone: garbage"
                        + " collection removed history before revision " + oldest + "; start again from a newer"
                        + " revision (read the current state, then watch from its token)");
            }
            var revisions = tx.select(REVISION, COMMITTED_AT, SCHEMA_CHANGED, METADATA).from(REVISIONS)
                    .where(TENANT_ID.eq(id)).and(REVISION.gt(after.value()))
                    .orderBy(REVISION).limit(maxRevisions).fetch();
            if (revisions.isEmpty()) {
                return List.of();
            }
            long last = revisions.get(revisions.size() - 1).get(REVISION);
            Map<Long, List<Relationship>> created = new HashMap<>();
            tx.select(RELATIONSHIP_COLUMNS).select(CREATED_REV).from(RELATION_TUPLES)
                    .where(TENANT_ID.eq(id)).and(CREATED_REV.gt(after.value())).and(CREATED_REV.le(last))
                    .fetch().forEach(r -> created.computeIfAbsent(r.get(CREATED_REV), k -> new ArrayList<>())
                            .add(relationship(r)));
            Map<Long, List<Relationship>> deleted = new HashMap<>();
            tx.select(RELATIONSHIP_COLUMNS).select(DELETED_REV).from(RELATION_TUPLES)
                    .where(TENANT_ID.eq(id)).and(DELETED_REV.gt(after.value())).and(DELETED_REV.le(last))
                    .fetch().forEach(r -> deleted.computeIfAbsent(r.get(DELETED_REV), k -> new ArrayList<>())
                            .add(relationship(r)));
            List<ChangeSet> out = new ArrayList<>();
            for (var r : revisions) {
                long revision = r.get(REVISION);
                TreeMap<Relationship, RelationshipUpdate> changes = new TreeMap<>();
                for (Relationship gone : deleted.getOrDefault(revision, List.of())) {
                    changes.put(gone.key(), RelationshipUpdate.delete(gone));
                }
                for (Relationship written : created.getOrDefault(revision, List.of())) {
                    changes.put(written.key(), RelationshipUpdate.touch(written));
                }
                JSONB metadata = r.get(METADATA);
                out.add(new ChangeSet(Revision.of(revision), r.get(COMMITTED_AT).toInstant(),
                        new ArrayList<>(changes.values()), r.get(SCHEMA_CHANGED),
                        metadata == null ? Map.of() : Json.readObject(metadata.data())));
            }
            return out;
        }));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One instance at a time: a run while another (of any instance on the database) holds
     * the collector's advisory lock removes nothing and returns zeros; see {@link PostgresGarbage}.
     */
    @Override
    public GcResult collectGarbage() {
        Instant now = options.clock().instant();
        Instant cutoff = now.minus(options.gcWindow());
        return run(() -> {
            try {
                return garbage.collect(now, cutoff);
            } catch (SQLException e) {
                throw new DataAccessException("garbage collection failed: " + e.getMessage(), e);
            }
        });
    }

    /** The garbage collector, for tests that hold a run while it has the lock. */
    PostgresGarbage garbage() {
        return garbage;
    }

    // ---- mapping -----------------------------------------------------------------------------------

    private static Condition visibleAt(Revision revision, Instant now) {
        return CREATED_REV.le(revision.value()).and(DELETED_REV.gt(revision.value())).and(notExpired(now));
    }

    private static Condition notExpired(Instant now) {
        return EXPIRES_AT.isNull().or(EXPIRES_AT.gt(timestamp(now)));
    }

    static Condition filter(RelationshipFilter f) {
        Condition c = noCondition();
        if (f.resourceType() != null) {
            c = c.and(RESOURCE_TYPE.eq(f.resourceType()));
        }
        if (f.resourceId() != null) {
            c = c.and(RESOURCE_ID.eq(f.resourceId()));
        }
        if (f.resourceIdPrefix() != null) {
            c = c.and(RESOURCE_ID.startsWith(f.resourceIdPrefix()));
        }
        if (f.relation() != null) {
            c = c.and(RELATION.eq(f.relation()));
        }
        if (f.subject() != null) {
            c = c.and(SUBJECT_TYPE.eq(f.subject().type()));
            if (f.subject().id() != null) {
                c = c.and(SUBJECT_ID.eq(f.subject().id()));
            }
            if (f.subject().relation() != null) {
                c = c.and(SUBJECT_RELATION.eq(f.subject().relation()));
            }
        }
        return c;
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    static Relationship relationship(Record r) {
        String caveatName = r.get(CAVEAT_NAME);
        Caveat caveat = null;
        if (caveatName != null) {
            JSONB context = r.get(CAVEAT_CONTEXT);
            caveat = new Caveat(caveatName, context == null ? Map.of() : Json.readObject(context.data()));
        }
        OffsetDateTime expires = r.get(EXPIRES_AT);
        return new Relationship(new ObjectRef(r.get(RESOURCE_TYPE), r.get(RESOURCE_ID)), r.get(RELATION),
                new SubjectRef(r.get(SUBJECT_TYPE), r.get(SUBJECT_ID), r.get(SUBJECT_RELATION)), caveat,
                expires == null ? null : expires.toInstant());
    }

    private static Relationship key(Record r) {
        return new Relationship(new ObjectRef(r.get(RESOURCE_TYPE), r.get(RESOURCE_ID)), r.get(RELATION),
                new SubjectRef(r.get(SUBJECT_TYPE), r.get(SUBJECT_ID), r.get(SUBJECT_RELATION)), null, null);
    }

    @Override
    public void close() {
        analyzer.close();
        failFast.close();
        if (ownedPool != null) {
            if (options.clock() instanceof DatabaseClock clock) {
                clock.close();
            }
            ownedPool.close();
        }
    }
}
