package io.relata.server;

import static io.relata.server.Requests.touch;
import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server over real HTTP against PostgreSQL: the README's walkthrough, streaming,
 * cursors, tokens, and the errors a client can provoke.
 */
class HttpApiTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String PRESHARED = "test-key-" + UUID.randomUUID();
    /** Every test works in a tenant of its own, through a key the admin API made for it. */
    private static String key;
    private static final String ADMIN = "admin-" + UUID.randomUUID();
    private static TestServer server;
    private static PostgresTupleStore store;
    private static com.zaxxer.hikari.HikariDataSource pool;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        // A pool of its own, so its metrics report to this server's registry.
        TestDatabase.pool();
        pool = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(4));
        store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS.withMaxUpdatesPerWrite(20));
        // Each run gets a tenant of its own through its own key.
        String tenant = "http-" + UUID.randomUUID();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(PRESHARED, tenant), "http-test-secret-0123456789",
                Duration.ofSeconds(5), 64 * 1024, 50, EngineOptions.DEFAULTS.withMaxDepth(8), ADMIN), store,
                new PostgresApiKeys(store));
        base = server.base();
    }

    @AfterAll
    static void stop() {
        server.close();
        pool.close();
    }

    static Reply post(String path, String body, String key) throws Exception {
        return server.post(path, body, key);
    }

    static Reply post(String path, String body) throws Exception {
        return post(path, body, key);
    }

    @org.junit.jupiter.api.BeforeEach
    void tenantOfItsOwn() throws Exception {
        String tenant = "http-" + UUID.randomUUID();
        assertThat(post("/v1/tenants/create", "{\"name\":\"" + tenant + "\"}", ADMIN).status()).isEqualTo(200);
        key = post("/v1/tenants/keys/create", "{\"tenant\":\"" + tenant + "\"}", ADMIN).json().getString("key");
    }

    static Reply get(String path) throws Exception {
        return server.get(path);
    }

    private static final String SCHEMA = """
            definition user {}

            definition group {
                relation member: user | group#member
            }

            definition project {
                relation namespace: group
                relation developer: user | group#member
                relation banned: user
                permission push = (developer + namespace->member) - banned
            }
            """;

    @Test
    void walkthrough_schemaWriteCheckExpandLookup() throws Exception {
        Reply schema = post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode());
        assertThat(schema.status()).as(schema.body()).isEqualTo(200);
        assertThat(schema.json().getJsonObject("writtenAt").getString("token")).isNotBlank();

        Reply read = post("/v1/schema/read", "{}");
        assertThat(read.json().getString("schemaText")).isEqualTo(SCHEMA);

        Reply write = post("/v1/relationships/write", "{\"updates\":[" + touch("group", "eng", "member", "user", "alice")
                + "," + touch("project", "api", "namespace", "group", "eng") + "," + touch("project", "web", "developer",
                "user", "alice") + "," + touch("project", "ops", "developer", "user", "bob") + "]}");
        assertThat(write.status()).as(write.body()).isEqualTo(200);
        String token = write.json().getJsonObject("writtenAt").getString("token");
        String fresh = "{\"atLeastAsFresh\":{\"token\":\"" + token + "\"}}";

        Reply check = post("/v1/permissions/check", "{\"consistency\":" + fresh + ",\"resource\":{\"objectType\":"
                + "\"project\",\"objectId\":\"api\"},\"permission\":\"push\",\"subject\":{\"object\":{\"objectType\":"
                + "\"user\",\"objectId\":\"alice\"}}}");
        assertThat(check.status()).as(check.body()).isEqualTo(200);
        assertThat(check.json().getString("permissionship")).isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
        assertThat(check.json().getJsonObject("checkedAt").getString("token")).isEqualTo(token);

        Reply expand = post("/v1/permissions/expand", "{\"consistency\":" + fresh + ",\"resource\":{\"objectType\":"
                + "\"project\",\"objectId\":\"api\"},\"permission\":\"push\"}");
        assertThat(expand.json().getJsonObject("treeRoot").getJsonObject("intermediate").getString("operation"))
                .isEqualTo("OPERATION_EXCLUSION");
        assertThat(expand.body()).contains("\"objectId\":\"alice\"");

        Reply resources = post("/v1/permissions/resources", "{\"consistency\":" + fresh + ",\"resourceObjectType\":"
                + "\"project\",\"permission\":\"push\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":"
                + "\"alice\"}}}");
        assertThat(resources.lines()).extracting(l -> l.getJsonObject("result").getString("resourceObjectId"))
                .containsExactlyInAnyOrder("api", "web");
        String question = "{\"consistency\":" + fresh + ",\"resourceObjectType\":\"project\",\"permission\":\"push\","
                + "\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"alice\"}},\"optionalLimit\":1";
        JsonObject first = post("/v1/permissions/resources", question + "}").lines().get(0).getJsonObject("result");
        Reply page = post("/v1/permissions/resources", question + ",\"optionalCursor\":"
                + first.getJsonObject("afterResultCursor").encode() + "}");
        assertThat(page.lines()).extracting(l -> l.getJsonObject("result").getString("resourceObjectId"))
                .containsExactly(first.getString("resourceObjectId").equals("api") ? "web" : "api");

        Reply subjects = post("/v1/permissions/subjects", "{\"consistency\":" + fresh + ",\"resource\":{\"objectType\":"
                + "\"project\",\"objectId\":\"api\"},\"permission\":\"push\",\"subjectObjectType\":\"user\"}");
        assertThat(subjects.lines()).extracting(l -> l.getJsonObject("result").getJsonObject("subject")
                .getString("subjectObjectId")).containsExactly("alice");

        Reply bulk = post("/v1/permissions/checkbulk", "{\"consistency\":" + fresh + ",\"items\":["
                + "{\"resource\":{\"objectType\":\"project\",\"objectId\":\"ops\"},\"permission\":\"push\",\"subject\":"
                + "{\"object\":{\"objectType\":\"user\",\"objectId\":\"bob\"}}},"
                + "{\"resource\":{\"objectType\":\"project\",\"objectId\":\"ops\"},\"permission\":\"nope\",\"subject\":"
                + "{\"object\":{\"objectType\":\"user\",\"objectId\":\"bob\"}}}]}");
        JsonArray pairs = bulk.json().getJsonArray("pairs");
        assertThat(pairs.getJsonObject(0).getJsonObject("item").getString("permissionship"))
                .isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
        assertThat(pairs.getJsonObject(1).getJsonObject("error").getInteger("code")).isEqualTo(9);
        assertThat(pairs.getJsonObject(1).getJsonObject("request").getString("permission")).isEqualTo("nope");

        Reply rels = post("/v1/relationships/read", "{\"consistency\":" + fresh + ",\"relationshipFilter\":"
                + "{\"resourceType\":\"project\"},\"optionalLimit\":2}");
        List<JsonObject> lines = rels.lines();
        assertThat(lines).hasSize(2);
        String cursor = lines.get(1).getJsonObject("result").getJsonObject("afterResultCursor").getString("token");
        Reply rest = post("/v1/relationships/read", "{\"consistency\":" + fresh + ",\"relationshipFilter\":"
                + "{\"resourceType\":\"project\"},\"optionalCursor\":{\"token\":\"" + cursor + "\"}}");
        assertThat(rest.lines()).hasSize(1);

        Reply delete = post("/v1/relationships/delete", "{\"relationshipFilter\":{\"resourceType\":\"project\","
                + "\"optionalResourceId\":\"ops\"}}");
        assertThat(delete.json().getString("relationshipsDeletedCount")).isEqualTo("1");
        assertThat(delete.json().getString("deletionProgress")).isEqualTo("DELETION_PROGRESS_COMPLETE");
    }

    @Test
    void authentication_refusesMissingAndWrongKeys_disclosingNothing() throws Exception {
        Reply missing = post("/v1/permissions/check", "{}", null);
        Reply wrong = post("/v1/permissions/check", "{}", "not-the-key");

        assertThat(missing.status()).isEqualTo(401);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().getInteger("code")).isEqualTo(16);
        assertThat(wrong.json().getString("message")).isEqualTo("Unauthenticated");
    }

    @Test
    void badInput_getsClearErrorsAndWritesNothing() throws Exception {
        post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode());

        Reply garbage = post("/v1/relationships/write", "{nope");
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.json().getInteger("code")).isEqualTo(3);

        Reply badSchema = post("/v1/schema/write", "{\"schema\":\"definition user {}\\ndefinition doc {\\n relation viewer: usr\\n}\"}");
        assertThat(badSchema.status()).isEqualTo(400);
        assertThat(badSchema.json().getString("message")).contains("schema:3:19").contains("did you mean `user`");

        Reply notAllowed = post("/v1/relationships/write", "{\"updates\":[" + touch("group", "eng", "member", "user", "ok")
                + "," + touch("project", "api", "developer", "project", "web") + "]}");
        assertThat(notAllowed.status()).isEqualTo(400);
        assertThat(notAllowed.json().getString("message")).contains("does not allow project:web")
                .contains("user | group#member");
        Reply unknownRelation = post("/v1/relationships/write", "{\"updates\":[" + touch("project", "api", "push", "user",
                "x") + "]}");
        assertThat(unknownRelation.json().getString("message")).contains("is a permission");
        Reply nothingWritten = post("/v1/permissions/check", "{\"consistency\":{\"fullyConsistent\":true},\"resource\":"
                + "{\"objectType\":\"group\",\"objectId\":\"eng\"},\"permission\":\"member\",\"subject\":{\"object\":"
                + "{\"objectType\":\"user\",\"objectId\":\"ok\"}}}");
        assertThat(nothingWritten.json().getString("permissionship")).isEqualTo("PERMISSIONSHIP_NO_PERMISSION");

        Reply tampered = post("/v1/permissions/check", "{\"consistency\":{\"atLeastAsFresh\":{\"token\":\"AQAAAAAAAAAB"
                + "AAAAAAAAAAAAAAAAAAAAAAAAAAA\"}},\"resource\":{\"objectType\":\"group\",\"objectId\":\"eng\"},"
                + "\"permission\":\"member\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"ok\"}}}");
        assertThat(tampered.status()).isEqualTo(400);
        assertThat(tampered.json().getString("message")).contains("token");

        Reply unknownType = post("/v1/permissions/check", "{\"resource\":{\"objectType\":\"nothing\",\"objectId\":"
                + "\"x\"},\"permission\":\"member\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"ok\"}}}");
        assertThat(unknownType.status()).isEqualTo(400);
        assertThat(unknownType.json().getInteger("code")).isEqualTo(9);

        Reply tooMany = post("/v1/permissions/checkbulk", "{\"items\":[" + String.join(",", java.util.Collections.nCopies(51,
                "{\"resource\":{\"objectType\":\"group\",\"objectId\":\"eng\"},\"permission\":\"member\",\"subject\":"
                + "{\"object\":{\"objectType\":\"user\",\"objectId\":\"ok\"}}}")) + "]}");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().getString("message")).contains("at most 50 items");

        Reply huge = post("/v1/relationships/write", "{\"updates\":[],\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.json().getString("message")).contains("larger than");

        Reply unknownPath = post("/v1/nowhere", "{}");
        assertThat(unknownPath.status()).isEqualTo(404);
        assertThat(unknownPath.json().getInteger("code")).isEqualTo(5);
    }

    @Test
    void schemaChange_thatOrphansRelationships_isRefused() throws Exception {
        post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode());
        post("/v1/relationships/write", "{\"updates\":[" + touch("project", "api", "banned", "user", "mallory") + "]}");

        Reply change = post("/v1/schema/write", new JsonObject().put("schema", SCHEMA
                .replace("    relation banned: user\n", "").replace(" - banned", "")).encode());

        assertThat(change.status()).isEqualTo(400);
        assertThat(change.json().getInteger("code")).isEqualTo(3);
        assertThat(change.json().getString("message")).isEqualTo("cannot delete relation `banned` in object definition"
                + " `project`, as at least one relationship exists under it: project:api#banned@user:mallory");
        assertThat(post("/v1/schema/read", "{}").json().getString("schemaText")).isEqualTo(SCHEMA);
    }

    @Test
    void healthReadinessAndMetrics_areServed() throws Exception {
        assertThat(get("/healthz").status()).isEqualTo(200);
        assertThat(get("/readyz").status()).isEqualTo(200);
        post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode());
        post("/v1/permissions/check", "{\"resource\":{\"objectType\":\"group\",\"objectId\":\"eng\"},\"permission\":"
                + "\"member\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"x\"}}}");
        Reply metrics = get("/metrics");
        assertThat(metrics.body()).contains("relata_http_requests_seconds_count").contains("relata_check_results_total")
                .contains("relata_engine_cache_hits").contains("relata_engine_relationship_cache_hits").contains("relata_engine_dispatches").contains("relata_http_requests_seconds_bucket").contains("relata_store_calls_seconds_count{operation=\"subjectsOf\"")
                .contains("hikaricp_connections_active");
    }

    @Test
    void tenantsAndKeys_isolateTenants_andRevokedKeysStopWorking() throws Exception {
        String acme = "acme-" + UUID.randomUUID();
        String globex = "globex-" + UUID.randomUUID();
        assertThat(post("/v1/tenants/create", "{\"name\":\"" + acme + "\"}", key).status()).as("tenant keys cannot")
                .isEqualTo(401);
        assertThat(post("/v1/tenants/create", "{\"name\":\"" + acme + "\"}", ADMIN).status()).isEqualTo(200);
        assertThat(post("/v1/tenants/create", "{\"name\":\"" + globex + "\"}", ADMIN).status()).isEqualTo(200);
        JsonObject acmeKey = post("/v1/tenants/keys/create", "{\"tenant\":\"" + acme + "\",\"label\":\"ci\"}", ADMIN).json();
        JsonObject globexKey = post("/v1/tenants/keys/create", "{\"tenant\":\"" + globex + "\"}", ADMIN).json();
        String a = acmeKey.getString("key");
        String g = globexKey.getString("key");

        Reply written = post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), a);
        assertThat(written.status()).isEqualTo(200);
        post("/v1/relationships/write", "{\"updates\":[" + touch("group", "eng", "member", "user", "alice") + "]}", a);
        String acmeToken = written.json().getJsonObject("writtenAt").getString("token");

        assertThat(post("/v1/schema/read", "{}", g).status()).as("globex sees no acme schema").isEqualTo(404);
        post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), g);
        Reply foreign = post("/v1/permissions/check", "{\"consistency\":{\"fullyConsistent\":true},\"resource\":"
                + "{\"objectType\":\"group\",\"objectId\":\"eng\"},\"permission\":\"member\",\"subject\":{\"object\":"
                + "{\"objectType\":\"user\",\"objectId\":\"alice\"}}}", g);
        assertThat(foreign.json().getString("permissionship")).isEqualTo("PERMISSIONSHIP_NO_PERMISSION");
        Reply foreignToken = post("/v1/permissions/check", "{\"consistency\":{\"atLeastAsFresh\":{\"token\":\""
                + acmeToken + "\"}},\"resource\":{\"objectType\":\"group\",\"objectId\":\"eng\"},\"permission\":"
                + "\"member\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"alice\"}}}", g);
        assertThat(foreignToken.status()).isEqualTo(400);
        assertThat(foreignToken.json().getString("message")).contains("another tenant");

        assertThat(post("/v1/tenants/keys/revoke", "{\"tenant\":\"" + acme + "\",\"keyId\":\""
                + acmeKey.getString("keyId") + "\"}", ADMIN).status()).isEqualTo(200);
        Reply revoked = post("/v1/schema/read", "{}", a);
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.json().getString("message")).isEqualTo("Unauthenticated");
        assertThat(post("/v1/tenants/keys/list", "{\"tenant\":\"" + acme + "\"}", ADMIN).json().getJsonArray("keys")
                .getJsonObject(0).getBoolean("revoked")).isTrue();
        assertThat(post("/v1/schema/read", "{}", g).status()).as("other keys still work").isEqualTo(200);
    }

    @Test
    void watch_streamsChangesAsTheyCommit() throws Exception {
        post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode());
        Reply start = post("/v1/relationships/write", "{\"updates\":[" + touch("group", "w0", "member", "user", "x") + "]}");
        String from = start.json().getJsonObject("writtenAt").getString("token");
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/watch"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"optionalObjectTypes\":[\"group\"],\"optionalStartCursor\":"
                        + "{\"token\":\"" + from + "\"}}"))
                .header("Authorization", "Bearer " + key).build();
        CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> watching =
                HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        post("/v1/relationships/write", "{\"updates\":[" + touch("group", "w1", "member", "user", "alice") + ","
                + touch("project", "p9", "developer", "user", "alice") + "]}");
        post("/v1/relationships/write", "{\"updates\":[{\"operation\":\"OPERATION_DELETE\",\"relationship\":"
                + "{\"resource\":{\"objectType\":\"group\",\"objectId\":\"w1\"},\"relation\":\"member\",\"subject\":"
                + "{\"object\":{\"objectType\":\"user\",\"objectId\":\"alice\"}}}}]}");

        HttpResponse<java.util.stream.Stream<String>> response = watching.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonObject> lines = CompletableFuture.supplyAsync(() -> response.body().limit(2).map(JsonObject::new).toList())
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        JsonArray first = lines.get(0).getJsonObject("result").getJsonArray("updates");
        assertThat(first).hasSize(1).as("only groups are watched");
        assertThat(first.getJsonObject(0).getString("operation")).isEqualTo("OPERATION_TOUCH");
        assertThat(first.getJsonObject(0).encode()).contains("\"objectId\":\"w1\"");
        assertThat(lines.get(1).getJsonObject("result").getJsonArray("updates").getJsonObject(0).getString("operation"))
                .isEqualTo("OPERATION_DELETE");
        assertThat(lines.get(1).getJsonObject("result").getJsonObject("changesThrough").getString("token")).isNotBlank();
    }

    @Test
    void limits_onUpdatesPerWriteAndDepth_answerClearly() throws Exception {
        post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode());
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            many.add(touch("group", "big", "member", "user", "u" + i));
        }
        Reply tooMany = post("/v1/relationships/write", "{\"updates\":[" + String.join(",", many) + "]}");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().getString("message")).contains("at most 20 updates");

        List<String> chain = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            chain.add("{\"operation\":\"OPERATION_TOUCH\",\"relationship\":{\"resource\":{\"objectType\":\"group\","
                    + "\"objectId\":\"d" + i + "\"},\"relation\":\"member\",\"subject\":{\"object\":{\"objectType\":"
                    + "\"group\",\"objectId\":\"d" + (i + 1) + "\"},\"optionalRelation\":\"member\"}}}");
        }
        post("/v1/relationships/write", "{\"updates\":[" + String.join(",", chain) + "]}");
        Reply deep = post("/v1/permissions/check", "{\"consistency\":{\"fullyConsistent\":true},\"resource\":"
                + "{\"objectType\":\"group\",\"objectId\":\"d0\"},\"permission\":\"member\",\"subject\":{\"object\":"
                + "{\"objectType\":\"user\",\"objectId\":\"nobody\"}}}");
        // RESOURCE_EXHAUSTED, as SpiceDB answers (grpc-gateway: 429).
        assertThat(deep.status()).isEqualTo(429);
        assertThat(deep.json().getInteger("code")).isEqualTo(8);
        assertThat(deep.json().getString("message")).contains("deeper than 8 levels").contains("#member");
    }

    @Test
    void manyConcurrentBulkChecks_allAnswer() throws Exception {
        post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode());
        String bulk = "{\"consistency\":{\"fullyConsistent\":true},\"items\":[{\"resource\":{\"objectType\":\"group\",\"objectId\":\"eng\"},\"permission\":"
                + "\"member\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"u1\"}}},"
                + "{\"resource\":{\"objectType\":\"group\",\"objectId\":\"eng\"},\"permission\":\"member\","
                + "\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"u2\"}}}]}";
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            calls.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/permissions/checkbulk"))
                    .POST(HttpRequest.BodyPublishers.ofString(bulk)).header("Authorization", "Bearer " + key).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertThat(call.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void inputsThatOnceFailedWith500_nowGetClearAnswers() throws Exception {
        post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode());
        String check = "{\"consistency\":{\"fullyConsistent\":true},\"resource\":{\"objectType\":\"group\","
                + "\"objectId\":\"eng\"},\"permission\":\"member\",\"subject\":{\"object\":{\"objectType\":\"user\","
                + "\"objectId\":\"u1\"}},\"context\":{\"ip\":null}}";
        assertThat(post("/v1/permissions/check", check).status()).isEqualTo(200);
        Reply negative = post("/v1/relationships/delete", "{\"relationshipFilter\":{\"resourceType\":\"group\"},"
                + "\"optionalLimit\":-1}");
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.json().getString("message")).contains("0 to 4294967295");
        Reply two = post("/v1/permissions/check", check.replace("\"fullyConsistent\":true",
                "\"fullyConsistent\":true,\"minimizeLatency\":true"));
        assertThat(two.status()).isEqualTo(400);
        Reply unknownType = post("/v1/relationships/read", "{\"consistency\":{\"fullyConsistent\":true},"
                + "\"relationshipFilter\":{\"resourceType\":\"nothing\"}}");
        assertThat(unknownType.status()).isEqualTo(400);
        assertThat(unknownType.json().getInteger("code")).isEqualTo(9);
        Reply noWildcards = post("/v1/permissions/subjects", "{\"consistency\":{\"fullyConsistent\":true},\"resource\":"
                + "{\"objectType\":\"project\",\"objectId\":\"pub\"},\"permission\":\"push\",\"subjectObjectType\":"
                + "\"user\",\"wildcardOption\":\"WILDCARD_OPTION_EXCLUDE_WILDCARDS\"}");
        assertThat(noWildcards.status()).isEqualTo(200);
        Reply concrete = post("/v1/permissions/subjects", "{\"consistency\":{\"fullyConsistent\":true},\"resource\":{\"objectType\":\"project\",\"objectId\":"
                + "\"pub\"},\"permission\":\"push\",\"subjectObjectType\":\"user\",\"optionalConcreteLimit\":5}");
        assertThat(concrete.status()).isEqualTo(200);
        Reply madeUp = post("/v1/permissions/resources", "{\"consistency\":{\"fullyConsistent\":true},"
                + "\"resourceObjectType\":\"project\",\"permission\":\"push\",\"subject\":{\"object\":{\"objectType\":"
                + "\"user\",\"objectId\":\"alice\"}},\"optionalCursor\":{\"token\":\"api\"}}");
        assertThat(madeUp.status()).isEqualTo(400);
        assertThat(madeUp.json().getInteger("code")).isEqualTo(3);
        assertThat(madeUp.json().getString("message")).contains("cursor");
    }

    @Test
    void caveatContextsThatDoNotFitTheirTypes_areRefusedAtWrite() throws Exception {
        String schema = "caveat level_ok(level int, required int) {\n  level >= required\n}\n" + SCHEMA.replace(
                "relation banned: user", "relation banned: user\n    relation approver: user with level_ok");
        assertThat(post("/v1/schema/write", new JsonObject().put("schema", schema).encode()).status()).isEqualTo(200);
        String write = "{\"updates\":[{\"operation\":\"OPERATION_TOUCH\",\"relationship\":{\"resource\":{\"objectType\":"
                + "\"project\",\"objectId\":\"cav\"},\"relation\":\"approver\",\"subject\":{\"object\":{\"objectType\":"
                + "\"user\",\"objectId\":\"x\"}},\"optionalCaveat\":{\"caveatName\":\"level_ok\",\"context\":CTX}}}]}";

        Reply wrongType = post("/v1/relationships/write", write.replace("CTX", "{\"required\":\"high\"}"));
        Reply unknownParameter = post("/v1/relationships/write", write.replace("CTX", "{\"colour\":1}"));
        Reply fine = post("/v1/relationships/write", write.replace("CTX", "{\"required\":3}"));

        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().getString("message")).contains("parameter `required` must be int");
        assertThat(unknownParameter.json().getString("message")).contains("no parameter `colour`");
        assertThat(fine.status()).isEqualTo(200);
    }

    @Test
    void expand_keepsSpiceDbsLeafShape_andRelatasExpandAddsEachSubjectsCaveat() throws Exception {
        String schema = """
                caveat level_ok(level int, required int) {
                    level >= required
                }
                definition user {}
                definition folder {
                    relation viewer: user
                }
                definition doc {
                    relation parent: folder with level_ok
                    relation viewer: user | user with level_ok
                    permission view = viewer + parent->viewer
                }
                """;
        assertThat(post("/v1/schema/write", new JsonObject().put("schema", schema).encode()).status()).isEqualTo(200);
        String caveated = "{\"caveatName\":\"level_ok\",\"context\":{\"required\":3}}";
        Reply write = post("/v1/relationships/write", "{\"updates\":["
                + touch("doc", "d", "viewer", "user", "ann").replace("}}}}", "}},\"optionalCaveat\":" + caveated + "}}")
                + "," + touch("doc", "d", "viewer", "user", "bob")
                + "," + touch("doc", "d", "parent", "folder", "f").replace("}}}}", "}},\"optionalCaveat\":" + caveated
                        + "}}")
                + "," + touch("folder", "f", "viewer", "user", "cat") + "]}");
        assertThat(write.status()).as(write.body()).isEqualTo(200);
        String request = "{\"consistency\":{\"fullyConsistent\":true},\"resource\":{\"objectType\":\"doc\","
                + "\"objectId\":\"d\"},\"permission\":\"view\"}";
        JsonObject ann = new JsonObject("{\"object\":{\"objectType\":\"user\",\"objectId\":\"ann\"},"
                + "\"optionalRelation\":\"\"}");
        JsonObject bob = new JsonObject("{\"object\":{\"objectType\":\"user\",\"objectId\":\"bob\"},"
                + "\"optionalRelation\":\"\"}");

        // SpiceDB's DirectSubjectSet lists subjects only: the same here, field for field.
        Reply spicedb = post("/v1/permissions/expand", request);
        assertThat(spicedb.status()).as(spicedb.body()).isEqualTo(200);
        JsonObject root = spicedb.json().getJsonObject("treeRoot");
        assertThat(root.fieldNames()).containsExactlyInAnyOrder("expandedObject", "expandedRelation", "intermediate");
        JsonObject viewers = root.getJsonObject("intermediate").getJsonArray("children").getJsonObject(0);
        assertThat(viewers.getString("expandedRelation")).isEqualTo("viewer");
        assertThat(viewers.getJsonObject("leaf")).isEqualTo(new JsonObject().put("subjects", new JsonArray().add(ann)
                .add(bob)));

        Reply relata = post("/relata/v1/permissions/expand", request);
        assertThat(relata.status()).as(relata.body()).isEqualTo(200);
        JsonObject tree = relata.json().getJsonObject("treeRoot");
        assertThat(tree.getValue("optionalCaveat")).isNull();
        JsonObject leaf = tree.getJsonObject("intermediate").getJsonArray("children").getJsonObject(0)
                .getJsonObject("leaf");
        assertThat(leaf.getJsonArray("subjects")).isEqualTo(new JsonArray().add(ann).add(bob));
        assertThat(leaf.getJsonArray("directSubjects")).isEqualTo(new JsonArray()
                .add(new JsonObject().put("subject", ann).put("optionalCaveat", new JsonObject(caveated))
                        .putNull("optionalExpiresAt"))
                .add(new JsonObject().put("subject", bob).putNull("optionalCaveat").putNull("optionalExpiresAt")));
        JsonObject throughParent = tree.getJsonObject("intermediate").getJsonArray("children").getJsonObject(1)
                .getJsonObject("intermediate").getJsonArray("children").getJsonObject(0);
        assertThat(throughParent.getJsonObject("expandedObject").getString("objectId")).isEqualTo("f");
        assertThat(throughParent.getJsonObject("optionalCaveat")).isEqualTo(new JsonObject(caveated));
        assertThat(post("/relata/v1/permissions/expand", request, null).status()).isEqualTo(401);
    }
}
