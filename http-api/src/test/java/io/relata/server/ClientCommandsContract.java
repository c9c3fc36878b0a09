package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.cli.ExitCodes;
import io.relata.engine.EngineOptions;
import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands of {@code relata} (context, schema, relationship, permission, export,
 * import, watch) run in-process against a real server over a real socket, on each store:
 * the sequence a new user follows from the README, the exit codes scripts rely on, and
 * {@code --json} output that parses.
 */
abstract class ClientCommandsContract {

    static final String ADMIN = "client-admin-key";

    static final String SCHEMA = """
            definition user {}

            definition group {
            	relation member: user | group#member
            }

            caveat on_weekday(day string) {
            	day != "saturday" && day != "sunday"
            }

            definition project {
            	relation namespace: group
            	relation developer: user | group#member | user with on_weekday
            	permission push = developer + namespace->member
            }
            """;

    private static TestServer server;
    private static TupleStore store;

    @TempDir
    Path dir;

    private String token;

    /** A new store over the implementation's storage, and its API keys. */
    interface Stores {
        TupleStore store();

        ApiKeys keys(TupleStore store);
    }

    static void startServer(Stores stores) throws Exception {
        store = stores.store();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(), "client-test-secret-0123456789",
                Duration.ofSeconds(5), 1 << 20, 50, EngineOptions.DEFAULTS, ADMIN), store, stores.keys(store));
    }

    @AfterAll
    static void stopServer() {
        server.close();
        store.close();
    }

    /** A tenant of its own and a config directory of its own, with a context pointing at it. */
    @BeforeEach
    void contextOfItsOwn() throws Exception {
        System.setProperty("relata.config.dir", dir.resolve("config").toString());
        token = newTenantKey();
        Cli.Run set = Cli.run("context", "set", "local", server.base(), token);
        assertThat(set.status()).as(set.err()).isZero();
    }

    @AfterEach
    void forgetConfig() {
        System.clearProperty("relata.config.dir");
    }

    private static String newTenantKey() throws Exception {
        String tenant = "client-" + UUID.randomUUID();
        assertThat(server.post("/v1/tenants/create", "{\"name\":\"" + tenant + "\"}", ADMIN).status()).isEqualTo(200);
        return server.post("/v1/tenants/keys/create", "{\"tenant\":\"" + tenant + "\"}", ADMIN).json().getString("key");
    }

    private Cli.Run ok(String... args) {
        Cli.Run run = Cli.run(args);
        assertThat(run.status()).as(String.join(" ", args) + "\n" + run.out() + run.err()).isZero();
        return run;
    }

    private void schemaAndAlice() throws Exception {
        ok("schema", "write", Files.writeString(dir.resolve("schema.zed"), SCHEMA).toString());
        ok("relationship", "create", "group:eng", "member", "user:alice");
        ok("relationship", "create", "project:api", "namespace", "group:eng");
    }

    @Test
    void theReadmeSequence_fromTheTerminal() throws Exception {
        Path schemaFile = Files.writeString(dir.resolve("schema.zed"), SCHEMA);

        Cli.Run written = ok("schema", "write", schemaFile.toString());
        Cli.Run read = ok("schema", "read");
        Cli.Run created = ok("relationship", "create", "group:eng", "member", "user:alice");
        ok("relationship", "create", "project:api", "namespace", "group:eng");
        Cli.Run again = Cli.run("relationship", "create", "group:eng", "member", "user:alice");
        ok("relationship", "touch", "group:eng", "member", "user:alice");
        ok("relationship", "touch", "project:api", "developer", "user:bob");
        Cli.Run listed = ok("relationship", "read", "project");
        Cli.Run has = Cli.run("permission", "check", "project:api", "push", "user:alice");
        Cli.Run no = Cli.run("permission", "check", "project:api", "push", "user:carol");
        Cli.Run tree = ok("permission", "expand", "project:api", "push");
        Cli.Run resources = ok("permission", "lookup-resources", "project", "push", "user:alice");
        Cli.Run subjects = ok("permission", "lookup-subjects", "project:api", "push", "user");

        assertThat(written.out().strip()).isNotBlank().doesNotContain(" ");
        assertThat(read.out()).isEqualTo(SCHEMA);
        assertThat(created.out().strip()).isNotBlank();
        assertThat(again.status()).isEqualTo(ExitCodes.REFUSED);
        assertThat(again.err()).contains("ALREADY_EXISTS").contains("group:eng#member@user:alice");
        assertThat(listed.out().lines().toList()).containsExactly(
                "RESOURCE     RELATION   SUBJECT",
                "project:api  developer  user:bob",
                "project:api  namespace  group:eng");
        assertThat(has.status()).as(has.err()).isEqualTo(ExitCodes.OK);
        assertThat(has.out()).isEqualTo("true\n");
        assertThat(no.status()).as(no.err()).isEqualTo(ExitCodes.NO_PERMISSION);
        assertThat(no.out()).isEqualTo("false\n");
        assertThat(tree.out()).startsWith("project:api->push\n")
                .contains("├── project:api->developer\n│   └── user:bob\n")
                .endsWith("└── project:api->push\n    └── group:eng->member\n        └── user:alice\n"); // the arrow
        assertThat(resources.out().lines().toList()).containsExactly("RESOURCE     PERMISSION", "project:api  has");
        // Streamed in the walk's order (fixed for the question and revision), not sorted.
        assertThat(subjects.out().lines().toList()).first().isEqualTo("SUBJECT     PERMISSION");
        assertThat(subjects.out().lines().skip(1).toList()).containsExactlyInAnyOrder("user:alice  has",
                "user:bob    has");

        ok("relationship", "delete", "project:api", "developer", "user:bob");
        Cli.Run gone = Cli.run("permission", "check", "project:api", "push", "user:bob");
        assertThat(gone.status()).isEqualTo(ExitCodes.NO_PERMISSION);
    }

    @Test
    void json_printsTheApisAnswers_oneObjectALine() throws Exception {
        schemaAndAlice();

        JsonObject check = new JsonObject(ok("permission", "check", "project:api", "push", "user:alice", "--json").out());
        JsonObject tree = new JsonObject(ok("permission", "expand", "project:api", "push", "--json").out());
        List<JsonObject> resources = lines(ok("permission", "lookup-resources", "project", "push", "user:alice",
                "--json").out());
        List<JsonObject> subjects = lines(ok("permission", "lookup-subjects", "project:api", "push", "user", "--json")
                .out());
        List<JsonObject> relationships = lines(ok("relationship", "read", "group", "--json").out());
        JsonObject write = new JsonObject(ok("relationship", "touch", "group:eng", "member", "user:dan", "--json").out());
        JsonObject contexts = new JsonObject(ok("context", "list", "--json").out());

        assertThat(check.getString("permissionship")).isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
        assertThat(check.getJsonObject("checkedAt").getString("token")).isNotBlank();
        assertThat(tree.getJsonObject("treeRoot").getString("expandedRelation")).isEqualTo("push");
        assertThat(resources).extracting(r -> r.getString("resourceObjectId")).containsExactly("api");
        assertThat(subjects).extracting(s -> s.getJsonObject("subject").getString("subjectObjectId"))
                .containsExactly("alice");
        assertThat(relationships).extracting(r -> r.getJsonObject("relationship").getJsonObject("subject")
                .getJsonObject("object").getString("objectId")).containsExactly("alice");
        assertThat(write.getJsonObject("writtenAt").getString("token")).isNotBlank();
        assertThat(contexts.getString("name")).isEqualTo("local");
        assertThat(contexts.getBoolean("current")).isTrue();
        assertThat(contexts.encode()).doesNotContain(token);
    }

    @Test
    void caveats_checkIsConditionalWithoutContext_andDecidedWithIt() throws Exception {
        schemaAndAlice();
        ok("relationship", "touch", "project:api", "developer", "user:erin", "--caveat", "on_weekday");

        Cli.Run conditional = Cli.run("permission", "check", "project:api", "push", "user:erin");
        Cli.Run weekday = Cli.run("permission", "check", "project:api", "push", "user:erin",
                "--caveat-context", "{\"day\": \"monday\"}");
        Cli.Run sunday = Cli.run("permission", "check", "project:api", "push", "user:erin",
                "--caveat-context", "{\"day\": \"sunday\"}");
        Cli.Run lookup = ok("permission", "lookup-resources", "project", "push", "user:erin");
        Cli.Run listed = ok("relationship", "read", "project", "developer");
        Cli.Run badContext = Cli.run("permission", "check", "project:api", "push", "user:erin",
                "--caveat-context", "day=monday");

        assertThat(conditional.status()).isEqualTo(ExitCodes.CONDITIONAL);
        assertThat(conditional.out()).isEqualTo("caveated (missing context: day)\n");
        assertThat(weekday.status()).isEqualTo(ExitCodes.OK);
        assertThat(sunday.status()).isEqualTo(ExitCodes.NO_PERMISSION);
        assertThat(lookup.out()).contains("project:api  caveated (missing: day)");
        assertThat(listed.out()).contains("user:erin  on_weekday");
        assertThat(badContext.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(badContext.err()).contains("--caveat-context").contains("is not a JSON object");
    }

    @Test
    void explain_throughTheContext_saysWhyAndWhyNot() throws Exception {
        schemaAndAlice();

        Cli.Run has = Cli.run("explain", "project:api#push@user:alice");
        Cli.Run no = Cli.run("explain", "project:api#push@user:carol");
        JsonObject json = new JsonObject(ok("explain", "project:api#push@user:alice", "--json").out());
        Cli.Run noSuchContext = Cli.run("explain", "project:api#push@user:alice", "--context", "elsewhere");
        Cli.Run badQuestion = Cli.run("explain", "project:api push user:alice");

        assertThat(has.status()).as(has.err()).isEqualTo(ExitCodes.OK);
        assertThat(has.out()).startsWith("HAS_PERMISSION  project:api#push@user:alice\ngranted through:\n"
                + "  project:api#namespace@group:eng    (project#push = developer + namespace->member")
                .contains("\n  group:eng#member@user:alice    (");
        assertThat(no.status()).as(no.err()).isEqualTo(ExitCodes.OK); // an answer, whatever it is
        assertThat(no.out()).startsWith("NO_PERMISSION  project:api#push@user:carol\n")
                .contains("missing (writing this would grant it):\n  group:eng#member@user:carol");
        assertThat(json.getString("permissionship")).isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
        assertThat(json.getJsonObject("checkedAt").getString("token")).isNotBlank();
        assertThat(json.getJsonArray("chain").stream().map(h -> ((JsonObject) h).getString("relationship")))
                .containsExactly("project:api#namespace@group:eng", "group:eng#member@user:alice");
        assertThat(noSuchContext.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(noSuchContext.err()).contains("no context `elsewhere`");
        assertThat(badQuestion.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(badQuestion.err()).contains("resource#permission@subject");
    }

    @Test
    void checkExplain_printsTheAnswerThenWhy_withTheChecksExitCodes() throws Exception {
        schemaAndAlice();
        ok("relationship", "touch", "project:api", "developer", "user:erin", "--caveat", "on_weekday");
        String before = ok("relationship", "touch", "group:eng", "member", "user:frank").out().strip();
        ok("relationship", "delete", "group:eng", "member", "user:frank");

        Cli.Run has = Cli.run("permission", "check", "project:api", "push", "user:alice", "--explain");
        Cli.Run no = Cli.run("permission", "check", "project:api", "push", "user:carol", "--explain");
        Cli.Run caveated = Cli.run("permission", "check", "project:api", "push", "user:erin", "--explain");
        Cli.Run decided = Cli.run("permission", "check", "project:api", "push", "user:erin", "--explain",
                "--caveat-context", "{\"day\": \"monday\"}");
        Cli.Run atThen = Cli.run("permission", "check", "project:api", "push", "user:frank", "--explain",
                "--consistency-at-exactly", before);
        Cli.Run json = Cli.run("permission", "check", "project:api", "push", "user:carol", "--explain", "--json");

        assertThat(has.status()).as(has.err()).isEqualTo(ExitCodes.OK);
        assertThat(has.out()).startsWith("true\nHAS_PERMISSION  project:api#push@user:alice\ngranted through:\n"
                + "  project:api#namespace@group:eng    (");
        assertThat(no.status()).as(no.err()).isEqualTo(ExitCodes.NO_PERMISSION);
        assertThat(no.out()).startsWith("false\nNO_PERMISSION  project:api#push@user:carol\n")
                .contains("missing (writing this would grant it):\n  group:eng#member@user:carol");
        assertThat(caveated.status()).as(caveated.err()).isEqualTo(ExitCodes.CONDITIONAL);
        assertThat(caveated.out()).startsWith("caveated (missing context: day)\nCONDITIONAL_PERMISSION  ")
                .contains("  project:api#developer@user:erin[on_weekday]")
                .contains("undecided caveats: on_weekday (missing context: day)");
        assertThat(decided.status()).as(decided.err()).isEqualTo(ExitCodes.OK);
        assertThat(decided.out()).startsWith("true\nHAS_PERMISSION  ");
        assertThat(atThen.status()).as(atThen.err()).isEqualTo(ExitCodes.OK);
        assertThat(atThen.out()).contains("  group:eng#member@user:frank    (");
        assertThat(json.status()).isEqualTo(ExitCodes.NO_PERMISSION);
        assertThat(json.out().lines()).hasSize(1);
        JsonObject answer = new JsonObject(json.out());
        assertThat(answer.getString("permissionship")).isEqualTo("PERMISSIONSHIP_NO_PERMISSION");
        assertThat(answer.getJsonArray("missing").getJsonObject(0).getString("relationship"))
                .isEqualTo("group:eng#member@user:carol");
    }

    @Test
    void consistencyFlags_readAtATokenOrNewest_andOnlyOneMayBeGiven() throws Exception {
        schemaAndAlice();
        String before = ok("relationship", "touch", "group:eng", "member", "user:frank").out().strip();
        ok("relationship", "delete", "group:eng", "member", "user:frank");

        Cli.Run atThen = Cli.run("permission", "check", "project:api", "push", "user:frank",
                "--consistency-at-exactly", before);
        Cli.Run now = Cli.run("permission", "check", "project:api", "push", "user:frank", "--consistency-full");
        Cli.Run both = Cli.run("permission", "check", "project:api", "push", "user:frank", "--consistency-full",
                "--consistency-at-least", before);

        assertThat(atThen.status()).as(atThen.err()).isEqualTo(ExitCodes.OK);
        assertThat(now.status()).isEqualTo(ExitCodes.NO_PERMISSION);
        assertThat(both.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("at most one of --consistency-full");
    }

    @Test
    void schemaDiff_listsWhatAWriteWouldChange_andABadSchemaIsRefusedWithItsPosition() throws Exception {
        schemaAndAlice();
        Path changed = Files.writeString(dir.resolve("changed.zed"), SCHEMA.replace("definition user {}",
                "definition user {}\n\ndefinition bot {}").replace("permission push = developer + namespace->member",
                "permission push = developer + namespace->member\n\tpermission read = push"));
        Path bad = Files.writeString(dir.resolve("bad.zed"), "definition user {}\ndefinition doc {\n  relation viewer: usr\n}\n");

        Cli.Run diff = ok("schema", "diff", changed.toString());
        Cli.Run refused = Cli.run("schema", "write", bad.toString());
        Cli.Run missing = Cli.run("schema", "write", dir.resolve("missing.zed").toString());

        assertThat(diff.out().lines().toList()).containsExactly("definitionAdded bot", "permissionAdded project#read");
        assertThat(refused.status()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refused.err()).contains("usr").contains("INVALID_ARGUMENT").contains("ERROR_REASON_SCHEMA_PARSE_ERROR");
        assertThat(missing.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(ok("schema", "read").out()).isEqualTo(SCHEMA);
    }

    @Test
    void bulkDelete_deletesWhatTheFilterMatches() throws Exception {
        schemaAndAlice();
        ok("relationship", "touch", "group:eng", "member", "user:bob");
        ok("relationship", "touch", "group:ops", "member", "user:bob");

        Cli.Run deleted = ok("relationship", "bulk-delete", "group", "member", "user:bob");

        assertThat(deleted.out()).startsWith("deleted 2 relationships at ");
        assertThat(ok("relationship", "read", "group").out().lines().skip(1).toList())
                .containsExactly("group:eng  member    user:alice");
    }

    @Test
    void exportThenImport_copiesSchemaAndRelationshipsToAnotherServerTenant_inBothFormats() throws Exception {
        schemaAndAlice();
        ok("relationship", "touch", "project:api", "developer", "user:erin", "--caveat", "on_weekday:{\"day\":\"monday\"}");

        Path yaml = Files.writeString(dir.resolve("export.yaml"), ok("export").out());
        Path ndjson = Files.writeString(dir.resolve("export.ndjson"), ok("export", "--format", "ndjson").out());
        Cli.Run valid = Cli.run("validate", yaml.toString());

        ok("context", "set", "copy", server.base(), newTenantKey());
        Cli.Run imported = ok("import", yaml.toString(), "--with-schema");
        Cli.Run copied = ok("relationship", "read", "project");
        ok("context", "set", "copy2", server.base(), newTenantKey());
        ok("schema", "write", Files.writeString(dir.resolve("s.zed"), SCHEMA).toString());
        Cli.Run importedNdjson = ok("import", ndjson.toString());
        Cli.Run copied2 = ok("relationship", "read", "project");

        assertThat(valid.status()).as(valid.out() + valid.err()).isZero();
        assertThat(Files.readString(ndjson).lines().toList()).hasSize(3);
        assertThat(imported.out()).contains("imported 3 relationships of " + yaml + " through " + server.base());
        assertThat(ok("schema", "read").out()).isEqualTo(SCHEMA);
        assertThat(copied.out()).contains("project:api  namespace  group:eng")
                .contains("user:erin  on_weekday:{\"day\":\"monday\"}");
        assertThat(importedNdjson.out()).contains("imported 3 relationships");
        assertThat(copied2.out()).isEqualTo(copied.out());
        assertThat(Cli.run("permission", "check", "project:api", "push", "user:alice").status()).isZero();
    }

    @Test
    void importThroughTheServer_aBadLineWritesNothing_andIsNamedByFileAndLine() throws Exception {
        schemaAndAlice();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 2_500; i++) { // more than one batch before the bad line
            lines.append(rel("u" + i)).append('\n');
        }
        Path unknownType = Files.writeString(dir.resolve("unknown.ndjson"), lines + rel("x").replace("\"user\"",
                "\"robot\"") + "\n");
        Path notJson = Files.writeString(dir.resolve("broken.ndjson"), lines + "{not json\n");

        Cli.Run refused = Cli.run("import", unknownType.toString());
        Cli.Run broken = Cli.run("import", notJson.toString());

        assertThat(refused.status()).as(refused.err()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refused.err()).contains("nothing was imported").contains(unknownType + ":2501").contains("robot");
        assertThat(broken.status()).as(broken.err()).isEqualTo(ExitCodes.REFUSED);
        assertThat(broken.err()).contains("nothing was imported").contains(notJson + ":2501");
        assertThat(ok("relationship", "read", "group").out().lines().skip(1).toList())
                .containsExactly("group:eng  member    user:alice");
    }

    private static String rel(String user) {
        return "{\"resource\":{\"objectType\":\"group\",\"objectId\":\"big\"},\"relation\":\"member\","
                + "\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"" + user + "\"}}}";
    }

    @Test
    void watch_printsChangesFromAToken_andStopsAtMaxEventsOrTimeout() throws Exception {
        schemaAndAlice();
        String from = ok("relationship", "touch", "group:eng", "member", "user:gina").out().strip();
        ok("relationship", "touch", "group:ops", "member", "user:hal");
        ok("relationship", "delete", "group:eng", "member", "user:gina");

        long start = System.nanoTime();
        Cli.Run watched = ok("watch", "--revision", from, "--max-events", "2", "--timeout", "60s");
        Cli.Run filtered = ok("watch", "project", "--revision", from, "--timeout", "1s");
        Cli.Run quiet = ok("watch", "--timeout", "500ms", "--json");
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(watched.out().lines().toList()).containsExactly("touch group:ops#member@user:hal",
                "delete group:eng#member@user:gina");
        assertThat(filtered.out()).isEmpty();
        assertThat(quiet.out()).isEmpty();
        assertThat(seconds).as("bounded by --max-events and --timeout").isLessThan(50);
    }

    @Test
    void watch_json_seesAWriteMadeWhileItWaits() throws Exception {
        schemaAndAlice();
        CompletableFuture<Cli.Run> watching = CompletableFuture.supplyAsync(
                () -> Cli.run("watch", "--max-events", "1", "--timeout", "60s", "--json"));
        // The watch starts from now: write until it has seen one (it holds Cli's lock, so write over HTTP).
        for (int i = 0; !watching.isDone() && i < 200; i++) {
            server.post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray().add(new JsonObject()
                    .put("operation", "OPERATION_TOUCH").put("relationship", new JsonObject(rel("w" + i))))).encode(),
                    token);
            Thread.sleep(100);
        }
        Cli.Run run = watching.get(60, TimeUnit.SECONDS);

        assertThat(run.status()).as(run.err()).isZero();
        JsonObject line = new JsonObject(run.out().strip());
        assertThat(line.getJsonArray("updates").getJsonObject(0).getString("operation")).isEqualTo("OPERATION_TOUCH");
        assertThat(line.getJsonObject("changesThrough").getString("token")).isNotBlank();
    }

    @Test
    void exitCodes_noContext_badToken_unreachableServer() throws Exception {
        schemaAndAlice();
        Cli.Run noContext;
        Cli.Run removed = ok("context", "remove", "local");
        noContext = Cli.run("schema", "read");
        Cli.Run badToken = Cli.run("schema", "read", "--endpoint", server.base(), "--token", "wrong");
        Cli.Run overridden = Cli.run("permission", "check", "project:api", "push", "user:alice",
                "--endpoint", server.base(), "--token", token);
        java.net.ServerSocket socket = new java.net.ServerSocket(0);
        int closedPort = socket.getLocalPort();
        socket.close();
        Cli.Run unreachable = Cli.run("schema", "read", "--endpoint", "127.0.0.1:" + closedPort, "--insecure",
                "--token", token);
        Cli.Run usage = Cli.run("permission", "check", "project:api");
        Cli.Run badDuration = Cli.run("watch", "--timeout", "soon", "--endpoint", server.base(), "--token", token);

        assertThat(removed.out()).contains("removed");
        assertThat(noContext.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(noContext.err()).contains("relata context set NAME ENDPOINT TOKEN");
        assertThat(badToken.status()).isEqualTo(ExitCodes.REFUSED);
        assertThat(badToken.err()).contains("UNAUTHENTICATED");
        assertThat(overridden.status()).isEqualTo(ExitCodes.OK);
        assertThat(unreachable.status()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(unreachable.err()).contains("cannot connect to http://127.0.0.1:" + closedPort);
        assertThat(usage.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(badDuration.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(badDuration.err()).contains("`soon` is not a duration");
    }

    private static List<JsonObject> lines(String out) {
        List<JsonObject> objects = new ArrayList<>();
        out.lines().filter(l -> !l.isBlank()).forEach(l -> objects.add(new JsonObject(l)));
        return objects;
    }
}
