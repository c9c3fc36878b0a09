package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.engine.EngineOptions;
import io.relata.engine.index.GroupIndexOptions;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A server with the nested-group index on answers checks over nested groups from it, reads
 * its own writes through the tokens (a deletion included), answers at an older token as of
 * that token, answers a lookup over them with the index's reads, and reports the index in its metrics.
 */
class GroupIndexServingTest {

    private static final String SCHEMA = "definition user {}\\n\\ndefinition group {\\n  relation member: user |"
            + " group#member\\n}";

    @Test
    void checksOverNestedGroups_readTheirWrites_andTheIndexShowsInMetrics() throws Exception {
        try (MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
                TestServer server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of("k", "default"),
                        "group-index-secret-0123456789", Duration.ofSeconds(5), 64 * 1024, 50,
                        EngineOptions.DEFAULTS.withGroupIndex(GroupIndexOptions.ON.withCatchUpWait(Duration.ofSeconds(5))),
                        null), store, new MemoryApiKeys(store))) {
            server.post("/v1/schema/write", "{\"schema\":\"" + SCHEMA + "\"}", "k");
            String written = token(server.post("/v1/relationships/write", "{\"updates\":["
                    + touch("group", "top", "group", "mid", "member") + "," + touch("group", "mid", "group", "low", "member")
                    + "," + touch("group", "low", "user", "ann", null) + "]}", "k"));
            assertThat(check(server, written, "top")).isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
            String deleted = token(server.post("/v1/relationships/write", "{\"updates\":[{\"operation\":"
                    + "\"OPERATION_DELETE\",\"relationship\":" + relationship("group", "low", "user", "ann", null) + "}]}",
                    "k"));
            assertThat(check(server, deleted, "top")).isEqualTo("PERMISSIONSHIP_NO_PERMISSION");
            // At the first token ann was still a member: the index, now past the deletion, answers
            // from the version the deletion closed (a group the first check did not cache: the
            // index answered for top whole).
            assertThat(check(server, written, "mid")).isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
            TestServer.Reply lookup = server.post("/v1/permissions/resources", "{\"consistency\":{\"atLeastAsFresh\":"
                    + "{\"token\":\"" + written + "\"}},\"resourceObjectType\":\"group\",\"permission\":\"member\","
                    + "\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"ann\"}}}", "k");
            assertThat(lookup.status()).as(lookup.body()).isEqualTo(200);
            assertThat(lookup.body()).contains("\"top\"").contains("\"mid\"").contains("\"low\"");
            String metrics = server.get("/metrics").body();
            assertThat(counter(metrics, "relata_group_index_lookup_answered_total")).as("lookup reads from the index")
                    .isPositive();
            assertThat(counter(metrics, "relata_group_index_answered_total")).isEqualTo(3);
            assertThat(counter(metrics, "relata_group_index_unknown_total")).isZero();
            assertThat(metrics).contains("relata_group_index_relationships").contains("relata_group_index_lag_revisions")
                    .contains("relata_group_index_lag_seconds").contains("relata_group_index_build_millis");
        }
    }

    @Test
    void theSwitch_takesOnOrOff_andServeRefusesAnythingElse() {
        assertThat(GroupIndexOptions.fromSwitch("on").enabled()).isTrue();
        assertThat(GroupIndexOptions.fromSwitch("OFF").enabled()).isFalse();
        assertThatThrownBy(() -> GroupIndexOptions.fromSwitch("yes")).hasMessageContaining("`on` or `off`");
        Cli.Run refused = Cli.run("serve", "--preshared-key", "k", "--port", "0", "--grpc-port", "0",
                "--group-index", "maybe");
        assertThat(refused.status()).isEqualTo(2);
        assertThat(refused.err()).contains("--group-index takes `on` or `off`, not `maybe`");
    }

    private static String check(TestServer server, String token, String group) throws Exception {
        return server.post("/v1/permissions/check", "{\"consistency\":{\"atLeastAsFresh\":{\"token\":\"" + token
                + "\"}},\"resource\":{\"objectType\":\"group\",\"objectId\":\"" + group + "\"},\"permission\":\"member\","
                + "\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"ann\"}}}", "k").json()
                .getString("permissionship");
    }

    private static String token(TestServer.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().getJsonObject("writtenAt").getString("token");
    }

    private static String touch(String type, String id, String subjectType, String subjectId, String relation) {
        return "{\"operation\":\"OPERATION_TOUCH\",\"relationship\":" + relationship(type, id, subjectType, subjectId,
                relation) + "}";
    }

    private static String relationship(String type, String id, String subjectType, String subjectId, String relation) {
        return "{\"resource\":{\"objectType\":\"" + type + "\",\"objectId\":\"" + id + "\"},\"relation\":\"member\","
                + "\"subject\":{\"object\":{\"objectType\":\"" + subjectType + "\",\"objectId\":\"" + subjectId + "\"}"
                + (relation == null ? "" : ",\"optionalRelation\":\"" + relation + "\"") + "}}";
    }

    private static double counter(String metrics, String name) {
        Matcher m = Pattern.compile("^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(metrics);
        assertThat(m.find()).as(name + " in\n" + metrics).isTrue();
        return Double.parseDouble(m.group(2));
    }
}
