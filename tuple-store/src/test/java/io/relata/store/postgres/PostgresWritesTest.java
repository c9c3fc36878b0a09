package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.store.AlreadyExistsException;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.SchemaVersion;
import io.relata.store.StoreOptions;
import io.relata.store.WriteValidator;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How many round trips a group of writes costs ({@link PostgresWrites}), counted as the
 * statements executed and the transaction commands sent through the driver (each one round
 * trip with the PostgreSQL driver), and that the schema a write is validated against is the
 * one in effect even when another server changed it: a write validated against the schema
 * this server saw last is refused by PostgreSQL under the lock when another is in effect, and
 * then validated again against that one.
 */
class PostgresWritesTest {

    private final AtomicInteger roundTrips = new AtomicInteger();
    private final List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    private PostgresTupleStore store;
    private PostgresWrites writes;
    private String tenant;
    private long tenantId;

    @BeforeEach
    void open() {
        store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
        writes = new PostgresWrites(counting(TestDatabase.pool()), StoreOptions.DEFAULTS);
        tenant = "t-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, "definition user {}\ndefinition doc {\n  relation viewer: user\n}");
        tenantId = store.tenantId(tenant);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static GroupCommit.Pending touch(String r, WriteValidator validator) {
        return new GroupCommit.Pending(List.of(RelationshipUpdate.touch(Relationship.parse(r))), List.of(), Map.of(),
                validator);
    }

    private static final WriteValidator READS_SCHEMA = context -> assertThat(context.schema()).isPresent();

    private int roundTripsOf(List<GroupCommit.Pending> group) {
        roundTrips.set(0);
        writes.commit(tenantId, group, () -> {});
        return roundTrips.get();
    }

    @Test
    void aGroupOfTouchesWithoutPreconditions_costsOneRoundTrip_whateverItsSize() {
        List<GroupCommit.Pending> one = List.of(touch("doc:a#viewer@user:1", READS_SCHEMA));
        // The first write learns the schema: the start of the transaction, the schema text, the writes.
        assertThat(roundTripsOf(one)).isEqualTo(3);
        assertThat(roundTripsOf(List.of(touch("doc:a#viewer@user:2", READS_SCHEMA)))).isEqualTo(1);
        List<GroupCommit.Pending> ten = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ten.add(touch("doc:g" + i + "#viewer@user:" + i, READS_SCHEMA));
        }
        ten.add(touch("doc:g0#viewer@user:0", READS_SCHEMA)); // touched twice in the group
        assertThat(roundTripsOf(ten)).isEqualTo(1);
        Revision revision = ten.get(0).result.join();
        for (GroupCommit.Pending p : ten) {
            assertThat(p.result.join()).isEqualTo(revision);
        }
        assertThat(store.read(tenant, RelationshipFilter.ofType("doc"), revision, null, 100).relationships())
                .hasSize(12);
    }

    private long statementsOf(String start) {
        return sent.stream().flatMap(text -> java.util.Arrays.stream(text.split(";")))
                .filter(statement -> statement.strip().startsWith(start)).count();
    }

