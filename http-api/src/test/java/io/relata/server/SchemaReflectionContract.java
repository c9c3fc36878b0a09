package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SpiceDB's schema reflection over HTTP, on every store (each store's test extends this
 * class): {@code ReflectSchema}, {@code DiffSchema}, {@code ComputablePermissions} and
 * {@code DependentRelations} under {@code /v1/schema/} and their {@code /v1/experimental/}
 * aliases, at the request's consistency. Expected answers are SpiceDB's: the cases of its
 * {@code reflectionapi_test.go} and {@code schema_test.go} where they apply, and for the
 * richer schemas below, what SpiceDB's reachability graph gives (worked out by hand in the
 * comments).
 */
abstract class SchemaReflectionContract {

    /** A store over the implementation's storage; closed after each test. */
    protected abstract TupleStore newStore();

    /** The API keys of {@code store}'s tenants. */
    protected abstract ApiKeys keys(TupleStore store);

    private static final String SECRET = "schema-reflection-secret-0123456789";
    private static final String FULLY = "{\"fullyConsistent\":true}";

    private TupleStore store;
    private TestServer server;
    private String key;

    @BeforeEach
    void start() throws Exception {
        store = newStore();
        key = "reflection-" + UUID.randomUUID();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(key, "reflection-" + UUID.randomUUID()),
                SECRET, Duration.ofSeconds(5), 1 << 20, 50, EngineOptions.DEFAULTS, null), store, keys(store));
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private Reply post(String path, JsonObject body) throws Exception {
        return server.post(path, body.encode(), key);
    }

    /** A 200 answer's body. */
    private JsonObject ok(String path, JsonObject body) throws Exception {
        Reply reply = post(path, body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    /** Asserts an error answer with gRPC {@code code} and HTTP {@code http}; gives its message. */
    private String error(String path, JsonObject body, int code, int http) throws Exception {
        Reply reply = post(path, body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(http);
        assertThat(reply.json().getInteger("code")).as(reply.body()).isEqualTo(code);
        return reply.json().getString("message");
    }

    /** Writes {@code schema}; gives the token it was written at. */
    private String writeSchema(String schema) throws Exception {
        return ok("/v1/schema/write", new JsonObject().put("schema", schema)).getJsonObject("writtenAt")
                .getString("token");
    }

    private static JsonObject fully() {
        return new JsonObject().put("consistency", new JsonObject(FULLY));
    }

    private static JsonObject atExactSnapshot(String token) {
        return new JsonObject().put("consistency", new JsonObject().put("atExactSnapshot",
                new JsonObject().put("token", token)));
    }

    private JsonObject reflect(JsonArray filters) throws Exception {
        JsonObject body = fully();
        if (filters != null) {
            body.put("optionalFilters", filters);
        }
        JsonObject reply = ok("/v1/schema/reflectschema", body);
        assertThat(reply.getJsonObject("readAt").getString("token")).isNotBlank();
        return reply;
    }

    private JsonArray diff(String comparison) throws Exception {
        JsonObject reply = ok("/v1/schema/diffschema", fully().put("comparisonSchema", comparison));
        assertThat(reply.getJsonObject("readAt").getString("token")).isNotBlank();
        return reply.getJsonArray("diffs");
    }

    private JsonArray computable(String definition, String relation, String filter) throws Exception {
        JsonObject reply = ok("/v1/schema/permissions/computable", fully().put("definitionName", definition)
                .put("relationName", relation).put("optionalDefinitionNameFilter", filter));
        assertThat(reply.getJsonObject("readAt").getString("token")).isNotBlank();
        return reply.getJsonArray("permissions");
    }

    private JsonArray dependent(String definition, String permission) throws Exception {
        JsonObject reply = ok("/v1/schema/permissions/dependent", fully().put("definitionName", definition)
                .put("permissionName", permission));
        assertThat(reply.getJsonObject("readAt").getString("token")).isNotBlank();
        return reply.getJsonArray("relations");
    }

    /** {@code ReflectionRelationReference}s from {@code "definition#relation"}, a trailing {@code !} for permissions. */
    private static JsonArray refs(String... refs) {
        JsonArray out = new JsonArray();
        for (String r : refs) {
            boolean permission = r.endsWith("!");
            String[] parts = (permission ? r.substring(0, r.length() - 1) : r).split("#");
            out.add(new JsonObject().put("definitionName", parts[0]).put("relationName", parts[1])
                    .put("isPermission", permission));
        }
        return out;
    }

    // ---- ReflectSchema --------------------------------------------------------------------------------

    /** Comments of every kind, caveats, wildcards, subject relations, caveated and expiring types. */
    private static final String REFLECTED = """
            use expiration

            /** A person. */
            definition user {}

            // Teams nest.
            definition team {
                /**
                 * Direct members,
                 *   and members of sub-teams.
                 */
                relation member: user | team#member
            }

            /** Only from the office network. */
            caveat on_network(ip ipaddress, allowed list<string>) {
                allowed.exists(cidr, ip.in_cidr(cidr))
            }

            /* Until a deadline. */
            caveat before(current timestamp, deadline timestamp) {
                current < deadline
            }

            definition document {
                relation owner: user with expiration // a trailing comment is not the next relation's
                // Who may read:
                /* anyone on the network, teams until a deadline. */
                relation reader: user | user:* with on_network | team#member with before | user with on_network and expiration
                /** Readers and owners. */
                permission read = reader + owner
                permission nothing = nil
            }
            """;

    private static final JsonObject DOCUMENT = new JsonObject("""
            {"name": "document", "comment": "", "relations": [
              {"name": "owner", "comment": "", "parentDefinitionName": "document", "subjectTypes": [
                {"subjectDefinitionName": "user", "optionalCaveatName": "", "isTerminalSubject": false}]},
              {"name": "reader", "comment": "// Who may read:\\n/* anyone on the network, teams until a deadline. */",
               "parentDefinitionName": "document", "subjectTypes": [
                {"subjectDefinitionName": "user", "optionalCaveatName": "", "isTerminalSubject": false},
                {"subjectDefinitionName": "user", "optionalCaveatName": "on_network", "isPublicWildcard": true},
                {"subjectDefinitionName": "team", "optionalCaveatName": "before", "optionalRelationName": "member"},
                {"subjectDefinitionName": "user", "optionalCaveatName": "on_network", "isTerminalSubject": false}]}],
             "permissions": [
              {"name": "read", "comment": "/** Readers and owners. */", "parentDefinitionName": "document"},
              {"name": "nothing", "comment": "", "parentDefinitionName": "document"}]}
            """);

    private static final JsonObject TEAM = new JsonObject("""
            {"name": "team", "comment": "// Teams nest.", "relations": [
              {"name": "member", "comment": "/**\\n* Direct members,\\n*   and members of sub-teams.\\n*/",
               "parentDefinitionName": "team", "subjectTypes": [
                {"subjectDefinitionName": "user", "optionalCaveatName": "", "isTerminalSubject": false},
                {"subjectDefinitionName": "team", "optionalCaveatName": "", "optionalRelationName": "member"}]}],
             "permissions": []}
            """);

    private static final JsonObject USER = new JsonObject("""
            {"name": "user", "comment": "/** A person. */", "relations": [], "permissions": []}
            """);

    private static final JsonObject BEFORE = new JsonObject("""
            {"name": "before", "comment": "/* Until a deadline. */", "parameters": [
              {"name": "current", "type": "timestamp", "parentCaveatName": "before"},
              {"name": "deadline", "type": "timestamp", "parentCaveatName": "before"}],
             "expression": "current < deadline"}
            """);

    private static final JsonObject ON_NETWORK = new JsonObject("""
            {"name": "on_network", "comment": "/** Only from the office network. */", "parameters": [
              {"name": "allowed", "type": "list<string>", "parentCaveatName": "on_network"},
              {"name": "ip", "type": "ipaddress", "parentCaveatName": "on_network"}],
             "expression": "allowed.exists(cidr, ip.in_cidr(cidr))"}
            """);

    @Test
    void reflect_givesEveryDefinitionAndCaveatByName_withCommentsAsWritten() throws Exception {
        writeSchema(REFLECTED);

        JsonObject reply = reflect(null);

        assertThat(reply.getJsonArray("definitions")).isEqualTo(new JsonArray().add(DOCUMENT).add(TEAM).add(USER));
        assertThat(reply.getJsonArray("caveats")).isEqualTo(new JsonArray().add(BEFORE).add(ON_NETWORK));
    }

    @Test
    void reflect_spiceDbsFullSchemaCase() throws Exception {
        // reflectionapi_test.go, "full schema": SpiceDB's expected answer, field for field.
        writeSchema("""
                /** user represents a user */
                definition user {}

                /** group represents a group */
                definition group {
                    relation direct_member: user | group#member
                    relation admin: user
                    permission member = direct_member + admin
                }

                /** somecaveat is a caveat */
                caveat somecaveat(first int, second string) {
                    first == 1 && second == "two"
                }

                /** document is a protected document */
                definition document {
                    // editor is a relation
                    relation editor: user | group#member
                    relation viewer: user | user with somecaveat | group#member | user:*

                    // read all the things
                    permission read = viewer + editor
                }
                """);

        JsonObject reply = reflect(null);

        assertThat(reply.getJsonArray("definitions").stream().map(d -> ((JsonObject) d).getString("name")))
                .containsExactly("document", "group", "user");
        JsonObject document = reply.getJsonArray("definitions").getJsonObject(0);
        assertThat(document.getString("comment")).isEqualTo("/** document is a protected document */");
        assertThat(document.getJsonArray("relations").getJsonObject(0).getString("comment"))
                .isEqualTo("// editor is a relation");
        assertThat(document.getJsonArray("relations").getJsonObject(1)).isEqualTo(new JsonObject("""
                {"name": "viewer", "comment": "", "parentDefinitionName": "document", "subjectTypes": [
                  {"subjectDefinitionName": "user", "optionalCaveatName": "", "isTerminalSubject": false},
                  {"subjectDefinitionName": "user", "optionalCaveatName": "somecaveat", "isTerminalSubject": false},
                  {"subjectDefinitionName": "group", "optionalCaveatName": "", "optionalRelationName": "member"},
                  {"subjectDefinitionName": "user", "optionalCaveatName": "", "isPublicWildcard": true}]}
                """));
        assertThat(document.getJsonArray("permissions")).isEqualTo(new JsonArray().add(new JsonObject()
                .put("name", "read").put("comment", "// read all the things").put("parentDefinitionName", "document")));
        assertThat(reply.getJsonArray("caveats")).isEqualTo(new JsonArray().add(new JsonObject("""
                {"name": "somecaveat", "comment": "/** somecaveat is a caveat */", "parameters": [
                  {"name": "first", "type": "int", "parentCaveatName": "somecaveat"},
                  {"name": "second", "type": "string", "parentCaveatName": "somecaveat"}],
                 "expression": "first == 1 && second == \\"two\\""}
                """)));
    }

    static Stream<Arguments> filters() {
        return Stream.of(
                Arguments.of("a definition prefix: that definition whole, no caveats",
                        "[{\"optionalDefinitionNameFilter\": \"doc\"}]", new JsonArray().add(DOCUMENT),
                        new JsonArray()),
                Arguments.of("several definition prefixes",
                        "[{\"optionalDefinitionNameFilter\": \"team\"}, {\"optionalDefinitionNameFilter\": \"u\"}]",
                        new JsonArray().add(TEAM).add(USER), new JsonArray()),
                Arguments.of("a caveat prefix: that caveat, no definitions",
                        "[{\"optionalCaveatNameFilter\": \"on\"}]", new JsonArray(), new JsonArray().add(ON_NETWORK)),
                Arguments.of("a definition and a caveat, in filters of their own",
                        "[{\"optionalDefinitionNameFilter\": \"t\"}, {\"optionalCaveatNameFilter\": \"be\"}]",
                        new JsonArray().add(TEAM), new JsonArray().add(BEFORE)),
                Arguments.of("relation and permission prefixes, each with its definition",
                        "[{\"optionalDefinitionNameFilter\": \"doc\", \"optionalRelationNameFilter\": \"re\"},"
                                + " {\"optionalDefinitionNameFilter\": \"doc\", \"optionalPermissionNameFilter\": \"no\"}]",
                        new JsonArray().add(DOCUMENT.copy()
                                .put("relations", new JsonArray().add(DOCUMENT.getJsonArray("relations").getValue(1)))
                                .put("permissions", new JsonArray().add(DOCUMENT.getJsonArray("permissions").getValue(1)))),
                        new JsonArray()),
                Arguments.of("a relation prefix alone leaves permissions unfiltered",
                        "[{\"optionalDefinitionNameFilter\": \"document\", \"optionalRelationNameFilter\": \"owner\"}]",
                        new JsonArray().add(DOCUMENT.copy()
                                .put("relations", new JsonArray().add(DOCUMENT.getJsonArray("relations").getValue(0)))),
                        new JsonArray()),
                Arguments.of("a relation prefix applies only in the definitions its filter names",
                        "[{\"optionalDefinitionNameFilter\": \"team\", \"optionalRelationNameFilter\": \"owner\"},"
                                + " {\"optionalDefinitionNameFilter\": \"doc\"}]",
                        new JsonArray().add(DOCUMENT.copy().put("relations", new JsonArray()))
                                .add(TEAM.copy().put("relations", new JsonArray())),
                        new JsonArray()),
                Arguments.of("a prefix that matches nothing", "[{\"optionalDefinitionNameFilter\": \"zz\"}]",
                        new JsonArray(), new JsonArray()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void reflect_withFilters_matchesPrefixesAsSpiceDb(String name, String filters, JsonArray definitions,
            JsonArray caveats) throws Exception {
        writeSchema(REFLECTED);

        JsonObject reply = reflect(new JsonArray(filters));

        assertThat(reply.getJsonArray("definitions")).isEqualTo(definitions);
        assertThat(reply.getJsonArray("caveats")).isEqualTo(caveats);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"optionalDefinitionNameFilter\": \"doc\", \"optionalCaveatNameFilter\": \"on\"}"
                + "|cannot filter by both definition and caveat name",
        "{\"optionalRelationNameFilter\": \"reader\"}|relation name match requires definition name match",
        "{\"optionalDefinitionNameFilter\": \"doc\", \"optionalRelationNameFilter\": \"reader\","
                + " \"optionalPermissionNameFilter\": \"read\"}|cannot filter by both relation and permission name",
        "{\"optionalPermissionNameFilter\": \"read\"}|permission name match requires definition name match"})
    void reflect_refusesFiltersSpiceDbRefuses(String filterAndReason) throws Exception {
        writeSchema(REFLECTED);
        String[] parts = filterAndReason.split("\\|");

        String message = error("/v1/schema/reflectschema", fully().put("optionalFilters",
                new JsonArray().add(new JsonObject("{\"optionalDefinitionNameFilter\": \"user\"}"))
                        .add(new JsonObject(parts[0]))), 3, 400);

        assertThat(message).isEqualTo("the schema filter provided is not valid: " + parts[1]
                + " (in optionalFilters[1] " + new JsonObject(parts[0]).encode() + ")");
    }

    @Test
    void reflect_withoutASchema_isEmpty() throws Exception {
        JsonObject reply = reflect(null);

        assertThat(reply.getJsonArray("definitions")).isEmpty();
        assertThat(reply.getJsonArray("caveats")).isEmpty();
    }

    @Test
    void reflect_readsTheSchemaAtTheRequestsRevision() throws Exception {
        String first = writeSchema("definition user {}");
        writeSchema("definition user {}\ndefinition team {\n    relation member: user\n}");

        JsonObject then = ok("/v1/schema/reflectschema", atExactSnapshot(first));
        JsonObject now = ok("/v1/schema/reflectschema", fully());

        assertThat(then.getJsonArray("definitions")).isEqualTo(new JsonArray().add(new JsonObject()
                .put("name", "user").put("comment", "").put("relations", new JsonArray())
                .put("permissions", new JsonArray())));
        assertThat(then.getJsonObject("readAt").getString("token")).isEqualTo(first);
        assertThat(now.getJsonArray("definitions").stream().map(d -> ((JsonObject) d).getString("name")))
                .containsExactly("team", "user");
    }

    // ---- DiffSchema -----------------------------------------------------------------------------------

    private static final String BEFORE_DIFF = """
            /** A person. */
            definition user {}

            definition team {
                relation member: user
            }

            definition folder {}

            /** Network check. */
            caveat on_network(ip ipaddress, cidr string, strict bool) {
                ip.in_cidr(cidr) || !strict
            }

            caveat old_caveat(flag bool) {
                flag
            }

            definition document {
                relation owner: user
                // who reads
                relation reader: user | team#member
                relation gone: user
                permission read = reader + owner
                /** edits */
                permission edit = owner
                permission dropped = owner
            }
            """;

    private static final String AFTER_DIFF = """
            /** A human. */
            definition user {}

            definition team {
                relation member: user
            }

            definition project {}

            /** The office network. */
            caveat on_network(ip ipaddress, cidr int, networks list<string>) {
                networks.exists(n, ip.in_cidr(n)) || cidr > 0
            }

            caveat new_caveat(flag bool) {
                !flag
            }

            definition document {
                relation owner: user
                // who may read
                relation reader: user | user:*
                relation added_rel: team#member
                permission read = owner + reader
                /** edits it */
                permission edit = owner
                permission fresh = read
            }
            """;

    @Test
    void diff_reportsEveryKindOfChange_groupedAsSpiceDbGroupsThem() throws Exception {
        writeSchema(BEFORE_DIFF);

        JsonArray diffs = diff(AFTER_DIFF);

        JsonObject owner = new JsonObject("""
                {"subjectDefinitionName": "user", "optionalCaveatName": "", "isTerminalSubject": false}""");
        JsonObject reader = new JsonObject().put("name", "reader").put("comment", "// who may read")
                .put("parentDefinitionName", "document").put("subjectTypes", new JsonArray().add(owner)
                        .add(new JsonObject("""
                                {"subjectDefinitionName": "user", "optionalCaveatName": "", "isPublicWildcard": true}""")));
        JsonObject onNetwork = new JsonObject("""
                {"name": "on_network", "comment": "/** The office network. */", "parameters": [
                  {"name": "cidr", "type": "int", "parentCaveatName": "on_network"},
                  {"name": "ip", "type": "ipaddress", "parentCaveatName": "on_network"},
                  {"name": "networks", "type": "list<string>", "parentCaveatName": "on_network"}],
                 "expression": "networks.exists(n, ip.in_cidr(n)) || cidr > 0"}""");
        assertThat(diffs).isEqualTo(new JsonArray()
                .add(new JsonObject().put("definitionAdded", new JsonObject().put("name", "project").put("comment", "")
                        .put("relations", new JsonArray()).put("permissions", new JsonArray())))
                .add(new JsonObject().put("definitionRemoved", new JsonObject().put("name", "folder").put("comment", "")
                        .put("relations", new JsonArray()).put("permissions", new JsonArray())))
                .add(new JsonObject().put("caveatAdded", new JsonObject("""
                        {"name": "new_caveat", "comment": "", "parameters": [
                          {"name": "flag", "type": "bool", "parentCaveatName": "new_caveat"}], "expression": "!flag"}""")))
                .add(new JsonObject().put("caveatRemoved", new JsonObject("""
                        {"name": "old_caveat", "comment": "", "parameters": [
                          {"name": "flag", "type": "bool", "parentCaveatName": "old_caveat"}], "expression": "flag"}""")))
                // document: relations removed and added, permissions removed and added, kept
                // permissions (expression, comment), kept relations (comment, types).
                .add(new JsonObject().put("relationRemoved", new JsonObject().put("name", "gone").put("comment", "")
                        .put("parentDefinitionName", "document").put("subjectTypes", new JsonArray().add(owner))))
                .add(new JsonObject().put("relationAdded", new JsonObject("""
                        {"name": "added_rel", "comment": "", "parentDefinitionName": "document", "subjectTypes": [
                          {"subjectDefinitionName": "team", "optionalCaveatName": "", "optionalRelationName": "member"}]}""")))
                .add(new JsonObject().put("permissionRemoved", new JsonObject().put("name", "dropped").put("comment", "")
                        .put("parentDefinitionName", "document")))
                .add(new JsonObject().put("permissionAdded", new JsonObject().put("name", "fresh").put("comment", "")
                        .put("parentDefinitionName", "document")))
                .add(new JsonObject().put("permissionExprChanged", new JsonObject().put("name", "read").put("comment", "")
                        .put("parentDefinitionName", "document")))
                .add(new JsonObject().put("permissionDocCommentChanged", new JsonObject().put("name", "edit")
                        .put("comment", "/** edits it */").put("parentDefinitionName", "document")))
                .add(new JsonObject().put("relationDocCommentChanged", reader))
                .add(new JsonObject().put("relationSubjectTypeRemoved", new JsonObject().put("relation", reader)
                        .put("changedSubjectType", new JsonObject("""
                                {"subjectDefinitionName": "team", "optionalCaveatName": "", "optionalRelationName": "member"}"""))))
                .add(new JsonObject().put("relationSubjectTypeAdded", new JsonObject().put("relation", reader)
                        .put("changedSubjectType", new JsonObject("""
                                {"subjectDefinitionName": "user", "optionalCaveatName": "", "isPublicWildcard": true}"""))))
                .add(new JsonObject().put("definitionDocCommentChanged", new JsonObject().put("name", "user")
                        .put("comment", "/** A human. */").put("relations", new JsonArray())
                        .put("permissions", new JsonArray())))
                // on_network: comment, parameters removed, added, retyped, expression.
                .add(new JsonObject().put("caveatDocCommentChanged", onNetwork))
                .add(new JsonObject().put("caveatParameterRemoved", new JsonObject().put("name", "strict")
                        .put("type", "bool").put("parentCaveatName", "on_network")))
                .add(new JsonObject().put("caveatParameterAdded", new JsonObject().put("name", "networks")
                        .put("type", "list<string>").put("parentCaveatName", "on_network")))
                .add(new JsonObject().put("caveatParameterTypeChanged", new JsonObject()
                        .put("parameter", new JsonObject().put("name", "cidr").put("type", "int")
                                .put("parentCaveatName", "on_network"))
                        .put("previousType", "string")))
                .add(new JsonObject().put("caveatExprChanged", onNetwork)));
    }

    @Test
    void diff_ofTheSameSchemaLaidOutOtherwise_isEmpty() throws Exception {
        writeSchema(BEFORE_DIFF);

        // Same comments, same expression trees ((a + b) is a + b), types and expressions as written.
        String relaidOut = BEFORE_DIFF.replace("permission read = reader + owner", "permission read = (reader) + (owner)")
                .replace("    ", "\t").replace("definition folder {}", "definition folder {\n}");

        assertThat(diff(relaidOut)).isEmpty();
        assertThat(diff(BEFORE_DIFF)).isEmpty();
    }

    @Test
    void diff_seesAChangedCommentOfAnyKind_andAChangedSubjectTypeTrait() throws Exception {
        writeSchema("""
                use expiration
                definition user {}
                caveat c(x int) {
                    x > 1
                }
                definition doc {
                    relation viewer: user
                    permission view = viewer
                }
                """);

        JsonArray diffs = diff("""
                use expiration
                definition user {}
                caveat c(x int) {
                    x > 1
                }
                definition doc {
                    relation viewer: user with c and expiration
                    // a line comment is a comment too
                    permission view = viewer
                }
                """);

        JsonObject viewer = new JsonObject("""
                {"name": "viewer", "comment": "", "parentDefinitionName": "doc", "subjectTypes": [
                  {"subjectDefinitionName": "user", "optionalCaveatName": "c", "isTerminalSubject": false}]}""");
        assertThat(diffs).isEqualTo(new JsonArray()
                .add(new JsonObject().put("permissionDocCommentChanged", new JsonObject().put("name", "view")
                        .put("comment", "// a line comment is a comment too").put("parentDefinitionName", "doc")))
                .add(new JsonObject().put("relationSubjectTypeRemoved", new JsonObject().put("relation", viewer)
                        .put("changedSubjectType", new JsonObject("""
                                {"subjectDefinitionName": "user", "optionalCaveatName": "", "isTerminalSubject": false}"""))))
                .add(new JsonObject().put("relationSubjectTypeAdded", new JsonObject().put("relation", viewer)
                        .put("changedSubjectType", viewer.getJsonArray("subjectTypes").getJsonObject(0)))));
    }

    @Test
    void diff_againstNoSchema_addsEverything_atTheRequestsRevision() throws Exception {
        assertThat(diff("definition user {}\ncaveat c(x int) {\n    x > 1\n}")).isEqualTo(new JsonArray()
                .add(new JsonObject().put("definitionAdded", new JsonObject().put("name", "user").put("comment", "")
                        .put("relations", new JsonArray()).put("permissions", new JsonArray())))
                .add(new JsonObject().put("caveatAdded", new JsonObject("""
                        {"name": "c", "comment": "", "parameters": [{"name": "x", "type": "int", "parentCaveatName": "c"}],
                         "expression": "x > 1"}"""))));

        String first = writeSchema("definition user {}");
        writeSchema("definition user {}\ndefinition team {}");
        JsonObject then = ok("/v1/schema/diffschema", atExactSnapshot(first).put("comparisonSchema",
                "definition user {}\ndefinition team {}"));

        assertThat(then.getJsonArray("diffs")).isEqualTo(new JsonArray().add(new JsonObject().put("definitionAdded",
                new JsonObject().put("name", "team").put("comment", "").put("relations", new JsonArray())
                        .put("permissions", new JsonArray()))));
        assertThat(then.getJsonObject("readAt").getString("token")).isEqualTo(first);
        assertThat(diff("")).isEqualTo(new JsonArray()
                .add(new JsonObject().put("definitionRemoved", new JsonObject().put("name", "team").put("comment", "")
                        .put("relations", new JsonArray()).put("permissions", new JsonArray())))
                .add(new JsonObject().put("definitionRemoved", new JsonObject().put("name", "user").put("comment", "")
                        .put("relations", new JsonArray()).put("permissions", new JsonArray()))));
    }

    @Test
    void diff_ofAComparisonSchemaThatDoesNotCompile_isInvalidArgument_withLineAndColumn() throws Exception {
        writeSchema("definition user {}");

        String syntax = error("/v1/schema/diffschema", fully().put("comparisonSchema", "definition user { invalid"),
                3, 400);
        String semantic = error("/v1/schema/diffschema", fully().put("comparisonSchema",
                "definition user {}\ndefinition doc {\n    relation viewer: usr\n}"), 3, 400);

        assertThat(syntax).startsWith("the comparison schema has errors:\nschema:1:");
        assertThat(semantic).startsWith("the comparison schema has errors:\nschema:3:22: relation `viewer` allows"
                + " `usr`, but there is no definition `usr`");
    }

    // ---- ComputablePermissions and DependentRelations -------------------------------------------------

    /** Arrows, nested permissions, subject relations, a wildcard, an exclusion, an intersection and a nil. */
    private static final String GRAPH = """
            definition user {}

            definition group {
                relation owner: user
                relation direct_member: user | group#member
                permission member = owner + direct_member
            }

            definition folder {
                relation parent: folder
                relation viewer: user | group#member
                relation banned: user
                permission view = (viewer + parent->view) - banned
            }

            definition document {
                relation parent: folder
                relation reader: user
                relation anyone: user:*
                relation editor: user | group#member
                permission edit = editor & parent->view
                permission view = reader + anyone + edit + parent->view
                permission nothing = nil + reader
            }
            """;

    @Test
    void dependent_followsPermissionsArrowsAndSubjectRelations() throws Exception {
        writeSchema(GRAPH);

        // document#view reads reader, anyone and edit, and through `parent->view` folder#view
        // (marking `parent` as read); edit reads editor and, through group#member, owner and
        // direct_member; folder#view reads viewer, banned and itself through folder's parent.
        assertThat(dependent("document", "view")).isEqualTo(refs("document#anyone", "document#edit!",
                "document#editor", "document#parent", "document#reader", "folder#banned", "folder#parent",
                "folder#view!", "folder#viewer", "group#direct_member", "group#member!", "group#owner"));
        assertThat(dependent("group", "member")).isEqualTo(refs("group#direct_member", "group#owner"));
        assertThat(dependent("folder", "view")).isEqualTo(refs("folder#banned", "folder#parent", "folder#viewer",
                "group#direct_member", "group#member!", "group#owner"));
        // As in SpiceDB, a nil operand ends the walk of its operation: nothing after it is read.
        assertThat(dependent("document", "nothing")).isEqualTo(new JsonArray());
    }

    @Test
    void computable_followsWhatASubjectKindIsFoundIn_transitively() throws Exception {
        writeSchema(GRAPH);

        // Users are in every relation allowing user or user:*, and so in what is built from them.
        assertThat(computable("user", "", "")).isEqualTo(refs("document#anyone", "document#edit!",
                "document#editor", "document#reader", "document#view!", "folder#banned", "folder#view!",
                "folder#viewer", "group#direct_member", "group#member!", "group#owner"));
        // group#member is in direct_member, folder#viewer and document#editor, and from there on.
        assertThat(computable("group", "member", "")).isEqualTo(refs("document#edit!", "document#editor",
                "document#view!", "folder#view!", "folder#viewer", "group#direct_member"));
        assertThat(computable("group", "member", "fold")).isEqualTo(refs("folder#view!", "folder#viewer"));
        assertThat(computable("folder", "view", "")).isEqualTo(refs("document#edit!", "document#view!"));
        // As in SpiceDB, an arrow's left side is not among what its permission is computed from.
        assertThat(computable("document", "parent", "")).isEqualTo(new JsonArray());
        assertThat(computable("document", "view", "")).isEqualTo(new JsonArray());
    }

    @Test
    void computableAndDependent_spiceDbsCases() throws Exception {
        // reflectionapi_test.go, TestComputablePermissions "basic" and "multiple permissions",
        // TestDependentRelations "simple schema".
        writeSchema("""
                definition user {}

                definition folder {
                    relation viewer: user
                }

                definition document {
                    relation unused: user
                    relation editor: user
                    relation viewer: user
                    permission view = viewer + editor
                    permission only_view = viewer
                    permission another = unused
                }
                """);

        assertThat(computable("user", "", "")).isEqualTo(refs("document#another!", "document#editor",
                "document#only_view!", "document#unused", "document#view!", "document#viewer", "folder#viewer"));
        assertThat(computable("user", "", "folder")).isEqualTo(refs("folder#viewer"));
        assertThat(computable("document", "viewer", "")).isEqualTo(refs("document#only_view!", "document#view!"));
        assertThat(computable("document", "unused", "")).isEqualTo(refs("document#another!"));
        assertThat(dependent("document", "view")).isEqualTo(refs("document#editor", "document#viewer"));
    }

    @Test
    void computableAndDependent_readTheSchemaAtTheRequestsRevision() throws Exception {
        String first = writeSchema("definition user {}\ndefinition doc {\n    relation viewer: user\n"
                + "    permission view = viewer\n}");
        writeSchema("definition user {}\ndefinition doc {\n    relation viewer: user\n    relation editor: user\n"
                + "    permission view = viewer + editor\n}");

        JsonObject computable = ok("/v1/schema/permissions/computable", atExactSnapshot(first)
                .put("definitionName", "user"));
        JsonObject dependent = ok("/v1/schema/permissions/dependent", atExactSnapshot(first)
                .put("definitionName", "doc").put("permissionName", "view"));

        assertThat(computable.getJsonArray("permissions")).isEqualTo(refs("doc#view!", "doc#viewer"));
        assertThat(computable.getJsonObject("readAt").getString("token")).isEqualTo(first);
        assertThat(dependent.getJsonArray("relations")).isEqualTo(refs("doc#viewer"));
        assertThat(dependent.getJsonObject("readAt").getString("token")).isEqualTo(first);
        assertThat(dependent("doc", "view")).isEqualTo(refs("doc#editor", "doc#viewer"));
    }

    static Stream<Arguments> unknownNames() {
        String computable = "/v1/schema/permissions/computable";
        String dependent = "/v1/schema/permissions/dependent";
        return Stream.of(
                Arguments.of(computable, "{\"definitionName\": \"missing\"}", 9,
                        "object definition `missing` not found"),
                Arguments.of(computable, "{}", 9, "object definition `` not found"),
                Arguments.of(computable, "{\"definitionName\": \"document\", \"relationName\": \"missing\"}", 9,
                        "relation/permission `missing` not found under definition `document`"),
                Arguments.of(dependent, "{\"definitionName\": \"missing\", \"permissionName\": \"view\"}", 9,
                        "object definition `missing` not found"),
                Arguments.of(dependent, "{\"definitionName\": \"document\", \"permissionName\": \"missing\"}", 9,
                        "relation/permission `missing` not found under definition `document`"),
                Arguments.of(dependent, "{\"definitionName\": \"document\"}", 9,
                        "relation/permission `` not found under definition `document`"),
                Arguments.of(dependent, "{\"definitionName\": \"document\", \"permissionName\": \"reader\"}", 3,
                        "the relation `reader` is not a permission"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unknownNames")
    void computableAndDependent_refuseUnknownNames_withSpiceDbsCodes(String path, String body, int code,
            String message) throws Exception {
        writeSchema(GRAPH);

        assertThat(error(path, fully().mergeIn(new JsonObject(body)), code, 400)).isEqualTo(message);
    }

    @Test
    void computableAndDependent_withoutASchema_knowNoDefinition() throws Exception {
        assertThat(error("/v1/schema/permissions/computable", fully().put("definitionName", "user"), 9, 400))
                .isEqualTo("object definition `user` not found");
        assertThat(error("/v1/schema/permissions/dependent", fully().put("definitionName", "user")
                .put("permissionName", "view"), 9, 400)).isEqualTo("object definition `user` not found");
    }

    // ---- the experimental aliases ---------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"reflectschema", "diffschema", "permissions/computable", "permissions/dependent"})
    void experimentalPaths_answerAsTheSchemaServicePaths(String method) throws Exception {
        writeSchema(GRAPH);
        JsonObject body = fully().put("comparisonSchema", "definition user {}").put("definitionName", "document")
                .put("relationName", "reader").put("permissionName", "view");

        JsonObject v1 = ok("/v1/schema/" + method, body);
        JsonObject experimental = ok("/v1/experimental/" + method, body);

        assertThat(experimental).isEqualTo(v1);
        assertThat(v1.fieldNames()).contains("readAt").hasSizeGreaterThan(1);
    }
}
