package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bulk import and export over HTTP, on every store (each store's test extends this class):
 * an import streams a body far larger than the body limit, in one transaction that writes
 * all or nothing and refuses, naming it, a relationship the schema forbids or that exists;
 * an export pages at one revision and resumes from any page's cursor at that revision,
 * refusing a cursor it did not issue.
 */
abstract class BulkRelationshipsContract {

    /** The body limit, which bounds one line of an import (not the whole body). */
    static final int LINE_LIMIT = 256 * 1024;
    static final String ADMIN = "admin-" + UUID.randomUUID();
    static final String SCHEMA = """
            definition user {}

            definition folder {
                relation viewer: user
            }

            definition doc {
                relation viewer: user
                relation editor: user
                permission view = viewer + editor
            }
            """;

    private static TupleStore store;
    private static TestServer server;
    private String key;

    /** A new store over the implementation's storage. */
    interface Stores {
        TupleStore store();

        ApiKeys keys(TupleStore store);
    }

    static void startServer(Stores stores) throws Exception {
        store = stores.store();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(), "bulk-test-secret-0123456789",
                Duration.ZERO, LINE_LIMIT, 50, EngineOptions.DEFAULTS, ADMIN), store, stores.keys(store));
    }

    @AfterAll
    static void stopServer() {
        server.close();
        store.close();
    }

    @BeforeEach
    void tenantOfItsOwn() throws Exception {
        key = newTenant();
        assertThat(post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode()).status()).isEqualTo(200);
    }

    private static String newTenant() throws Exception {
        String tenant = "bulk-" + UUID.randomUUID();
        assertThat(server.post("/v1/tenants/create", "{\"name\":\"" + tenant + "\"}", ADMIN).status()).isEqualTo(200);
        return server.post("/v1/tenants/keys/create", "{\"tenant\":\"" + tenant + "\"}", ADMIN).json().getString("key");
    }

    private Reply post(String path, String body) throws Exception {
        return server.post(path, body, key);
    }

    // ---- bodies -------------------------------------------------------------------------------------

    static JsonObject rel(String type, String id, String relation, String subjectType, String subjectId) {
        return new JsonObject().put("resource", new JsonObject().put("objectType", type).put("objectId", id))
                .put("relation", relation).put("subject", new JsonObject().put("object",
                        new JsonObject().put("objectType", subjectType).put("objectId", subjectId)));
    }

    /** An NDJSON import body: {@code relationships} in request messages of {@code perLine} each. */
    static String ndjson(List<JsonObject> relationships, int perLine) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < relationships.size(); i += perLine) {
            JsonArray line = new JsonArray(new ArrayList<>(relationships.subList(i, Math.min(i + perLine,
                    relationships.size()))));
            out.append(new JsonObject().put("relationships", line).encode()).append('\n');
        }
        return out.toString();
    }

    static List<JsonObject> docs(String prefix, int count) {
        List<JsonObject> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(rel("doc", prefix + i, i % 3 == 0 ? "editor" : "viewer", "user", "u" + (i % 97)));
        }
        return out;
    }

    /** Every page of an export, as response lines. */
    private List<JsonObject> export(JsonObject request) throws Exception {
        Reply reply = post("/v1/relationships/exportbulk", request.encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<JsonObject> pages = new ArrayList<>();
        for (JsonObject line : reply.lines()) {
            assertThat(line.containsKey("error")).as(line.encode()).isFalse();
            pages.add(line.getJsonObject("result"));
        }
        return pages;
    }

    private static List<String> keys(List<JsonObject> pages) {
        List<String> out = new ArrayList<>();
        for (JsonObject page : pages) {
            for (Object o : page.getJsonArray("relationships")) {
                out.add(keyOf((JsonObject) o));
            }
        }
        return out;
    }

    static String keyOf(JsonObject r) {
        return r.getJsonObject("resource").getString("objectType") + ":" + r.getJsonObject("resource")
                .getString("objectId") + "#" + r.getString("relation") + "@" + r.getJsonObject("subject")
                .getJsonObject("object").getString("objectType") + ":" + r.getJsonObject("subject")
                .getJsonObject("object").getString("objectId");
    }

    private static JsonObject fully() {
        return new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true));
    }

    // ---- import -------------------------------------------------------------------------------------

    @Test
    void import_streamsAHundredThousandRelationships_farPastTheBodyLimit() throws Exception {
        List<JsonObject> rows = docs("d", 100_000);
        String body = ndjson(rows, 500);
        assertThat(body.length()).as("the body is many times the limit").isGreaterThan(20 * LINE_LIMIT);

        Reply reply = post("/v1/relationships/importbulk", body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json()).isEqualTo(new JsonObject().put("numLoaded", "100000"));
        List<String> exported = keys(export(fully()));
        assertThat(exported.size()).isEqualTo(100_000);
        Set<String> distinct = new HashSet<>(exported);
        assertThat(distinct.size()).as("no duplicates").isEqualTo(100_000);
        for (int i : new int[] {0, 4_242, 50_001, 99_999}) {
            assertThat(distinct.contains(keyOf(rows.get(i)))).as(keyOf(rows.get(i))).isTrue();
        }
        JsonObject check = new JsonObject(Requests.check("{\"fullyConsistent\":true}", "doc", "d77777", "view", "user",
                "u" + (77777 % 97)));
        assertThat(post("/v1/permissions/check", check.encode()).json().getString("permissionship"))
                .isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
    }

    static Stream<Arguments> badRelationships() {
        return Stream.of(
                Arguments.of("an unknown type", rel("page", "p1", "viewer", "user", "u1"), 9, "page:p1#viewer@user:u1"),
                Arguments.of("a subject the relation does not allow", rel("doc", "x1", "viewer", "folder", "f1"), 3,
                        "doc:x1#viewer@folder:f1"),
                Arguments.of("a relation the type does not have", rel("doc", "x2", "owner", "user", "u1"), 9,
                        "doc:x2#owner@user:u1"),
                Arguments.of("a duplicate of an existing relationship", rel("doc", "old", "viewer", "user", "u1"), 6,
                        "doc:old#viewer@user:u1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRelationships")
    void import_withOneBadRelationship_writesNothing_andNamesIt(String what, JsonObject bad, int code, String named)
            throws Exception {
        assertThat(post("/v1/relationships/write", Requests.write(Requests.touch("doc", "old", "viewer", "user", "u1")))
                .status()).isEqualTo(200);
        List<JsonObject> rows = docs("n", 6_000);
        rows.add(4_321, bad);

        Reply reply = post("/v1/relationships/importbulk", ndjson(rows, 1_000));

        assertThat(reply.json().getInteger("code")).as(reply.body()).isEqualTo(code);
        assertThat(reply.status()).isEqualTo(Errors.http(code));
        assertThat(reply.json().getString("message")).contains(named);
        assertThat(keys(export(fully()))).as("nothing was imported").containsExactly("doc:old#viewer@user:u1");
    }

    @Test
    void import_refusesALineOverTheLimit_andALineThatIsNotJson_writingNothing() throws Exception {
        String huge = ndjson(docs("h", 20), 20) + ndjson(docs("big", 5_000), 5_000);
        Reply tooLong = post("/v1/relationships/importbulk", huge);
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().getString("message")).contains("longer than " + LINE_LIMIT + " bytes");

        Reply notJson = post("/v1/relationships/importbulk", ndjson(docs("j", 20), 10) + "{not json\n");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().getString("message")).contains("line 3");
        assertThat(export(fully())).as("nothing was imported").isEmpty();
    }

    @Test
    void experimentalImportAndExport_takeTheSameShapes() throws Exception {
        Reply imported = post("/v1/experimental/relationships/bulkimport", ndjson(docs("e", 30), 7));
        assertThat(imported.json()).isEqualTo(new JsonObject().put("numLoaded", "30"));
        Reply exported = post("/v1/experimental/relationships/bulkexport", fully().put("optionalLimit", 10).encode());
        List<JsonObject> pages = exported.lines().stream().map(l -> l.getJsonObject("result")).toList();
        assertThat(pages).hasSize(3).allSatisfy(p -> assertThat(p.getJsonArray("relationships")).hasSize(10));
        assertThat(keys(pages)).hasSize(30).doesNotHaveDuplicates();
    }

    // ---- export -------------------------------------------------------------------------------------

    @Test
    void export_resumesFromAMiddleCursor_withExactlyTheRest_atTheOriginalRevision() throws Exception {
        List<JsonObject> rows = new ArrayList<>(docs("r", 60));
        for (int i = 0; i < 25; i++) {
            rows.add(rel("folder", "f" + i, "viewer", "user", "u" + i));
        }
        assertThat(post("/v1/relationships/importbulk", ndjson(rows, 40)).status()).isEqualTo(200);

        List<JsonObject> pages = export(fully().put("optionalLimit", 7));
        List<String> all = keys(pages);
        assertThat(all).hasSize(85).doesNotHaveDuplicates();
        assertThat(pages).allSatisfy(p -> assertThat(p.getJsonArray("relationships").size()).isBetween(1, 7));
        Set<String> expected = new HashSet<>();
        rows.forEach(r -> expected.add(keyOf(r)));
        assertThat(new HashSet<>(all)).isEqualTo(expected);

        // New writes after the export began: a resumed export must not see them.
        assertThat(post("/v1/relationships/write", Requests.write(
                Requests.touch("doc", "r9999", "viewer", "user", "late"),
                Requests.touch("folder", "zzz", "viewer", "user", "late"),
                Requests.delete("folder", "f9", "viewer", "user", "u9"))).status()).isEqualTo(200);

        for (int middle : new int[] {3, 8}) { // in the first type, and in the second
            JsonObject cursor = pages.get(middle).getJsonObject("afterResultCursor");
            List<JsonObject> rest = export(new JsonObject().put("optionalLimit", 5).put("optionalCursor", cursor)
                    .put("consistency", new JsonObject().put("fullyConsistent", true)));
            assertThat(keys(rest)).as("resumed after page " + middle)
                    .containsExactlyElementsOf(all.subList(keys(pages.subList(0, middle + 1)).size(), all.size()));
        }
        assertThat(keys(export(fully()))).as("a new export sees the new writes").contains("folder:zzz#viewer@user:late")
                .doesNotContain("folder:f9#viewer@user:u9");
    }

    @Test
    void export_refusesACursorItDidNotIssue() throws Exception {
        assertThat(post("/v1/relationships/importbulk", ndjson(docs("g", 20), 20)).status()).isEqualTo(200);
        String token = export(fully().put("optionalLimit", 5)).get(1).getJsonObject("afterResultCursor")
                .getString("token");
        String[] parts = token.split("\\.");
        String otherPosition = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "doc:a#viewer@user:u1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String otherTenant = newTenant();

        for (String bad : List.of("garbage", "", parts[0] + "." + otherPosition + "." + parts[2],
                parts[0] + "." + parts[1] + "." + parts[2].substring(1), token + ".x")) {
            Reply reply = post("/v1/relationships/exportbulk", new JsonObject()
                    .put("optionalCursor", new JsonObject().put("token", bad)).encode());
            assertThat(reply.status()).as("cursor `" + bad + "`: " + reply.body()).isEqualTo(400);
            assertThat(reply.json().getInteger("code")).isEqualTo(3);
        }
        Reply foreign = server.post("/v1/relationships/exportbulk", new JsonObject()
                .put("optionalCursor", new JsonObject().put("token", token)).encode(), otherTenant);
        assertThat(foreign.status()).as("another tenant's cursor: " + foreign.body()).isEqualTo(400);
        assertThat(foreign.json().getString("message")).contains("cursor");
    }

    @Test
    void export_appliesTheFilter_andRefusesAPageOverTheMost() throws Exception {
        List<JsonObject> rows = new ArrayList<>(docs("f", 40));
        rows.add(rel("folder", "x", "viewer", "user", "u1"));
        assertThat(post("/v1/relationships/importbulk", ndjson(rows, 40)).status()).isEqualTo(200);

        List<String> editors = keys(export(fully().put("optionalLimit", 3).put("optionalRelationshipFilter",
                new JsonObject().put("resourceType", "doc").put("optionalRelation", "editor"))));
        List<String> expected = rows.stream().map(BulkRelationshipsContract::keyOf)
                .filter(k -> k.startsWith("doc:") && k.contains("#editor@")).sorted().toList();
        assertThat(editors).hasSize(14).containsExactlyInAnyOrderElementsOf(expected);
        List<String> ofU1 = keys(export(fully().put("optionalRelationshipFilter", new JsonObject()
                .put("optionalSubjectFilter", new JsonObject().put("subjectType", "user").put("optionalSubjectId", "u1")))));
        assertThat(ofU1).containsExactlyInAnyOrder("doc:f1#viewer@user:u1", "folder:x#viewer@user:u1");

        Reply tooBig = post("/v1/relationships/exportbulk", fully().put("optionalLimit", 10_001).encode());
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.json().getString("message")).contains("10000");
        Reply unknown = post("/v1/relationships/exportbulk", fully().put("optionalRelationshipFilter",
                new JsonObject().put("resourceType", "page")).encode());
        assertThat(unknown.json().getInteger("code")).isEqualTo(9);
    }

    // ---- bulk check ---------------------------------------------------------------------------------

    @Test
    void experimentalBulkCheckPermission_answersInItsOwnShape() throws Exception {
        assertThat(post("/v1/relationships/importbulk", ndjson(docs("c", 3), 3)).status()).isEqualTo(200);
        JsonObject item = new JsonObject(Requests.check("{\"fullyConsistent\":true}", "doc", "c0", "view", "user",
                "u0"));
        item.remove("consistency");
        JsonObject no = item.copy().put("subject", new JsonObject().put("object", new JsonObject()
                .put("objectType", "user").put("objectId", "nobody")));
        Reply reply = post("/v1/experimental/permissions/bulkcheckpermission", fully()
                .put("items", new JsonArray().add(item).add(no)).encode());

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonArray pairs = reply.json().getJsonArray("pairs");
        assertThat(pairs.getJsonObject(0).getJsonObject("request")).isEqualTo(item);
        assertThat(pairs.getJsonObject(0).getJsonObject("item").getString("permissionship"))
                .isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
        assertThat(pairs.getJsonObject(1).getJsonObject("item").getString("permissionship"))
                .isEqualTo("PERMISSIONSHIP_NO_PERMISSION");
        assertThat(pairs.getJsonObject(0).getJsonObject("item").containsKey("debugTrace")).isFalse();
        assertThat(reply.json().getJsonObject("checkedAt").getString("token")).isNotBlank();
    }
}
