package io.relata.server;

import static io.relata.server.Requests.atExactSnapshot;
import static io.relata.server.Requests.atLeastAsFresh;
import static io.relata.server.Requests.check;
import static io.relata.server.Requests.delete;
import static io.relata.server.Requests.minimizeLatency;
import static io.relata.server.Requests.touch;
import static io.relata.server.Requests.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The new-enemy guarantee over real HTTP: a check at least as fresh as the token of a write
 * reflects that write. Each round adds a member, waits until {@code minimizeLatency} (the
 * quantized revision) shows it, so the reading server's check and relationship caches hold
 * the member at that older revision, then removes it and at once checks with the removal's
 * token: the answer must be NO every time, while a stale read would still say HAS. Exact
 * snapshots at the two tokens must give the answers of their revisions.
 *
 * <p>On the memory store, on PostgreSQL, and across two servers on one PostgreSQL database,
 * where the removal goes through one server and the checks through the other, whose caches
 * are its own. The servers share a token secret, so each accepts the other's tokens.
 */
class NewEnemyTest {

    /** Short, so a round waits little for minimizeLatency to show the member. */
    private static final Duration WINDOW = Duration.ofMillis(300);
    /** How long minimizeLatency may take to show a write: a few windows. */
    private static final Duration PATIENCE = WINDOW.multipliedBy(10);
    private static final int ROUNDS = 10;
    private static final String SECRET = "new-enemy-secret-0123456789";
    static final String KEY = "new-enemy-key-" + UUID.randomUUID();
    static final String HAS = "PERMISSIONSHIP_HAS_PERMISSION";
    static final String NO = "PERMISSIONSHIP_NO_PERMISSION";

    /** A direct relation and an arrow through it, so both a relation and a permission are checked. */
    static final String SCHEMA = """
            definition user {}

            definition group {
                relation member: user | group#member
            }

            definition project {
                relation namespace: group
                permission view = namespace->member
            }
            """;

    @Test
    void memoryStore_aCheckAsFreshAsARemoval_saysNo_whileTheCachesHoldTheMember() throws Exception {
        MemoryTupleStore store = new MemoryTupleStore();
        try (TestServer server = TestServer.start(config(tenant()), store, new MemoryApiKeys(store))) {
            rounds(server, server);
        }
    }

