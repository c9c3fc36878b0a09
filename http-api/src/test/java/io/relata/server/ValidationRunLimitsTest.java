package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /relata/v1/validation/run} over real HTTP keeps each request's work bounded: the extra
 * checks and expands stop at the run's deadline, and the expands' trees are cut at
 * {@link Validations#MAX_EXPAND_LEAVES} in all.
 */
class ValidationRunLimitsTest {

    private static final String KEY = "limits-key-" + UUID.randomUUID();
    private static MemoryTupleStore store;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        store = new MemoryTupleStore(StoreOptions.DEFAULTS);
        // The run's budget is the engine's deadline: one second.
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, "limits-" + UUID.randomUUID()),
                "limits-secret-0123456789", Duration.ofSeconds(5), 8 * 1024 * 1024, 50,
                EngineOptions.DEFAULTS.withDeadline(Duration.ofSeconds(1)), null), store, new MemoryApiKeys(store));
    }

    @AfterAll
    static void stop() {
        server.close();
        store.close();
    }

    @Test
    void hundredExpandsOfATenThousandLeafTree_areCutAtTheLeafLimit() throws Exception {
        StringBuilder relationships = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            relationships.append("  doc:big#viewer@user:u").append(i).append('\n');
        }
        String file = "schema: |-\n  definition user {}\n  definition doc {\n      relation viewer: user\n  }\n"
                + "relationships: |-\n" + relationships;
        JsonArray expands = new JsonArray();
        for (int i = 0; i < 100; i++) {
            expands.add("doc:big#viewer");
        }
        Reply reply = server.post("/relata/v1/validation/run", new JsonObject().put("validationFile", file)
                .put("expand", expands).encode(), KEY);
        assertThat(reply.status()).as(reply.body().substring(0, Math.min(500, reply.body().length()))).isEqualTo(200);
        JsonObject answer = reply.json();
        assertThat(answer.getBoolean("truncated")).isTrue();
        int subjects = 0;
        for (Object e : answer.getJsonArray("expand")) {
            subjects += subjectsIn(((JsonObject) e).getJsonObject("treeRoot"));
        }
        assertThat(subjects).isPositive().isLessThanOrEqualTo(Validations.MAX_EXPAND_LEAVES);
        assertThat(answer.getJsonArray("expand").getJsonObject(99).getBoolean("truncated")).isTrue();
        // Without the cut the answer held 100 trees of 10,000 subjects (tens of megabytes).
        assertThat(reply.body().length()).isLessThan(4 * 1024 * 1024);
    }

    @Test
    void extraChecksAndExpands_afterTheRunsDeadline_areNotEvaluated() throws Exception {
        // 10,000 empty groups: each check of an absent user visits all of them.
        StringBuilder relationships = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            relationships.append("  doc:root#viewer@group:g").append(i).append("#member\n");
        }
        StringBuilder assertions = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            assertions.append("    - doc:root#view@user:nobody").append(i).append('\n');
        }
        String file = "schema: |-\n  definition user {}\n  definition group {\n      relation member: user\n  }\n"
                + "  definition doc {\n      relation viewer: group#member\n      permission view = viewer\n  }\n"
                + "relationships: |-\n" + relationships + "assertions:\n  assertFalse:\n" + assertions;
        JsonArray checks = new JsonArray();
        JsonArray expands = new JsonArray();
        for (int i = 0; i < 50; i++) {
            checks.add("doc:root#view@user:other" + i);
            expands.add("doc:root#view");
        }
        long started = System.nanoTime();
        Reply reply = server.post("/relata/v1/validation/run", new JsonObject().put("validationFile", file)
                .put("checks", checks).put("expand", expands).encode(), KEY);
        assertThat(reply.status()).as(reply.body().substring(0, Math.min(500, reply.body().length()))).isEqualTo(200);
        JsonObject answer = reply.json();
        JsonArray results = answer.getJsonArray("results");
        boolean late = results.stream().anyMatch(r -> ValidationRun.NOT_EVALUATED.equals(((JsonObject) r)
                .getString("failure")));
        // The assertions alone outlast the one-second budget (1,000 walks of 10,000 groups); once it
        // is spent, nothing after them may run.
        assertThat(late).as("the assertions spent the run's budget").isTrue();
        for (Object c : answer.getJsonArray("checks")) {
            assertThat(((JsonObject) c).getJsonObject("error")).as(c.toString()).isNotNull();
            assertThat(((JsonObject) c).getJsonObject("error").getString("message"))
                    .isEqualTo(ValidationRun.NOT_EVALUATED);
        }
        for (Object e : answer.getJsonArray("expand")) {
            assertThat(((JsonObject) e).getJsonObject("error")).as(e.toString()).isNotNull();
            assertThat(((JsonObject) e).getJsonObject("error").getString("message"))
                    .isEqualTo(ValidationRun.NOT_EVALUATED);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
    }

    private static int subjectsIn(JsonObject node) {
        if (node == null) {
            return 0;
        }
        int n = 0;
        JsonObject leaf = node.getJsonObject("leaf");
        if (leaf != null && leaf.getJsonArray("subjects") != null) {
            n += leaf.getJsonArray("subjects").size();
        }
        for (String k : node.fieldNames()) {
            Object v = node.getValue(k);
            if (v instanceof JsonObject o && !k.equals("leaf")) {
                n += subjectsIn(o);
            } else if (v instanceof JsonArray a) {
                for (Object x : a) {
                    if (x instanceof JsonObject o) {
                        n += subjectsIn(o);
                    }
                }
            }
        }
        return n;
    }
}