    @Test
    void theTouchesOfAGroup_goAsOneUpdateAndOneInsertPerType_andStillApplyInOrder() {
        roundTripsOf(List.of(touch("doc:a#viewer@user:0", READS_SCHEMA)));
        store.write(tenant, List.of(RelationshipUpdate.touch(Relationship.parse("doc:old#viewer@user:1"))));
        List<GroupCommit.Pending> group = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            group.add(touch("doc:m" + i + "#viewer@user:" + i, READS_SCHEMA));
        }
        group.add(touch("doc:old#viewer@user:1", READS_SCHEMA)); // ends the version of an earlier revision
        group.add(new GroupCommit.Pending(List.of(RelationshipUpdate.delete(Relationship.parse("doc:m3#viewer@user:3"))),
                List.of(), Map.of(), READS_SCHEMA)); // removes one created in this group: sent after its insert
        group.add(touch("doc:m9#viewer@user:9", READS_SCHEMA));
        sent.clear();
        assertThat(roundTripsOf(group)).isEqualTo(1);
        assertThat(statementsOf("UPDATE relation_tuples")).as("versions ended").isEqualTo(2);
        assertThat(statementsOf("DELETE FROM relation_tuples")).as("versions of this revision removed").isEqualTo(1);
        assertThat(statementsOf("INSERT INTO relation_tuples")).as("inserts").isEqualTo(2);
        Revision revision = group.get(0).result.join();
        assertThat(store.read(tenant, RelationshipFilter.ofType("doc"), revision, null, 100).relationships())
                .extracting(Object::toString).containsExactlyInAnyOrder("doc:a#viewer@user:0", "doc:old#viewer@user:1",
                        "doc:m0#viewer@user:0", "doc:m1#viewer@user:1", "doc:m2#viewer@user:2", "doc:m4#viewer@user:4",
                        "doc:m5#viewer@user:5", "doc:m6#viewer@user:6", "doc:m7#viewer@user:7", "doc:m9#viewer@user:9");
        assertThat(store.read(tenant, RelationshipFilter.ofType("doc"), Revision.of(revision.value() - 1), null, 100)
                .relationships()).extracting(Object::toString).containsExactlyInAnyOrder("doc:a#viewer@user:0",
                        "doc:old#viewer@user:1");
    }

    @Test
    void aFailedCreateInAGroup_failsAlone_andTheTouchesAroundItCommit() {
        store.write(tenant, List.of(RelationshipUpdate.touch(Relationship.parse("doc:x#viewer@user:x"))));
        GroupCommit.Pending before = touch("doc:b#viewer@user:1", READS_SCHEMA);
        GroupCommit.Pending create = new GroupCommit.Pending(List.of(RelationshipUpdate.touch(
                Relationship.parse("doc:partial#viewer@user:1")), RelationshipUpdate.create(
                Relationship.parse("doc:x#viewer@user:x"))), List.of(), Map.of(), READS_SCHEMA);
        GroupCommit.Pending after = touch("doc:c#viewer@user:1", READS_SCHEMA);
        writes.commit(tenantId, List.of(before, create, after), () -> {});
        assertThat(before.result.join()).isEqualTo(after.result.join());
        try {
            create.result.join();
            throw new AssertionError("the CREATE of an existing relationship committed");
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(AlreadyExistsException.class);
        }
        assertThat(store.read(tenant, RelationshipFilter.ofType("doc"), after.result.join(), null, 100).relationships())
                .extracting(Object::toString)
                .containsExactlyInAnyOrder("doc:b#viewer@user:1", "doc:c#viewer@user:1", "doc:x#viewer@user:x");
    }

    @Test
    void aSchemaChangedByAnotherServer_isTheOneTheNextWriteIsValidatedAgainst() {
        List<Optional<SchemaVersion>> seen = new ArrayList<>();
        WriteValidator recording = context -> seen.add(context.schema());
        writes.commit(tenantId, List.of(touch("doc:a#viewer@user:1", recording)), () -> {});
        String next = "definition user {}\ndefinition doc {\n  relation viewer: user\n  relation editor: user\n}";
        try (PostgresTupleStore other = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS)) {
            other.writeSchema(tenant, next);
        }
        GroupCommit.Pending second = touch("doc:a#viewer@user:2", recording);
        // The cached schema first (refused under the lock), then the one in effect, read with its text.
        assertThat(roundTripsOf(List.of(second))).isEqualTo(5);
        assertThat(seen).hasSize(3);
        assertThat(seen.get(0).orElseThrow().text()).doesNotContain("editor");
        assertThat(seen.get(1).orElseThrow().text()).doesNotContain("editor");
        assertThat(seen.get(2).orElseThrow().text()).isEqualTo(next);
        assertThat(seen.get(2).orElseThrow().revision()).isEqualTo(store.readSchema(tenant, store.headRevision(tenant))
                .orElseThrow().revision());
        assertThat(second.result.join()).isEqualTo(store.headRevision(tenant));
        assertThat(roundTripsOf(List.of(touch("doc:a#viewer@user:3", recording)))).isEqualTo(1);
        assertThat(seen.get(3).orElseThrow().text()).isEqualTo(next);
    }

    /** Refuses a relationship of relation {@code editor} unless the schema it sees defines it. */
    private static WriteValidator editorNeedsSchema(List<String> seen) {
        return context -> {
            String text = context.schema().orElseThrow().text();
            seen.add(text.contains("editor") ? "with editor" : "without editor");
            if (!text.contains("editor")) {
                throw new io.relata.store.InvalidRequestException("doc has no relation editor");
            }
        };
    }

    @Test
    void aWriteTheCachedSchemaAccepts_butTheSchemaInEffectRefuses_isRefused() {
        List<String> seen = new ArrayList<>();
        String withEditor = "definition user {}\ndefinition doc {\n  relation viewer: user\n  relation editor: user\n}";
        store.writeSchema(tenant, withEditor);
        writes.commit(tenantId, List.of(touch("doc:a#editor@user:1", editorNeedsSchema(seen))), () -> {});
        try (PostgresTupleStore other = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS)) {
            other.writeSchema(tenant, "definition user {}\ndefinition doc {\n  relation viewer: user\n}");
        }
        GroupCommit.Pending late = touch("doc:b#editor@user:1", editorNeedsSchema(seen));
        GroupCommit.Pending plain = touch("doc:b#viewer@user:1", READS_SCHEMA);
        writes.commit(tenantId, List.of(late, plain), () -> {});
        assertThat(seen).containsExactly("with editor", "with editor", "without editor");
        assertThatThrownBy(late.result::join).hasCauseInstanceOf(io.relata.store.InvalidRequestException.class);
        Revision head = store.headRevision(tenant);
        assertThat(plain.result.join()).isEqualTo(head);
        assertThat(store.read(tenant, RelationshipFilter.ofType("doc"), head, null, 100).relationships())
                .extracting(Object::toString).containsExactlyInAnyOrder("doc:a#editor@user:1", "doc:b#viewer@user:1");
    }

    @Test
    void aWriteTheCachedSchemaRefuses_butTheSchemaInEffectAccepts_commits() {
        List<String> seen = new ArrayList<>();
        writes.commit(tenantId, List.of(touch("doc:a#viewer@user:1", READS_SCHEMA)), () -> {});
        try (PostgresTupleStore other = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS)) {
            other.writeSchema(tenant, "definition user {}\ndefinition doc {\n  relation viewer: user\n"
                    + "  relation editor: user\n}");
        }
        GroupCommit.Pending write = touch("doc:a#editor@user:1", editorNeedsSchema(seen));
        writes.commit(tenantId, List.of(write), () -> {});
        assertThat(seen).containsExactly("without editor", "with editor");
        assertThat(write.result.join()).isEqualTo(store.headRevision(tenant));
    }

    @Test
    void aValidatorAskingForTheHead_seesTheRevisionBeforeTheWrite() {
        writes.commit(tenantId, List.of(touch("doc:a#viewer@user:1", READS_SCHEMA)), () -> {});
        Revision before = store.headRevision(tenant);
        List<Revision> heads = new ArrayList<>();
        GroupCommit.Pending write = touch("doc:a#viewer@user:2", context -> heads.add(context.head()));
        // The head needs the lock: the start of the transaction is sent on its own, then the writes.
        assertThat(roundTripsOf(List.of(write))).isEqualTo(2);
        assertThat(heads).containsExactly(before);
        assertThat(write.result.join().value()).isEqualTo(before.value() + 1);
    }

    // ---- counting ---------------------------------------------------------------------------------

    private static final Set<String> STATEMENT_CALLS = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch");
    private static final Set<String> CONNECTION_CALLS = Set.of("commit", "rollback", "setSavepoint",
            "releaseSavepoint");

    private DataSource counting(DataSource real) {
        return proxy(DataSource.class, real, (target, method, args) -> {
            Object result = invoke(method, target, args);
            return method.getName().equals("getConnection") ? connection((Connection) result) : result;
        });
    }

    private Connection connection(Connection real) {
        return proxy(Connection.class, real, (target, method, args) -> {
            if (CONNECTION_CALLS.contains(method.getName())) {
                roundTrips.incrementAndGet();
            }
            if (method.getName().equals("prepareStatement")) {
                sent.add((String) args[0]);
            }
            Object result = invoke(method, target, args);
            if (result instanceof PreparedStatement s) {
                return proxy(PreparedStatement.class, s, this::statementCall);
            }
            if (result instanceof Statement s) {
                return proxy(Statement.class, s, this::statementCall);
            }
            return result;
        });
    }

    private Object statementCall(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        if (STATEMENT_CALLS.contains(method.getName())) {
            roundTrips.incrementAndGet();
        }
        return invoke(method, target, args);
    }

    private interface Call {
        Object call(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<T> type, T target, Call call) {
        InvocationHandler handler = (p, method, args) -> call.call(target, method, args);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
