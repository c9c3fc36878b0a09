package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.relata.engine.EngineOptions;
import io.relata.engine.GraphCheckEngine;
import io.relata.schema.Schema;
import io.relata.schema.SchemaCompiler;
import io.relata.store.ChangeSet;
import io.relata.store.Cursor;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipPage;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.TupleStore;
import io.relata.zookie.ConsistencyResolver;
import io.relata.zookie.ZookieCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schema and relationship writes are checked against the schema in effect when they commit,
 * on every store (each store's test extends this class): a schema change that would leave
 * relationships the new schema forbids is refused, naming what is still in use, and the old
 * schema stays in effect; relationship writes racing a schema change never commit what the
 * schema at their revision forbids.
 */
abstract class WriteValidationContract {

    /** A store over the implementation's storage; closed after each test. */
    protected abstract TupleStore newStore();

    private TupleStore store;
    private GraphCheckEngine engine;
    private Api api;
    private String tenant;

    @BeforeEach
    void open() {
        store = newStore();
        engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Map.of(), "write-validation-secret-0123456789",
                Duration.ZERO, 64 * 1024, 50, EngineOptions.DEFAULTS, null);
        api = new Api(store, engine, new ConsistencyResolver(store, new ZookieCodec(config.tokenSecret()),
                config.quantization(), Clock.systemUTC()), config, new SimpleMeterRegistry());
        tenant = newTenant();
    }

    @AfterEach
    void close() {
        engine.close();
        store.close();
    }

    private String newTenant() {
        String name = "wv-" + UUID.randomUUID();
        store.createTenant(name);
        return name;
    }

    private void writeSchema(String tenant, String schema) {
        api.schemaWrite(tenant, new JsonObject().put("schema", schema));
    }

    private String schemaText(String tenant) {
        return api.schemaRead(tenant, new JsonObject()).getString("schemaText");
    }

    private static JsonObject update(RelationshipUpdate.Operation operation, String relationship) {
        return new JsonObject().put("operation", "OPERATION_" + operation.name())
                .put("relationship", Json.relationship(Relationship.parse(relationship)));
    }

    private void write(String tenant, RelationshipUpdate.Operation operation, String relationship) {
        api.relationshipsWrite(tenant, new JsonObject().put("updates", new JsonArray().add(update(operation, relationship))));
    }

    // ---- a schema change may not leave relationships its schema forbids ---------------------------

    static Stream<Arguments> schemaChanges() {
        return Stream.of(
                Arguments.of("a relation that relationships use", """
                        definition user {}
                        definition group {
                            relation member: user
                        }
                        definition document {
                            relation viewer: user | group#member
                        }
                        """, List.of("document:somedoc#viewer@user:alice"), """
                        definition user {}
                        definition group {
                            relation member: user
                        }
                        definition document {}
                        """, "cannot delete relation `viewer` in object definition `document`, as at least one"
                        + " relationship exists under it: document:somedoc#viewer@user:alice"),
                Arguments.of("a relation that relationships name as their subject's relation", """
                        definition user {}
                        definition group {
                            relation member: user
                        }
                        definition document {
                            relation viewer: user | group#member
                        }
                        """, List.of("document:somedoc#viewer@group:eng#member"), """
                        definition user {}
                        definition group {}
                        definition document {
                            relation viewer: user
                        }
                        """, "cannot delete relation `member` in object definition `group`, as at least one"
                        + " relationship references it as part of a subject: document:somedoc#viewer@group:eng#member"),
                Arguments.of("a definition that relationships use", """
                        definition user {}
                        definition legacy {
                            relation owner: user
                        }
                        """, List.of("legacy:old#owner@user:alice"), """
                        definition user {}
                        """, "cannot delete object definition `legacy`, as at least one relationship exists under it:"
                        + " legacy:old#owner@user:alice"),
                Arguments.of("an allowed subject relation that relationships use", """
                        definition user {}
                        definition group {
                            relation member: user
                        }
                        definition document {
                            relation viewer: user | group#member
                        }
                        """, List.of("document:somedoc#viewer@user:alice", "document:somedoc#viewer@group:eng#member"), """
                        definition user {}
                        definition group {
                            relation member: user
                        }
                        definition document {
                            relation viewer: user
                        }
                        """, "cannot remove allowed type `group#member` from relation `viewer` in object definition"
                        + " `document`, as a relationship exists with it: document:somedoc#viewer@group:eng#member"),
                Arguments.of("an allowed subject relation no relationship uses", """
                        definition user {}
                        definition group {
                            relation member: user
                        }
                        definition document {
                            relation viewer: user | group#member
                        }
                        """, List.of("document:somedoc#viewer@user:alice"), """
                        definition user {}
                        definition group {
                            relation member: user
                        }
                        definition document {
                            relation viewer: user
                        }
                        """, null),
                Arguments.of("a plain subject type that relationships use, while its subject relation stays", """
                        definition user {
                            relation foo: user
                        }
                        definition document {
                            relation reader: user | user#foo
                        }
                        """, List.of("document:firstdoc#reader@user:tom"), """
                        definition user {
                            relation foo: user
                        }
                        definition document {
                            relation reader: user#foo
                        }
                        """, "cannot remove allowed type `user` from relation `reader` in object definition `document`,"
                        + " as a relationship exists with it: document:firstdoc#reader@user:tom"),
                Arguments.of("a wildcard that relationships use", """
                        definition user {}
                        definition document {
                            relation viewer: user | user:*
                        }
                        """, List.of("document:public#viewer@user:alice", "document:public#viewer@user:*"), """
                        definition user {}
                        definition document {
                            relation viewer: user
                        }
                        """, "cannot remove allowed type `user:*` from relation `viewer` in object definition"
                        + " `document`, as a relationship exists with it: document:public#viewer@user:*"),
                Arguments.of("a wildcard no relationship uses", """
                        definition user {}
                        definition document {
                            relation viewer: user | user:*
                        }
                        """, List.of("document:public#viewer@user:alice"), """
                        definition user {}
                        definition document {
                            relation viewer: user
                        }
                        """, null),
                Arguments.of("a plain subject type, when only the wildcard is used", """
                        definition user {}
                        definition document {
                            relation viewer: user | user:*
                        }
                        """, List.of("document:public#viewer@user:*"), """
                        definition user {}
                        definition document {
                            relation viewer: user:*
                        }
                        """, null),
                Arguments.of("a caveated subject type that relationships use", """
                        caveat only_on_tuesday(day_of_week string) {
                            day_of_week == 'tuesday'
                        }
                        definition user {}
                        definition document {
                            relation reader: user | user with only_on_tuesday
                        }
                        """, List.of("document:firstdoc#reader@user:tom[only_on_tuesday]"), """
                        caveat only_on_tuesday(day_of_week string) {
                            day_of_week == 'tuesday'
                        }
                        definition user {}
                        definition document {
                            relation reader: user
                        }
                        """, "cannot remove allowed type `user with only_on_tuesday` from relation `reader` in object"
                        + " definition `document`, as a relationship exists with it:"
                        + " document:firstdoc#reader@user:tom[only_on_tuesday]"),
                Arguments.of("a caveat that relationships use, with the types that name it", """
                        caveat only_on_tuesday(day_of_week string) {
                            day_of_week == 'tuesday'
                        }
                        definition user {}
                        definition document {
                            relation reader: user with only_on_tuesday
                        }
                        """, List.of("document:firstdoc#reader@user:tom[only_on_tuesday]"), """
                        definition user {}
                        definition document {
                            relation reader: user
                        }
                        """, "cannot remove allowed type `user with only_on_tuesday` from relation `reader` in object"
                        + " definition `document`, as a relationship exists with it:"
                        + " document:firstdoc#reader@user:tom[only_on_tuesday]"),
                Arguments.of("a plain subject type, when only caveated relationships use the subject type", """
                        caveat only_on_tuesday(day_of_week string) {
                            day_of_week == 'tuesday'
                        }
                        definition user {}
                        definition document {
                            relation reader: user | user with only_on_tuesday
                        }
                        """, List.of("document:firstdoc#reader@user:tom[only_on_tuesday]"), """
                        caveat only_on_tuesday(day_of_week string) {
                            day_of_week == 'tuesday'
                        }
                        definition user {}
                        definition document {
                            relation reader: user with only_on_tuesday
                        }
                        """, null),
                Arguments.of("an expiring subject type that expiring relationships use", """
                        use expiration
                        definition user {}
                        definition document {
                            relation reader: user with expiration
                        }
                        """, List.of("document:firstdoc#reader@user:tom[expiration:2100-01-01T00:00:00Z]"), """
                        use expiration
                        definition user {}
                        definition document {
                            relation reader: user
                        }
                        """, "cannot remove allowed type `user with expiration` from relation `reader` in object"
                        + " definition `document`, as a relationship exists with it:"
                        + " document:firstdoc#reader@user:tom[expiration:2100-01-01T00:00:00Z]"),
                Arguments.of("an expiring subject type, when no relationship expires", """
                        use expiration
                        definition user {}
                        definition document {
                            relation reader: user with expiration
                        }
                        """, List.of("document:firstdoc#reader@user:tom"), """
                        use expiration
                        definition user {}
                        definition document {
                            relation reader: user
                        }
                        """, null));
    }

    @ParameterizedTest(name = "removing {0}")
    @MethodSource("schemaChanges")
    void schemaChange_isRefusedWhileRelationshipsStillUseWhatItRemoves(String name, String before,
            List<String> relationships, String after, String refusal) {
        writeSchema(tenant, before);
        for (String r : relationships) {
            write(tenant, RelationshipUpdate.Operation.TOUCH, r);
        }
        Revision head = store.headRevision(tenant);

        if (refusal == null) {
            writeSchema(tenant, after);
            assertThat(schemaText(tenant)).isEqualTo(after);
            return;
        }
        assertThatThrownBy(() -> writeSchema(tenant, after))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code).isEqualTo(ApiException.INVALID_ARGUMENT))
                .hasMessage(refusal);
        assertThat(schemaText(tenant)).as("the old schema stays in effect").isEqualTo(before);
        assertThat(store.headRevision(tenant)).as("nothing was written").isEqualTo(head);
    }

    @Test
    void schemaChange_goesThroughOnceTheRelationshipsItWouldOrphanAreDeleted() {
        String before = """
                definition user {}
                definition document {
                    relation viewer: user | user:*
                    relation banned: user
                }
                """;
        String after = """
                definition user {}
                definition document {
                    relation viewer: user
                }
                """;
        writeSchema(tenant, before);
        write(tenant, RelationshipUpdate.Operation.TOUCH, "document:a#viewer@user:*");
        write(tenant, RelationshipUpdate.Operation.TOUCH, "document:a#banned@user:mallory");
        assertThatThrownBy(() -> writeSchema(tenant, after)).isInstanceOf(ApiException.class);

        write(tenant, RelationshipUpdate.Operation.DELETE, "document:a#viewer@user:*");
        assertThatThrownBy(() -> writeSchema(tenant, after)).hasMessageContaining("relation `banned`");
        write(tenant, RelationshipUpdate.Operation.DELETE, "document:a#banned@user:mallory");
        writeSchema(tenant, after);

        assertThat(schemaText(tenant)).isEqualTo(after);
    }

    // ---- relationship writes racing a schema change ------------------------------------------------

    private static final String OPEN = """
            definition user {}
            definition group {
                relation member: user
            }
            definition doc {
                relation viewer: user | group#member
            }
            """;

    /** {@link #OPEN} without `group#member` on `doc#viewer`. */
    private static final String CLOSED = """
            definition user {}
            definition group {
                relation member: user
            }
            definition doc {
                relation viewer: user
            }
            """;

    /**
     * Two writers keep adding and removing a `doc#viewer@group#member` relationship while a
     * schema change that forbids it retries until no such relationship is there. Whatever the
     * interleaving, every relationship a write committed must be allowed by the schema in
     * effect at its revision, and after the change none may be left.
     */
    @Test
    void relationshipWritesRacingASchemaChange_neverCommitWhatTheSchemaAtTheirRevisionForbids() throws Exception {
        int writers = 2;
        long budget = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        List<String> violations = new ArrayList<>();
        int rounds = 0;
        int changed = 0;
        try {
            while (rounds < 200 && System.nanoTime() < budget && violations.isEmpty()) {
                rounds++;
                String round = newTenant();
                writeSchema(round, OPEN);
                engine.schema(round, store.headRevision(round));
                CyclicBarrier start = new CyclicBarrier(writers + 1);
                AtomicBoolean schemaChanged = new AtomicBoolean();
                long roundEnd = System.nanoTime() + Duration.ofMillis(400).toNanos();
                List<Future<?>> tasks = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    String relationship = "doc:d" + w + "#viewer@group:eng#member";
                    tasks.add(pool.submit(() -> {
                        start.await();
                        int afterChange = 0;
                        while (System.nanoTime() < roundEnd) {
                            try {
                                write(round, RelationshipUpdate.Operation.TOUCH, relationship);
                            } catch (ApiException refused) {
                                // The schema no longer allows it.
                            }
                            if (schemaChanged.get() && ++afterChange >= 3) {
                                return null;
                            }
                            write(round, RelationshipUpdate.Operation.DELETE, relationship);
                        }
                        return null;
                    }));
                }
                tasks.add(pool.submit(() -> {
                    start.await();
                    while (System.nanoTime() < roundEnd) {
                        try {
                            writeSchema(round, CLOSED);
                            schemaChanged.set(true);
                            return null;
                        } catch (ApiException stillInUse) {
                            Thread.onSpinWait();
                        }
                    }
                    return null;
                }));
                for (Future<?> task : tasks) {
                    task.get(30, TimeUnit.SECONDS);
                }
                if (schemaChanged.get()) {
                    changed++;
                }
                violations.addAll(violations(round));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(violations).as("relationships the schema at their revision forbids, after %d rounds", rounds)
                .isEmpty();
        assertThat(changed).as("rounds in which the schema change went through, of %d", rounds)
                .isGreaterThan(rounds / 4);
    }

    /** Every committed relationship the schema at its revision forbids, and every one left at the head. */
    private List<String> violations(String tenant) {
        List<String> out = new ArrayList<>();
        Revision after = Revision.ZERO;
        while (true) {
            List<ChangeSet> changes = store.changesSince(tenant, after, 500);
            if (changes.isEmpty()) {
                break;
            }
            for (ChangeSet change : changes) {
                after = change.revision();
                if (change.updates().isEmpty()) {
                    continue;
                }
                Schema schema = schemaAt(tenant, change.revision());
                for (RelationshipUpdate u : change.updates()) {
                    if (u.operation() != RelationshipUpdate.Operation.DELETE && !allowed(schema, u.relationship())) {
                        out.add(u.relationship() + " committed at revision " + change.revision());
                    }
                }
            }
        }
        Revision head = store.headRevision(tenant);
        Schema schema = schemaAt(tenant, head);
        Cursor cursor = null;
        do {
            RelationshipPage page = store.read(tenant, RelationshipFilter.ofType("doc"), head, cursor, 100);
            for (Relationship r : page.relationships()) {
                if (!allowed(schema, r)) {
                    out.add(r + " live at the head, revision " + head);
                }
            }
            cursor = page.next();
        } while (cursor != null);
        return out;
    }

    private Schema schemaAt(String tenant, Revision revision) {
        return SchemaCompiler.compile(store.readSchema(tenant, revision).orElseThrow().text()).orThrow();
    }

    private static boolean allowed(Schema schema, Relationship r) {
        try {
            Api.allowed(schema, r);
            return true;
        } catch (ApiException forbidden) {
            return false;
        }
    }
}
