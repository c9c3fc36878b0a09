package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.SubjectReference;
import com.authzed.api.v1.ZedToken;
import com.authzed.grpcutil.BearerToken;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.relata.api.v1.CheckBulkCompositePermissionsRequest;
import io.relata.api.v1.CheckBulkCompositePermissionsRequestItem;
import io.relata.api.v1.CheckBulkCompositePermissionsResponse;
import io.relata.api.v1.CheckCompositePermissionRequest;
import io.relata.api.v1.CheckCompositePermissionResponse;
import io.relata.api.v1.CompositePermissionsServiceGrpc;
import io.relata.api.v1.LookupCompositeResourcesRequest;
import io.relata.api.v1.LookupCompositeResourcesResponse;
import io.relata.engine.CheckRequest;
import io.relata.engine.CheckResult;
import io.relata.engine.CompositeChecks;
import io.relata.engine.EngineOptions;
import io.relata.engine.GraphCheckEngine;
import io.relata.engine.Permissionship;
import io.relata.store.ObjectRef;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Composite principals (Relata's {@code composite} chains) asked three ways over one store:
 * over HTTP ({@code /relata/v1/permissions/...}), over gRPC ({@code relata.v1}, real
 * sockets) and through the Java API ({@link CompositeChecks} on an engine of its own). Every
 * answer must agree: HAS only when every link holds, NO when any link (or a binding) refuses,
 * CONDITIONAL with every missing caveat parameter merged; and lookups must return exactly the
 * resources where the per-link checks all hold. Each store's test extends this class.
 */
abstract class CompositePrincipalsContract {

    /** A store over the implementation's storage. */
    protected abstract TupleStore newStore();

    static final String SCHEMA = """
            definition user {}
            definition bot {}

            caveat on_network(network string, allowed string) {
                network == allowed
            }

            caveat in_hours(hour int) {
                hour >= 9 && hour < 17
            }

            definition token {
                relation owner: user
            }

            definition doc {
                relation viewer: user | user with in_hours
                relation bot_viewer: bot | bot with on_network
                relation token_viewer: token
                permission view = viewer
                permission bot_view = bot_viewer
                permission token_view = token_viewer
            }

            composite bot_for_user = bot > user {
                permission doc#view = bot_view > view
            }

            composite token_of_owner = token > user where token#owner {
                permission doc#view = token_view > view
            }
            """;

    private TestServer server;
    private TupleStore store;
    private GraphCheckEngine engine;
    private ManagedChannel channel;
    private CompositePermissionsServiceGrpc.CompositePermissionsServiceBlockingStub grpc;
    private String key;
    private String tenant;
    private String written;

    @BeforeEach
    void start() throws Exception {
        key = "composite-" + UUID.randomUUID();
        tenant = "composite-" + UUID.randomUUID();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(key, tenant), "composite-secret-0123456789",
                Duration.ofSeconds(5), 4 * 1024 * 1024, 100, EngineOptions.DEFAULTS, null), store = newStore(),
                new MemoryApiKeys(store));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.startGrpc()).usePlaintext().build();
        grpc = CompositePermissionsServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(key));
        engine = new GraphCheckEngine(store);
        assertThat(post("/v1/schema/write", new JsonObject().put("schema", SCHEMA)).containsKey("writtenAt")).isTrue();
        JsonArray updates = new JsonArray();
        for (String r : List.of(
                // d1: both links hold. d2: only the user. d3: only the bot. d4: both, each caveated.
                // d5: the bot caveated, the user not at all. d6: the token and its owner.
                "doc:d1#bot_viewer@bot:b1", "doc:d1#viewer@user:alice",
                "doc:d2#viewer@user:alice",
                "doc:d3#bot_viewer@bot:b1",
                "doc:d5#bot_viewer@bot:b1",
                "doc:d6#token_viewer@token:t1", "doc:d6#viewer@user:alice", "doc:d6#viewer@user:bob",
                "token:t1#owner@user:alice")) {
            updates.add(touch(r));
        }
        updates.add(touch("doc:d4#bot_viewer@bot:b1").put("relationship", touch("doc:d4#bot_viewer@bot:b1")
                .getJsonObject("relationship").put("optionalCaveat", new JsonObject().put("caveatName", "on_network")
                        .put("context", new JsonObject().put("allowed", "10.0.0.0")))));
        updates.add(touch("doc:d4#viewer@user:alice").put("relationship", touch("doc:d4#viewer@user:alice")
                .getJsonObject("relationship").put("optionalCaveat", new JsonObject().put("caveatName", "in_hours"))));
        written = post("/v1/relationships/write", new JsonObject().put("updates", updates)).getJsonObject("writtenAt")
                .getString("token");
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        engine.close();
        server.close();
    }

    /** An OPERATION_TOUCH update of a relationship written {@code type:id#relation@type:id}. */
    private static JsonObject touch(String relationship) {
        io.relata.store.Relationship r = io.relata.store.Relationship.parse(relationship);
        return new JsonObject().put("operation", "OPERATION_TOUCH").put("relationship", new JsonObject()
                .put("resource", new JsonObject().put("objectType", r.resource().type()).put("objectId", r.resource().id()))
                .put("relation", r.relation()).put("subject", subject(r.subject().toString())));
    }

    private JsonObject post(String path, JsonObject body) throws Exception {
        TestServer.Reply reply = server.post(path, body.encode(), key);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return new JsonObject(reply.body());
    }

    private JsonObject consistency() {
        return new JsonObject().put("atExactSnapshot", new JsonObject().put("token", written));
    }

    private static JsonObject subject(String ref) {
        SubjectRef s = SubjectRef.parse(ref);
        return new JsonObject().put("object", new JsonObject().put("objectType", s.type()).put("objectId", s.id()));
    }

    private static SubjectReference protoSubject(String ref) {
        SubjectRef s = SubjectRef.parse(ref);
        return SubjectReference.newBuilder().setObject(ObjectReference.newBuilder().setObjectType(s.type())
                .setObjectId(s.id())).build();
    }

    /** One answer as the three ways give it: permissionship and missing parameters. */
    record Seen(Permissionship permissionship, List<String> missing) {}

    private Seen overHttp(String doc, String permission, List<String> chain, Map<String, Object> context)
            throws Exception {
        JsonArray principals = new JsonArray();
        chain.forEach(p -> principals.add(subject(p)));
        JsonObject answer = post("/relata/v1/permissions/check", new JsonObject().put("consistency", consistency())
                .put("resource", new JsonObject().put("objectType", "doc").put("objectId", doc))
                .put("permission", permission).put("principals", principals).put("context", new JsonObject(context)));
        assertThat(answer.getJsonObject("checkedAt").getString("token")).isNotEmpty();
        JsonObject partial = answer.getJsonObject("partialCaveatInfo");
        List<String> missing = new ArrayList<>();
        if (partial != null) {
            partial.getJsonArray("missingRequiredContext").forEach(m -> missing.add((String) m));
        }
        return new Seen(switch (answer.getString("permissionship")) {
            case "PERMISSIONSHIP_HAS_PERMISSION" -> Permissionship.HAS;
            case "PERMISSIONSHIP_NO_PERMISSION" -> Permissionship.NO;
            default -> Permissionship.CONDITIONAL;
        }, missing);
    }

    private Seen overGrpc(String doc, String permission, List<String> chain, Map<String, Object> context) {
        CheckCompositePermissionRequest.Builder request = CheckCompositePermissionRequest.newBuilder()
                .setConsistency(Consistency.newBuilder().setAtExactSnapshot(ZedToken.newBuilder().setToken(written)))
                .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId(doc))
                .setPermission(permission).setContext(struct(context));
        chain.forEach(p -> request.addPrincipals(protoSubject(p)));
        CheckCompositePermissionResponse answer = grpc.checkCompositePermission(request.build());
        assertThat(answer.getCheckedAt().getToken()).isNotEmpty();
        return new Seen(switch (answer.getPermissionship()) {
            case PERMISSIONSHIP_HAS_PERMISSION -> Permissionship.HAS;
            case PERMISSIONSHIP_NO_PERMISSION -> Permissionship.NO;
            default -> Permissionship.CONDITIONAL;
        }, answer.getPartialCaveatInfo().getMissingRequiredContextList());
    }

    private Seen overJava(String doc, String permission, List<String> chain, Map<String, Object> context) {
        CheckResult r = new CompositeChecks(engine, Duration.ofSeconds(10)).check(tenant, store.headRevision(tenant),
                new CompositeChecks.Request(new ObjectRef("doc", doc), permission,
                        chain.stream().map(SubjectRef::parse).toList(), context)).join().result();
        return new Seen(r.permissionship(), r.missingContext());
    }

    private static Struct struct(Map<String, Object> context) {
        Struct.Builder s = Struct.newBuilder();
        context.forEach((k, v) -> s.putFields(k, v instanceof Number n ? Value.newBuilder().setNumberValue(n.doubleValue())
                .build() : Value.newBuilder().setStringValue(String.valueOf(v)).build()));
        return s.build();
    }

    /** Asks all three ways, requires them to agree, and gives the answer. */
    private Seen ask(String doc, List<String> chain, Map<String, Object> context) throws Exception {
        Seen http = overHttp(doc, "view", chain, context);
        assertThat(overGrpc(doc, "view", chain, context)).as("gRPC agrees with HTTP on %s", doc).isEqualTo(http);
        assertThat(overJava(doc, "view", chain, context)).as("the Java API agrees with HTTP on %s", doc).isEqualTo(http);
        return http;
    }

    private static final List<String> BOT_FOR_ALICE = List.of("bot:b1", "user:alice");

    @Test
    void everyLinkHolds_isHas() throws Exception {
        assertThat(ask("d1", BOT_FOR_ALICE, Map.of())).isEqualTo(new Seen(Permissionship.HAS, List.of()));
    }

    @Test
    void oneLinkRefuses_isNo_whicheverLinkItIs() throws Exception {
        assertThat(ask("d2", BOT_FOR_ALICE, Map.of()).permissionship()).as("the bot may not").isEqualTo(Permissionship.NO);
        assertThat(ask("d3", BOT_FOR_ALICE, Map.of()).permissionship()).as("alice may not").isEqualTo(Permissionship.NO);
        assertThat(ask("d5", BOT_FOR_ALICE, Map.of()).permissionship()).as("a conditional link and a refusing one")
                .isEqualTo(Permissionship.NO);
    }

    @Test
    void conditionalLinks_mergeTheirMissingParameters_andContextDecides() throws Exception {
        assertThat(ask("d4", BOT_FOR_ALICE, Map.of())).isEqualTo(new Seen(Permissionship.CONDITIONAL,
                List.of("hour", "network")));
        assertThat(ask("d4", BOT_FOR_ALICE, Map.of("network", "10.0.0.0")))
                .isEqualTo(new Seen(Permissionship.CONDITIONAL, List.of("hour")));
        assertThat(ask("d4", BOT_FOR_ALICE, Map.of("network", "10.0.0.0", "hour", 10)))
                .isEqualTo(new Seen(Permissionship.HAS, List.of()));
        assertThat(ask("d4", BOT_FOR_ALICE, Map.of("network", "10.9.9.9")).permissionship()).isEqualTo(Permissionship.NO);
    }

    @Test
    void binding_refusesAPrincipalThatIsNotTheOneBefore() throws Exception {
        assertThat(ask("d6", List.of("token:t1", "user:alice"), Map.of()).permissionship()).isEqualTo(Permissionship.HAS);
        // bob may view d6 himself, but t1 is alice's token.
        assertThat(ask("d6", List.of("token:t1", "user:bob"), Map.of()).permissionship()).isEqualTo(Permissionship.NO);
    }

    @Test
    void answer_namesTheCompositeAndEachLink_andStopsAtTheFirstNo() throws Exception {
        JsonArray principals = new JsonArray().add(subject("token:t1")).add(subject("user:bob"));
        JsonObject answer = post("/relata/v1/permissions/check", new JsonObject().put("consistency", consistency())
                .put("resource", new JsonObject().put("objectType", "doc").put("objectId", "d6"))
                .put("permission", "view").put("principals", principals));
        assertThat(answer.getString("composite")).isEqualTo("token_of_owner");
        JsonArray links = answer.getJsonArray("links");
        assertThat(links).hasSize(3);
        // The binding first (bob is not t1's owner), and nothing asked after it.
        assertThat(links.getJsonObject(0).getString("permission")).isEqualTo("owner");
        assertThat(links.getJsonObject(0).getJsonObject("resource").getString("objectId")).isEqualTo("t1");
        assertThat(links.getJsonObject(0).getString("permissionship")).isEqualTo("PERMISSIONSHIP_NO_PERMISSION");
        assertThat(links.getJsonObject(1).getString("permission")).isEqualTo("token_view");
        assertThat(links.getJsonObject(1).getString("permissionship")).isEqualTo("PERMISSIONSHIP_UNSPECIFIED");
        assertThat(links.getJsonObject(2).getString("permissionship")).isEqualTo("PERMISSIONSHIP_UNSPECIFIED");
    }

    @Test
    void repeatedCheck_isAnsweredFromTheCache_withoutWaiting() {
        CompositeChecks composites = new CompositeChecks(engine, Duration.ofSeconds(10));
        Revision revision = store.headRevision(tenant);
        for (String doc : List.of("d1", "d2", "d4")) {
            CompositeChecks.Request request = new CompositeChecks.Request(new ObjectRef("doc", doc), "view",
                    BOT_FOR_ALICE.stream().map(SubjectRef::parse).toList(), Map.of());
            CompositeChecks.Answer asked = composites.check(tenant, revision, request).join();
            assertThat(composites.cachedCheck(tenant, revision, request)).as(doc).isEqualTo(asked);
        }
        CompositeChecks.Request bound = new CompositeChecks.Request(new ObjectRef("doc", "d6"), "view",
                List.of(SubjectRef.parse("token:t1"), SubjectRef.parse("user:alice")), Map.of());
        CompositeChecks.Answer asked = composites.check(tenant, revision, bound).join();
        assertThat(composites.cachedCheck(tenant, revision, bound)).isEqualTo(asked);
    }

    @Test
    void bulk_answersEveryItemAtOneRevision_overBothTransports() throws Exception {
        List<String> docs = List.of("d1", "d2", "d3", "d4", "d5");
        JsonArray items = new JsonArray();
        CheckBulkCompositePermissionsRequest.Builder request = CheckBulkCompositePermissionsRequest.newBuilder()
                .setConsistency(Consistency.newBuilder().setAtExactSnapshot(ZedToken.newBuilder().setToken(written)));
        for (String doc : docs) {
            JsonArray principals = new JsonArray().add(subject("bot:b1")).add(subject("user:alice"));
            items.add(new JsonObject().put("resource", new JsonObject().put("objectType", "doc").put("objectId", doc))
                    .put("permission", "view").put("principals", principals));
            request.addItems(CheckBulkCompositePermissionsRequestItem.newBuilder()
                    .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId(doc)).setPermission("view")
                    .addPrincipals(protoSubject("bot:b1")).addPrincipals(protoSubject("user:alice")));
        }
        // An item the schema has no rule for gets its own error; the others are answered.
        items.add(new JsonObject().put("resource", new JsonObject().put("objectType", "doc").put("objectId", "d1"))
                .put("permission", "edit").put("principals", new JsonArray().add(subject("bot:b1")).add(subject("user:alice"))));
        request.addItems(CheckBulkCompositePermissionsRequestItem.newBuilder()
                .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("d1")).setPermission("edit")
                .addPrincipals(protoSubject("bot:b1")).addPrincipals(protoSubject("user:alice")));
        JsonObject http = post("/relata/v1/permissions/checkbulk", new JsonObject().put("consistency", consistency())
                .put("items", items));
        CheckBulkCompositePermissionsResponse overGrpc = grpc.checkBulkCompositePermissions(request.build());
        assertThat(overGrpc.getCheckedAt().getToken()).isEqualTo(http.getJsonObject("checkedAt").getString("token"));
        List<String> seenHttp = new ArrayList<>();
        List<String> seenGrpc = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            seenHttp.add(http.getJsonArray("pairs").getJsonObject(i).getJsonObject("item").getString("permissionship"));
            seenGrpc.add(overGrpc.getPairs(i).getItem().getPermissionship().name());
        }
        assertThat(seenHttp).containsExactly("PERMISSIONSHIP_HAS_PERMISSION", "PERMISSIONSHIP_NO_PERMISSION",
                "PERMISSIONSHIP_NO_PERMISSION", "PERMISSIONSHIP_CONDITIONAL_PERMISSION", "PERMISSIONSHIP_NO_PERMISSION");
        assertThat(seenGrpc).isEqualTo(seenHttp);
        assertThat(http.getJsonArray("pairs").getJsonObject(5).getJsonObject("error").getInteger("code")).isEqualTo(3);
        assertThat(overGrpc.getPairs(5).getError().getMessage()).contains("has no rule for `doc#edit`");
    }

    @Test
    void lookup_streamsExactlyTheResourcesEveryLinkReaches_andResumesByCursor() throws Exception {
        // More documents, some reachable by one link only, so the walk finds candidates the other link refuses.
        JsonArray updates = new JsonArray();
        for (int i = 0; i < 30; i++) {
            if (i % 2 == 0) {
                updates.add(touch("doc:x" + i + "#bot_viewer@bot:b1"));
            }
            if (i % 3 == 0) {
                updates.add(touch("doc:x" + i + "#viewer@user:alice"));
            }
        }
        written = post("/v1/relationships/write", new JsonObject().put("updates", updates)).getJsonObject("writtenAt")
                .getString("token");
        Revision revision = store.headRevision(tenant);
        // The intersection, computed by per-link checks of every document.
        TreeSet<String> expected = new TreeSet<>();
        TreeSet<String> expectedConditional = new TreeSet<>();
        List<String> all = new ArrayList<>(List.of("d1", "d2", "d3", "d4", "d5", "d6"));
        for (int i = 0; i < 30; i++) {
            all.add("x" + i);
        }
        for (String doc : all) {
            CheckResult bot = engine.check(tenant, revision, CheckRequest.of("doc:" + doc, "bot_view", "bot:b1")).join();
            CheckResult alice = engine.check(tenant, revision, CheckRequest.of("doc:" + doc, "view", "user:alice")).join();
            if (bot.permissionship() != Permissionship.NO && alice.permissionship() != Permissionship.NO) {
                expected.add(doc);
                if (bot.permissionship() == Permissionship.CONDITIONAL || alice.permissionship() == Permissionship.CONDITIONAL) {
                    expectedConditional.add(doc);
                }
            }
        }
        assertThat(expected).contains("d1", "d4", "x0", "x6").doesNotContain("d2", "d3", "d5", "x2", "x3");

        JsonArray principals = new JsonArray().add(subject("bot:b1")).add(subject("user:alice"));
        JsonObject body = new JsonObject().put("consistency", consistency()).put("resourceObjectType", "doc")
                .put("permission", "view").put("principals", principals);
        TestServer.Reply reply = server.post("/relata/v1/permissions/resources", body.encode(), key);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<JsonObject> lines = reply.body().lines().filter(l -> !l.isBlank()).map(l -> new JsonObject(l)
                .getJsonObject("result")).toList();
        TreeSet<String> found = new TreeSet<>();
        TreeSet<String> conditional = new TreeSet<>();
        for (JsonObject line : lines) {
            assertThat(found.add(line.getString("resourceObjectId"))).as("each resource once").isTrue();
            if (line.getString("permissionship").equals("LOOKUP_PERMISSIONSHIP_CONDITIONAL_PERMISSION")) {
                conditional.add(line.getString("resourceObjectId"));
            }
        }
        assertThat(found).isEqualTo(expected);
        assertThat(conditional).isEqualTo(expectedConditional);

        // gRPC gives the same, in the same order.
        LookupCompositeResourcesRequest.Builder request = LookupCompositeResourcesRequest.newBuilder()
                .setConsistency(Consistency.newBuilder().setAtExactSnapshot(ZedToken.newBuilder().setToken(written)))
                .setResourceObjectType("doc").setPermission("view")
                .addPrincipals(protoSubject("bot:b1")).addPrincipals(protoSubject("user:alice"));
        List<String> overGrpc = new ArrayList<>();
        grpc.lookupCompositeResources(request.build()).forEachRemaining(r -> overGrpc.add(r.getResourceObjectId()));
        assertThat(overGrpc).isEqualTo(lines.stream().map(l -> l.getString("resourceObjectId")).toList());

        // Pages of two, each resumed from the last result's cursor, give the same results in the same order.
        List<String> paged = new ArrayList<>();
        com.authzed.api.v1.Cursor cursor = null;
        while (true) {
            LookupCompositeResourcesRequest.Builder page = request.clone().setOptionalLimit(2);
            if (cursor != null) {
                page.setOptionalCursor(cursor);
            }
            Iterator<LookupCompositeResourcesResponse> results = grpc.lookupCompositeResources(page.build());
            int n = 0;
            while (results.hasNext()) {
                LookupCompositeResourcesResponse r = results.next();
                paged.add(r.getResourceObjectId());
                cursor = r.getAfterResultCursor();
                n++;
            }
            assertThat(n).isLessThanOrEqualTo(2);
            if (n < 2) {
                break;
            }
        }
        assertThat(paged).isEqualTo(overGrpc);
    }

    @Test
    void lookup_withABindingThatFails_findsNothing() throws Exception {
        List<String> forAlice = new ArrayList<>();
        List<String> forBob = new ArrayList<>();
        for (String owner : List.of("alice", "bob")) {
            LookupCompositeResourcesRequest request = LookupCompositeResourcesRequest.newBuilder()
                    .setConsistency(Consistency.newBuilder().setAtExactSnapshot(ZedToken.newBuilder().setToken(written)))
                    .setResourceObjectType("doc").setPermission("view").addPrincipals(protoSubject("token:t1"))
                    .addPrincipals(protoSubject("user:" + owner)).build();
            grpc.lookupCompositeResources(request).forEachRemaining(r -> (owner.equals("alice") ? forAlice : forBob)
                    .add(r.getResourceObjectId()));
        }
        // bob may view d6 himself, but t1 is alice's token.
        assertThat(forAlice).containsExactly("d6");
        assertThat(forBob).isEmpty();
    }

    @Test
    void chainTheSchemaDoesNotCover_isRefusedNamingIt_overBothTransports() throws Exception {
        JsonArray principals = new JsonArray().add(subject("user:alice")).add(subject("bot:b1"));
        TestServer.Reply reply = server.post("/relata/v1/permissions/check", new JsonObject().put("consistency",
                consistency()).put("resource", new JsonObject().put("objectType", "doc").put("objectId", "d1"))
                .put("permission", "view").put("principals", principals).encode(), key);
        assertThat(reply.status()).isEqualTo(400);
        assertThat(new JsonObject(reply.body()).getInteger("code")).isEqualTo(3);
        assertThat(reply.body()).contains("no composite with the chain `user > bot`").contains("bot_for_user (bot > user)");

        StatusRuntimeException refused = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
                () -> grpc.checkCompositePermission(CheckCompositePermissionRequest.newBuilder()
                        .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                        .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("d1"))
                        .setPermission("edit").addPrincipals(protoSubject("bot:b1"))
                        .addPrincipals(protoSubject("user:alice")).build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(refused.getStatus().getDescription()).contains("composite `bot_for_user` (bot > user) has no rule for"
                + " `doc#edit`").contains("`view`");

        TestServer.Reply one = server.post("/relata/v1/permissions/check", new JsonObject().put("consistency",
                consistency()).put("resource",
                new JsonObject().put("objectType", "doc").put("objectId", "d1")).put("permission", "view")
                .put("principals", new JsonArray().add(subject("user:alice"))).encode(), key);
        assertThat(one.status()).isEqualTo(400);
        assertThat(one.body()).contains("at least two principals");
    }
}