    @Test
    void postgres_aCheckAsFreshAsARemoval_saysNo_whileTheCachesHoldTheMember() throws Exception {
        try (HikariDataSource pool = pool()) {
            PostgresTupleStore store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS);
            try (TestServer server = TestServer.start(config(tenant()), store, new PostgresApiKeys(store))) {
                rounds(server, server);
            }
        }
    }

    @Test
    void twoServersOnOnePostgres_aCheckOnOneAsFreshAsARemovalOnTheOther_saysNo() throws Exception {
        String tenant = tenant();
        try (HikariDataSource poolA = pool(); HikariDataSource poolB = pool()) {
            PostgresTupleStore storeA = new PostgresTupleStore(poolA, StoreOptions.DEFAULTS);
            PostgresTupleStore storeB = new PostgresTupleStore(poolB, StoreOptions.DEFAULTS);
            try (TestServer a = TestServer.start(config(tenant), storeA, new PostgresApiKeys(storeA));
                    TestServer b = TestServer.start(config(tenant), storeB, new PostgresApiKeys(storeB))) {
                rounds(a, b);
            }
        }
    }

    /** Adds and removes members through {@code writer}; checks through {@code reader}. */
    static void rounds(TestServer writer, TestServer reader) throws Exception {
        token(writer.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), KEY));
        token(writer.post("/v1/relationships/write", write(touch("project", "target", "namespace", "group", "enemy")),
                KEY));
        awaitSchema(reader);
        int staleAfterRemoval = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String user = "u" + round;
            String added = token(writer.post("/v1/relationships/write",
                    write(touch("group", "enemy", "member", "user", user)), KEY));
            awaitStaleHas(reader, user, round);

            String removed = token(writer.post("/v1/relationships/write",
                    write(delete("group", "enemy", "member", "user", user)), KEY));
            assertThat(answer(reader, atLeastAsFresh(removed), "group", "enemy", "member", user))
                    .as("round %d: group:enemy#member at least as fresh as the removal", round).isEqualTo(NO);
            assertThat(answer(reader, atLeastAsFresh(removed), "project", "target", "view", user))
                    .as("round %d: project:target#view at least as fresh as the removal", round).isEqualTo(NO);
            assertThat(answer(reader, atExactSnapshot(removed), "group", "enemy", "member", user))
                    .as("round %d: group:enemy#member at the removal's snapshot", round).isEqualTo(NO);
            assertThat(answer(reader, atExactSnapshot(removed), "project", "target", "view", user))
                    .as("round %d: project:target#view at the removal's snapshot", round).isEqualTo(NO);
            assertThat(answer(reader, atExactSnapshot(added), "group", "enemy", "member", user))
                    .as("round %d: group:enemy#member at the addition's snapshot", round).isEqualTo(HAS);
            assertThat(answer(reader, atExactSnapshot(added), "project", "target", "view", user))
                    .as("round %d: project:target#view at the addition's snapshot", round).isEqualTo(HAS);
            if (answer(reader, minimizeLatency(), "group", "enemy", "member", user).equals(HAS)) {
                staleAfterRemoval++;
            }
        }
        // The fresh reads prove something only where a stale read still shows the member;
        // were it gone from those too, NO would not tell the two apart.
        assertThat(staleAfterRemoval).as("rounds in which minimizeLatency still showed the removed member")
                .isGreaterThanOrEqualTo(ROUNDS / 2);
        assertThat(metric(reader, "relata_engine_cache_hits")).as("the reader answered from its check cache")
                .isPositive();
    }

    /** Polls {@code reader} until minimizeLatency reads at a revision that has the schema. */
    private static void awaitSchema(TestServer reader) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Reply reply;
        while ((reply = reader.post("/v1/permissions/check", check(minimizeLatency(), "group", "enemy", "member",
                "user", "nobody"), KEY)).status() != 200) {
            if (System.nanoTime() > deadline) {
                fail("minimizeLatency did not see the schema within %s: %s", PATIENCE, reply.body());
            }
            Thread.sleep(10);
        }
    }

    /** Polls {@code reader} at minimizeLatency until both checks say HAS. */
    private static void awaitStaleHas(TestServer reader, String user, int round) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            String member = answer(reader, minimizeLatency(), "group", "enemy", "member", user);
            String view = answer(reader, minimizeLatency(), "project", "target", "view", user);
            if (member.equals(HAS) && view.equals(HAS)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("round %d: minimizeLatency did not show the added member within %s (group:enemy#member %s,"
                        + " project:target#view %s)", round, PATIENCE, member, view);
            }
            Thread.sleep(10);
        }
    }

    static String answer(TestServer reader, String consistency, String type, String id, String permission,
            String user) throws Exception {
        Reply reply = reader.post("/v1/permissions/check", check(consistency, type, id, permission, "user", user), KEY);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().getString("permissionship");
    }

    /** The token a write answered with. */
    static String token(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().getJsonObject("writtenAt").getString("token");
    }

    /** The value of an unlabelled metric in the server's Prometheus scrape. */
    private static double metric(TestServer server, String name) throws Exception {
        return server.get("/metrics").body().lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(name.length() + 1).strip())).orElseThrow();
    }

    static String tenant() {
        return "new-enemy-" + UUID.randomUUID();
    }

    static ServerConfig config(String tenant) {
        return new ServerConfig("127.0.0.1", 0, Map.of(KEY, tenant), SECRET, WINDOW, 64 * 1024, 50,
                EngineOptions.DEFAULTS, null);
    }

    /** A pool of its own, as a separate server process would have. */
    private static HikariDataSource pool() {
        TestDatabase.pool();
        return PostgresTupleStore.pool(TestDatabase.config().withPoolSize(4));
    }
}
