package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.authzed.api.v1.CheckBulkPermissionsRequest;
import com.authzed.api.v1.CheckBulkPermissionsRequestItem;
import com.authzed.api.v1.CheckBulkPermissionsResponse;
import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ContextualizedCaveat;
import com.authzed.api.v1.Cursor;
import com.authzed.api.v1.DeleteRelationshipsRequest;
import com.authzed.api.v1.DeleteRelationshipsResponse;
import com.authzed.api.v1.ExpandPermissionTreeRequest;
import com.authzed.api.v1.ExpandPermissionTreeResponse;
import com.authzed.api.v1.LookupPermissionship;
import com.authzed.api.v1.LookupResourcesRequest;
import com.authzed.api.v1.LookupResourcesResponse;
import com.authzed.api.v1.LookupSubjectsRequest;
import com.authzed.api.v1.LookupSubjectsResponse;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.Precondition;
import com.authzed.api.v1.ReadRelationshipsRequest;
import com.authzed.api.v1.ReadRelationshipsResponse;
import com.authzed.api.v1.ReadSchemaRequest;
import com.authzed.api.v1.Relationship;
import com.authzed.api.v1.RelationshipFilter;
import com.authzed.api.v1.RelationshipUpdate;
import com.authzed.api.v1.SchemaServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.api.v1.WatchRequest;
import com.authzed.api.v1.WatchResponse;
import com.authzed.api.v1.WatchServiceGrpc;
import com.authzed.api.v1.WriteRelationshipsRequest;
import com.authzed.api.v1.WriteRelationshipsResponse;
import com.authzed.api.v1.WriteSchemaRequest;
import com.authzed.api.v1.WriteSchemaResponse;
import com.authzed.api.v1.ZedToken;
import com.authzed.grpcutil.BearerToken;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.relata.engine.EngineOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SpiceDB's official Java client ({@code com.authzed.api:authzed}) against Relata's gRPC API
 * over a real socket, on every store (each store's test extends this class): the calls an
 * application makes, streams resumed by cursor, watch seeing a write made over HTTP, errors
 * with their codes, and one tenant's key refused by another's data.
 */
abstract class GrpcClientContract {

    /** A store over the implementation's storage. */
    protected abstract TupleStore newStore();

    static final String SCHEMA = """
            definition user {}

            caveat on_network(allowed string, network string) {
                network == allowed
            }

            definition group {
                relation member: user | group#member
            }

            definition document {
                relation owner: user
                relation viewer: user | user:* | user with on_network | group#member
                relation banned: user
                permission view = (viewer + owner) - banned
                permission edit = owner
            }
            """;

    private TestServer server;
    private TupleStore store;
    private ManagedChannel channel;
    private String key;
    private String otherKey;
    private PermissionsServiceGrpc.PermissionsServiceBlockingStub permissions;
    private SchemaServiceGrpc.SchemaServiceBlockingStub schema;

    @BeforeEach
    void start() throws Exception {
        key = "grpc-" + UUID.randomUUID();
        otherKey = "grpc-other-" + UUID.randomUUID();
        String tenant = "grpc-" + UUID.randomUUID();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(key, tenant, otherKey, tenant + "-other"),
                "grpc-test-secret-0123456789", Duration.ofSeconds(5), 4 * 1024 * 1024, 100,
                EngineOptions.DEFAULTS.withMaxDepth(10), null), store = newStore(), new MemoryApiKeys(store));
        int port = server.startGrpc();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        permissions = PermissionsServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(key));
        schema = SchemaServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(key));
        WriteSchemaResponse written = schema.writeSchema(WriteSchemaRequest.newBuilder().setSchema(SCHEMA).build());
        assertThat(written.getWrittenAt().getToken()).isNotEmpty();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    static ObjectReference object(String type, String id) {
        return ObjectReference.newBuilder().setObjectType(type).setObjectId(id).build();
    }

    static SubjectReference subject(String type, String id) {
        return SubjectReference.newBuilder().setObject(object(type, id)).build();
    }

    static Relationship relationship(String type, String id, String relation, String subjectType, String subjectId) {
        return Relationship.newBuilder().setResource(object(type, id)).setRelation(relation)
                .setSubject(subject(subjectType, subjectId)).build();
    }

    static RelationshipUpdate touch(Relationship r) {
        return RelationshipUpdate.newBuilder().setOperation(RelationshipUpdate.Operation.OPERATION_TOUCH)
                .setRelationship(r).build();
    }

    private ZedToken write(Relationship... relationships) {
        WriteRelationshipsRequest.Builder request = WriteRelationshipsRequest.newBuilder();
        for (Relationship r : relationships) {
            request.addUpdates(touch(r));
        }
        return permissions.writeRelationships(request.build()).getWrittenAt();
    }

    private static Consistency fresh(ZedToken token) {
        return Consistency.newBuilder().setAtLeastAsFresh(token).build();
    }

    private CheckPermissionResponse.Permissionship check(ZedToken at, String doc, String permission, String user,
            Struct context) {
        CheckPermissionRequest.Builder request = CheckPermissionRequest.newBuilder().setConsistency(fresh(at))
                .setResource(object("document", doc)).setPermission(permission).setSubject(subject("user", user));
        if (context != null) {
            request.setContext(context);
        }
        return permissions.checkPermission(request.build()).getPermissionship();
    }

    private static Struct context(String name, String value) {
        return Struct.newBuilder().putFields(name, Value.newBuilder().setStringValue(value).build()).build();
    }

    @Test
    void schemaRoundTrips_andChecksAnswerWithCaveatsWildcardsAndExclusions() {
        assertThat(schema.readSchema(ReadSchemaRequest.getDefaultInstance()).getSchemaText()).contains("on_network");
        Relationship caveated = relationship("document", "plan", "viewer", "user", "carol").toBuilder()
                .setOptionalCaveat(ContextualizedCaveat.newBuilder().setCaveatName("on_network")
                        .setContext(context("allowed", "10.0.0.0"))).build();
        ZedToken at = write(relationship("document", "plan", "owner", "user", "alice"),
                relationship("document", "plan", "viewer", "group", "eng").toBuilder()
                        .setSubject(subject("group", "eng").toBuilder().setOptionalRelation("member")).build(),
                relationship("group", "eng", "member", "user", "bob"),
                relationship("document", "plan", "banned", "user", "bob"), caveated,
                relationship("document", "public", "viewer", "user", "*"));

        assertThat(check(at, "plan", "edit", "alice", null))
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
        assertThat(check(at, "plan", "view", "bob", null))
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_NO_PERMISSION);
        assertThat(check(at, "public", "view", "zed", null))
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
        // The caveat: conditional without context, naming what is missing; decided with it.
        CheckPermissionResponse conditional = permissions.checkPermission(CheckPermissionRequest.newBuilder()
                .setConsistency(fresh(at)).setResource(object("document", "plan")).setPermission("view")
                .setSubject(subject("user", "carol")).build());
        assertThat(conditional.getPermissionship())
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_CONDITIONAL_PERMISSION);
        assertThat(conditional.getPartialCaveatInfo().getMissingRequiredContextList()).containsExactly("network");
        assertThat(conditional.getCheckedAt().getToken()).isNotEmpty();
        assertThat(check(at, "plan", "view", "carol", context("network", "10.0.0.0")))
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
        assertThat(check(at, "plan", "view", "carol", context("network", "192.168.0.1")))
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_NO_PERMISSION);

        CheckBulkPermissionsResponse bulk = permissions.checkBulkPermissions(CheckBulkPermissionsRequest.newBuilder()
                .setConsistency(fresh(at))
                .addItems(CheckBulkPermissionsRequestItem.newBuilder().setResource(object("document", "plan"))
                        .setPermission("edit").setSubject(subject("user", "alice")))
                .addItems(CheckBulkPermissionsRequestItem.newBuilder().setResource(object("document", "plan"))
                        .setPermission("view").setSubject(subject("user", "bob")))
                .addItems(CheckBulkPermissionsRequestItem.newBuilder().setResource(object("nosuch", "x"))
                        .setPermission("view").setSubject(subject("user", "bob")))
                .build());
        assertThat(bulk.getPairsList()).hasSize(3);
        assertThat(bulk.getPairs(0).getItem().getPermissionship())
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
        assertThat(bulk.getPairs(0).getRequest().getSubject().getObject().getObjectId()).isEqualTo("alice");
        assertThat(bulk.getPairs(1).getItem().getPermissionship())
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_NO_PERMISSION);
        assertThat(bulk.getPairs(2).hasError()).isTrue();
        assertThat(bulk.getPairs(2).getError().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION.value());
        assertThat(bulk.getPairs(2).getError().getDetailsList()).anySatisfy(detail -> {
            try {
                assertThat(detail.unpack(com.google.rpc.ErrorInfo.class).getReason())
                        .isEqualTo("ERROR_REASON_UNKNOWN_DEFINITION");
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        });

        ExpandPermissionTreeResponse tree = permissions.expandPermissionTree(ExpandPermissionTreeRequest.newBuilder()
                .setConsistency(fresh(at)).setResource(object("document", "plan")).setPermission("edit").build());
        assertThat(tree.getTreeRoot().getLeaf().getSubjectsList()).extracting(s -> s.getObject().getObjectId())
                .containsExactly("alice");
        assertThat(tree.getExpandedAt().getToken()).isNotEmpty();
    }

    @Test
    void lookupsStream_andResumeFromACursorMidway() {
        List<Relationship> docs = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            docs.add(relationship("document", String.format("d%02d", i), "viewer", "user", "alice"));
        }
        docs.add(relationship("document", "d99", "owner", "user", "bob"));
        ZedToken at = write(docs.toArray(Relationship[]::new));

        LookupResourcesRequest all = LookupResourcesRequest.newBuilder().setConsistency(fresh(at))
                .setResourceObjectType("document").setPermission("view").setSubject(subject("user", "alice")).build();
        List<String> found = new ArrayList<>();
        permissions.lookupResources(all).forEachRemaining(r -> found.add(r.getResourceObjectId()));
        assertThat(found).hasSize(25).doesNotContain("d99");

        // Page by page: each page at most 10, the next from the last result's cursor.
        List<String> paged = new ArrayList<>();
        Cursor cursor = null;
        for (int page = 0; page < 5; page++) {
            LookupResourcesRequest.Builder request = all.toBuilder().setOptionalLimit(10);
            if (cursor != null) {
                request.setOptionalCursor(cursor);
            }
            List<LookupResourcesResponse> results = new ArrayList<>();
            permissions.lookupResources(request.build()).forEachRemaining(results::add);
            assertThat(results.size()).isLessThanOrEqualTo(10);
            if (results.isEmpty()) {
                break;
            }
            results.forEach(r -> assertThat(r.getPermissionship())
                    .isEqualTo(LookupPermissionship.LOOKUP_PERMISSIONSHIP_HAS_PERMISSION));
            results.forEach(r -> paged.add(r.getResourceObjectId()));
            cursor = results.get(results.size() - 1).getAfterResultCursor();
        }
        assertThat(paged).containsExactlyInAnyOrderElementsOf(found).doesNotHaveDuplicates();

        List<String> subjects = new ArrayList<>();
        permissions.lookupSubjects(LookupSubjectsRequest.newBuilder().setConsistency(fresh(at))
                .setResource(object("document", "d07")).setPermission("view").setSubjectObjectType("user").build())
                .forEachRemaining((LookupSubjectsResponse r) -> subjects.add(r.getSubject().getSubjectObjectId()));
        assertThat(subjects).containsExactly("alice");

        // Reading relationships, resumed from the cursor of the tenth.
        ReadRelationshipsRequest read = ReadRelationshipsRequest.newBuilder().setConsistency(fresh(at))
                .setRelationshipFilter(RelationshipFilter.newBuilder().setResourceType("document")
                        .setOptionalRelation("viewer")).build();
        List<ReadRelationshipsResponse> rows = new ArrayList<>();
        permissions.readRelationships(read).forEachRemaining(rows::add);
        assertThat(rows).hasSize(25);
        List<String> rest = new ArrayList<>();
        permissions.readRelationships(read.toBuilder().setOptionalCursor(rows.get(9).getAfterResultCursor()).build())
                .forEachRemaining(r -> rest.add(r.getRelationship().getResource().getObjectId()));
        assertThat(rest).containsExactlyElementsOf(rows.subList(10, 25).stream()
                .map(r -> r.getRelationship().getResource().getObjectId()).toList());
    }

    @Test
    void lookupCursors_areRefusedWhenMadeUpOrFromAnotherQuestion_andLookupSubjectsPagesByConcreteLimit() {
        List<Relationship> rows = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            rows.add(relationship("document", "shared", "viewer", "user", "v" + i));
            rows.add(relationship("document", "s" + i, "viewer", "user", "carol"));
        }
        ZedToken at = write(rows.toArray(Relationship[]::new));
        LookupResourcesRequest carol = LookupResourcesRequest.newBuilder().setConsistency(fresh(at))
                .setResourceObjectType("document").setPermission("view").setSubject(subject("user", "carol"))
                .setOptionalLimit(2).build();
        List<LookupResourcesResponse> first = new ArrayList<>();
        permissions.lookupResources(carol).forEachRemaining(first::add);
        Cursor cursor = first.get(1).getAfterResultCursor();

        for (LookupResourcesRequest refused : List.of(
                carol.toBuilder().setOptionalCursor(Cursor.newBuilder().setToken("not-a-cursor")).build(),
                carol.toBuilder().setOptionalCursor(Cursor.newBuilder().setToken(cursor.getToken() + "x")).build(),
                carol.toBuilder().setPermission("edit").setOptionalCursor(cursor).build(),
                carol.toBuilder().setSubject(subject("user", "v1")).setOptionalCursor(cursor).build())) {
            assertThatThrownBy(() -> permissions.lookupResources(refused).forEachRemaining(r -> { }))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(Status.Code.INVALID_ARGUMENT));
        }

        List<String> subjects = new ArrayList<>();
        LookupSubjectsRequest shared = LookupSubjectsRequest.newBuilder().setConsistency(fresh(at))
                .setResource(object("document", "shared")).setPermission("view").setSubjectObjectType("user")
                .setOptionalConcreteLimit(3).build();
        Cursor after = null;
        for (int page = 0; page < 5; page++) {
            List<LookupSubjectsResponse> results = new ArrayList<>();
            permissions.lookupSubjects(after == null ? shared : shared.toBuilder().setOptionalCursor(after).build())
                    .forEachRemaining(results::add);
            assertThat(results.size()).isLessThanOrEqualTo(3);
            if (results.isEmpty()) {
                break;
            }
            results.forEach(r -> subjects.add(r.getSubject().getSubjectObjectId()));
            after = results.get(results.size() - 1).getAfterResultCursor();
        }
        assertThat(subjects).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6");
    }

    @Test
    void writesHonourPreconditions_andDeletesHonourLimits() {
        ZedToken at = write(relationship("document", "a", "viewer", "user", "u1"),
                relationship("document", "b", "viewer", "user", "u2"),
                relationship("document", "c", "viewer", "user", "u3"));
        Precondition mustNotExist = Precondition.newBuilder()
                .setOperation(Precondition.Operation.OPERATION_MUST_NOT_MATCH)
                .setFilter(RelationshipFilter.newBuilder().setResourceType("document").setOptionalResourceId("a"))
                .build();
        assertThatThrownBy(() -> permissions.writeRelationships(WriteRelationshipsRequest.newBuilder()
                .addUpdates(touch(relationship("document", "d", "viewer", "user", "u4")))
                .addOptionalPreconditions(mustNotExist).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        assertThat(check(at, "d", "view", "u4", null))
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_NO_PERMISSION);

        DeleteRelationshipsResponse partial = permissions.deleteRelationships(DeleteRelationshipsRequest.newBuilder()
                .setRelationshipFilter(RelationshipFilter.newBuilder().setResourceType("document"))
                .setOptionalLimit(2).setOptionalAllowPartialDeletions(true).build());
        assertThat(partial.getDeletionProgress())
                .isEqualTo(DeleteRelationshipsResponse.DeletionProgress.DELETION_PROGRESS_PARTIAL);
        List<ReadRelationshipsResponse> afterPartial = new ArrayList<>();
        permissions.readRelationships(ReadRelationshipsRequest.newBuilder()
                .setConsistency(fresh(partial.getDeletedAt()))
                .setRelationshipFilter(RelationshipFilter.newBuilder().setResourceType("document")).build())
                .forEachRemaining(afterPartial::add);
        assertThat(afterPartial).hasSize(1);
        DeleteRelationshipsResponse rest = permissions.deleteRelationships(DeleteRelationshipsRequest.newBuilder()
                .setRelationshipFilter(RelationshipFilter.newBuilder().setResourceType("document")).build());
        assertThat(rest.getDeletionProgress())
                .isEqualTo(DeleteRelationshipsResponse.DeletionProgress.DELETION_PROGRESS_COMPLETE);
        List<ReadRelationshipsResponse> left = new ArrayList<>();
        permissions.readRelationships(ReadRelationshipsRequest.newBuilder()
                .setConsistency(fresh(rest.getDeletedAt()))
                .setRelationshipFilter(RelationshipFilter.newBuilder().setResourceType("document")).build())
                .forEachRemaining(left::add);
        assertThat(left).isEmpty();
    }

    @Test
    void watchReceivesAWriteMadeOverHttp() throws Exception {
        WatchServiceGrpc.WatchServiceBlockingStub watch = WatchServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(new BearerToken(key)).withDeadline(Deadline.after(20, TimeUnit.SECONDS));
        Iterator<WatchResponse> changes = watch.watch(WatchRequest.newBuilder().addOptionalObjectTypes("document")
                .build());
        // The watch starts from now: give it a moment to take its starting point.
        Thread.sleep(300);
        TestServer.Reply http = server.post("/v1/relationships/write", Requests.write(
                Requests.touch("group", "g", "member", "user", "x"),
                Requests.touch("document", "w", "viewer", "user", "watcher")), key);
        assertThat(http.status()).isEqualTo(200);
        WatchResponse change = changes.next();
        assertThat(change.getUpdatesList()).hasSize(1);
        assertThat(change.getUpdates(0).getRelationship().getSubject().getObject().getObjectId()).isEqualTo("watcher");
        // The change's token is the HTTP write's: tokens are the same across both APIs.
        String httpToken = http.json().getJsonObject("writtenAt").getString("token");
        assertThat(check(ZedToken.newBuilder().setToken(httpToken).build(), "w", "view", "watcher", null))
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
        assertThat(change.getChangesThrough().getToken()).isNotEmpty();
    }

    @Test
    void errorsCarryTheirCodes_andKeysAreRefusedOutsideTheirTenant() {
        assertThatThrownBy(() -> PermissionsServiceGrpc.newBlockingStub(channel).checkPermission(
                CheckPermissionRequest.newBuilder().setResource(object("document", "a")).setPermission("view")
                        .setSubject(subject("user", "u")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThatThrownBy(() -> PermissionsServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(new BearerToken("not-a-key")).checkPermission(CheckPermissionRequest.newBuilder()
                        .setResource(object("document", "a")).setPermission("view").setSubject(subject("user", "u"))
                        .build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThatThrownBy(() -> schema.writeSchema(WriteSchemaRequest.newBuilder()
                .setSchema("definition user {}\ndefinition doc {\n  relation viewer: usr\n}").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("usr").containsPattern("3:\\d+");
                    com.google.rpc.ErrorInfo info = errorInfo(e);
                    assertThat(info.getReason()).isEqualTo("ERROR_REASON_SCHEMA_PARSE_ERROR");
                    assertThat(info.getDomain()).isEqualTo("authzed.com");
                    assertThat(info.getMetadataMap()).containsEntry("start_line_number", "2")
                            .containsEntry("source_code", "usr");
                });
        assertThatThrownBy(() -> permissions.checkPermission(CheckPermissionRequest.newBuilder()
                .setResource(object("nosuch", "a")).setPermission("view").setSubject(subject("user", "u")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));

        // A token from this tenant is refused by the other tenant, and its data is not visible there.
        ZedToken at = write(relationship("document", "secret", "owner", "user", "alice"));
        PermissionsServiceGrpc.PermissionsServiceBlockingStub other = PermissionsServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(new BearerToken(otherKey));
        assertThatThrownBy(() -> other.checkPermission(CheckPermissionRequest.newBuilder().setConsistency(fresh(at))
                .setResource(object("document", "secret")).setPermission("edit").setSubject(subject("user", "alice"))
                .build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isIn(Status.Code.INVALID_ARGUMENT, Status.Code.FAILED_PRECONDITION));
        List<ReadRelationshipsResponse> seen = new ArrayList<>();
        assertThatThrownBy(() -> other.readRelationships(ReadRelationshipsRequest.newBuilder()
                .setRelationshipFilter(RelationshipFilter.newBuilder().setResourceType("document")).build())
                .forEachRemaining(seen::add)).isInstanceOf(StatusRuntimeException.class);
        assertThat(seen).isEmpty();
    }

    static com.google.rpc.ErrorInfo errorInfo(StatusRuntimeException e) {
        com.google.rpc.Status status = io.grpc.protobuf.StatusProto.fromThrowable(e);
        assertThat(status).as("the status carries details").isNotNull();
        for (com.google.protobuf.Any detail : status.getDetailsList()) {
            if (detail.is(com.google.rpc.ErrorInfo.class)) {
                try {
                    return detail.unpack(com.google.rpc.ErrorInfo.class);
                } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                    throw new AssertionError(x);
                }
            }
        }
        throw new AssertionError("no ErrorInfo in " + status);
    }

    @Test
    void deadlinesEndTheCall() {
        List<Relationship> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(relationship("document", "doc" + i, "viewer", "user", "alice"));
        }
        ZedToken at = write(many.toArray(Relationship[]::new));
        Iterator<LookupResourcesResponse> results = permissions.withDeadline(Deadline.after(1, TimeUnit.NANOSECONDS))
                .lookupResources(LookupResourcesRequest.newBuilder().setConsistency(fresh(at))
                        .setResourceObjectType("document").setPermission("view").setSubject(subject("user", "alice"))
                        .build());
        assertThatThrownBy(() -> results.forEachRemaining(r -> {}))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        // The server is not stuck: the next call answers.
        assertThat(check(at, "doc1", "view", "alice", null))
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
    }

    @Test
    void experimentalServiceReflectsAndDiffsTheSchema() {
        com.authzed.api.v1.ExperimentalServiceGrpc.ExperimentalServiceBlockingStub experimental =
                com.authzed.api.v1.ExperimentalServiceGrpc.newBlockingStub(channel)
                        .withCallCredentials(new BearerToken(key));
        Consistency full = Consistency.newBuilder().setFullyConsistent(true).build();
        com.authzed.api.v1.ExperimentalReflectSchemaResponse reflected = experimental.experimentalReflectSchema(
                com.authzed.api.v1.ExperimentalReflectSchemaRequest.newBuilder().setConsistency(full).build());
        assertThat(reflected.getDefinitionsList()).extracting(d -> d.getName())
                .containsExactly("document", "group", "user");
        assertThat(reflected.getCaveatsList()).extracting(c -> c.getName()).containsExactly("on_network");
        com.authzed.api.v1.ExperimentalDiffSchemaResponse diff = experimental.experimentalDiffSchema(
                com.authzed.api.v1.ExperimentalDiffSchemaRequest.newBuilder().setConsistency(full)
                        .setComparisonSchema(SCHEMA.replace("    permission edit = owner\n", "")).build());
        assertThat(diff.getDiffsList()).hasSize(1);
        assertThat(diff.getDiffs(0).getPermissionRemoved().getName()).isEqualTo("edit");
    }

    @Test
    void bulkImportOf100000_thenExportResumedFromACursorMidway() throws Exception {
        int total = 100_000;
        java.util.concurrent.CompletableFuture<com.authzed.api.v1.ImportBulkRelationshipsResponse> done =
                new java.util.concurrent.CompletableFuture<>();
        io.grpc.stub.StreamObserver<com.authzed.api.v1.ImportBulkRelationshipsRequest> upload =
                PermissionsServiceGrpc.newStub(channel).withCallCredentials(new BearerToken(key))
                        .importBulkRelationships(observer(done));
        for (int chunk = 0; chunk < total / 1_000; chunk++) {
            com.authzed.api.v1.ImportBulkRelationshipsRequest.Builder request =
                    com.authzed.api.v1.ImportBulkRelationshipsRequest.newBuilder();
            for (int i = 0; i < 1_000; i++) {
                int n = chunk * 1_000 + i;
                request.addRelationships(relationship("document", "doc" + n, "viewer", "user", "u" + (n % 97)));
            }
            upload.onNext(request.build());
        }
        upload.onCompleted();
        assertThat(done.get(120, TimeUnit.SECONDS).getNumLoaded()).isEqualTo(total);

        // An export in pages of 5,000, resumed from the cursor of the seventh page.
        com.authzed.api.v1.ExportBulkRelationshipsRequest export = com.authzed.api.v1.ExportBulkRelationshipsRequest
                .newBuilder().setConsistency(Consistency.newBuilder().setFullyConsistent(true)).setOptionalLimit(5_000)
                .build();
        List<com.authzed.api.v1.ExportBulkRelationshipsResponse> pages = new ArrayList<>();
        permissions.exportBulkRelationships(export).forEachRemaining(pages::add);
        java.util.Set<String> exported = new java.util.HashSet<>();
        pages.forEach(p -> p.getRelationshipsList().forEach(r -> exported.add(r.getResource().getObjectId())));
        assertThat(pages).hasSize(20);
        assertThat(exported).hasSize(total);
        // A write after the export began is not in the resumed export: it reads at the export's revision.
        write(relationship("document", "late", "viewer", "user", "u1"));
        List<String> resumed = new ArrayList<>();
        permissions.exportBulkRelationships(export.toBuilder().setOptionalCursor(pages.get(6).getAfterResultCursor())
                .build()).forEachRemaining(p -> p.getRelationshipsList()
                        .forEach(r -> resumed.add(r.getResource().getObjectId())));
        List<String> expected = new ArrayList<>();
        pages.subList(7, 20).forEach(p -> p.getRelationshipsList().forEach(r -> expected.add(r.getResource()
                .getObjectId())));
        assertThat(resumed).containsExactlyElementsOf(expected).doesNotContain("late");
        assertThatThrownBy(() -> permissions.exportBulkRelationships(export.toBuilder()
                .setOptionalCursor(Cursor.newBuilder().setToken("garbage")).build()).forEachRemaining(p -> {}))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void aBulkImportWithOneBadRelationship_writesNothing() throws Exception {
        java.util.concurrent.CompletableFuture<com.authzed.api.v1.ImportBulkRelationshipsResponse> done =
                new java.util.concurrent.CompletableFuture<>();
        io.grpc.stub.StreamObserver<com.authzed.api.v1.ImportBulkRelationshipsRequest> upload =
                PermissionsServiceGrpc.newStub(channel).withCallCredentials(new BearerToken(key))
                        .importBulkRelationships(observer(done));
        upload.onNext(com.authzed.api.v1.ImportBulkRelationshipsRequest.newBuilder()
                .addRelationships(relationship("document", "fine", "viewer", "user", "u1")).build());
        upload.onNext(com.authzed.api.v1.ImportBulkRelationshipsRequest.newBuilder()
                .addRelationships(relationship("document", "bad", "viewer", "folder", "f1")).build());
        upload.onCompleted();
        assertThatThrownBy(() -> done.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e.getCause()).getStatus().getDescription())
                        .contains("folder"));
        List<ReadRelationshipsResponse> rows = new ArrayList<>();
        permissions.readRelationships(ReadRelationshipsRequest.newBuilder()
                .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                .setRelationshipFilter(RelationshipFilter.newBuilder().setResourceType("document")).build())
                .forEachRemaining(rows::add);
        assertThat(rows).isEmpty();
    }

    /**
     * The import reads protobuf straight into relationships: usersets, wildcards, a caveat
     * with and without its context all arrive as written; a refusal names its message and
     * index, and nothing of the import is written.
     */
    @Test
    void aBulkImportDecodesEveryKindOfRelationship_andNamesTheMessageOfARefusedOne() throws Exception {
        Relationship caveated = relationship("document", "c1", "viewer", "user", "carol").toBuilder()
                .setOptionalCaveat(ContextualizedCaveat.newBuilder().setCaveatName("on_network")
                        .setContext(context("allowed", "10.0.0.0"))).build();
        Relationship bare = relationship("document", "c2", "viewer", "user", "dave").toBuilder()
                .setOptionalCaveat(ContextualizedCaveat.newBuilder().setCaveatName("on_network")).build();
        Relationship userset = relationship("document", "u1", "viewer", "group", "eng").toBuilder()
                .setSubject(subject("group", "eng").toBuilder().setOptionalRelation("member")).build();
        Relationship wildcard = relationship("document", "w1", "viewer", "user", "*");
        java.util.function.Function<List<Relationship>, java.util.concurrent.CompletableFuture<
                com.authzed.api.v1.ImportBulkRelationshipsResponse>> upload = messages -> {
                    java.util.concurrent.CompletableFuture<com.authzed.api.v1.ImportBulkRelationshipsResponse> done =
                            new java.util.concurrent.CompletableFuture<>();
                    io.grpc.stub.StreamObserver<com.authzed.api.v1.ImportBulkRelationshipsRequest> stream =
                            PermissionsServiceGrpc.newStub(channel).withCallCredentials(new BearerToken(key))
                                    .importBulkRelationships(observer(done));
                    for (Relationship r : messages) {
                        stream.onNext(com.authzed.api.v1.ImportBulkRelationshipsRequest.newBuilder()
                                .addRelationships(relationship("document", "pad-" + r.getResource().getObjectId(),
                                        "owner", "user", "alice"))
                                .addRelationships(r).build());
                    }
                    stream.onCompleted();
                    return done;
                };

        Relationship refused = relationship("document", "bad", "viewer", "folder", "f1");
        assertThatThrownBy(() -> upload.apply(List.of(caveated, refused)).get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e.getCause()).getStatus().getDescription())
                        .contains("document:bad#viewer@folder:f1").contains("request 2, relationships[1]"));
        assertThat(upload.apply(List.of(caveated, bare, userset, wildcard)).get(30, TimeUnit.SECONDS).getNumLoaded())
                .isEqualTo(8);

        List<Relationship> rows = new ArrayList<>();
        permissions.readRelationships(ReadRelationshipsRequest.newBuilder()
                .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                .setRelationshipFilter(RelationshipFilter.newBuilder().setResourceType("document")
                        .setOptionalRelation("viewer")).build())
                .forEachRemaining(r -> rows.add(r.getRelationship()));
        // A caveat without context reads back with an empty one, as after any write.
        Relationship bareRead = bare.toBuilder().setOptionalCaveat(bare.getOptionalCaveat().toBuilder()
                .setContext(Struct.getDefaultInstance())).build();
        assertThat(rows).containsExactlyInAnyOrder(caveated, bareRead, userset, wildcard);
    }

    @Test
    void bulkImportsBeyondTheLimitAtOnce_areRefused_andCancelledOnesWriteNothing() throws Exception {
        List<io.grpc.stub.StreamObserver<com.authzed.api.v1.ImportBulkRelationshipsRequest>> open = new ArrayList<>();
        List<java.util.concurrent.CompletableFuture<com.authzed.api.v1.ImportBulkRelationshipsResponse>> answers =
                new ArrayList<>();
        for (int i = 0; i <= GrpcCalls.CLIENT_STREAMS; i++) {
            java.util.concurrent.CompletableFuture<com.authzed.api.v1.ImportBulkRelationshipsResponse> done =
                    new java.util.concurrent.CompletableFuture<>();
            io.grpc.stub.StreamObserver<com.authzed.api.v1.ImportBulkRelationshipsRequest> upload =
                    PermissionsServiceGrpc.newStub(channel).withCallCredentials(new BearerToken(key))
                            .importBulkRelationships(observer(done));
            upload.onNext(com.authzed.api.v1.ImportBulkRelationshipsRequest.newBuilder()
                    .addRelationships(relationship("document", "open" + i, "viewer", "user", "u1")).build());
            open.add(upload);
            answers.add(done);
            Thread.sleep(100);
        }
        // The one past the limit is refused at once; the others wait for the rest of their streams.
        assertThatThrownBy(() -> answers.get(GrpcCalls.CLIENT_STREAMS).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e.getCause()).getStatus().getCode())
                        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        for (int i = 0; i < GrpcCalls.CLIENT_STREAMS; i++) {
            assertThat(answers.get(i)).isNotDone();
            open.get(i).onError(Status.CANCELLED.withDescription("the client gave up").asRuntimeException());
        }
        // Their slots are free again once their work has ended (at once, as they never got their whole
        // stream): a new import goes through, and nothing of the cancelled ones was written.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        com.authzed.api.v1.ImportBulkRelationshipsResponse after = null;
        while (after == null) {
            java.util.concurrent.CompletableFuture<com.authzed.api.v1.ImportBulkRelationshipsResponse> done =
                    new java.util.concurrent.CompletableFuture<>();
            io.grpc.stub.StreamObserver<com.authzed.api.v1.ImportBulkRelationshipsRequest> upload =
                    PermissionsServiceGrpc.newStub(channel).withCallCredentials(new BearerToken(key))
                            .importBulkRelationships(observer(done));
            upload.onNext(com.authzed.api.v1.ImportBulkRelationshipsRequest.newBuilder()
                    .addRelationships(relationship("document", "after", "viewer", "user", "u1")).build());
            upload.onCompleted();
            try {
                after = done.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (Status.fromThrowable(e.getCause()).getCode() != Status.Code.RESOURCE_EXHAUSTED
                        || System.nanoTime() > until) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
        assertThat(after.getNumLoaded()).isEqualTo(1);
        List<String> ids = new ArrayList<>();
        permissions.readRelationships(ReadRelationshipsRequest.newBuilder()
                .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                .setRelationshipFilter(RelationshipFilter.newBuilder().setResourceType("document")).build())
                .forEachRemaining(r -> ids.add(r.getRelationship().getResource().getObjectId()));
        assertThat(ids).containsExactly("after");
    }

    /** An observer that completes {@code done} with the call's one answer, or its error. */
    static <T> io.grpc.stub.StreamObserver<T> observer(java.util.concurrent.CompletableFuture<T> done) {
        return new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(T value) {
                done.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        };
    }

    @Test
    void healthAndReflectionAreServedWithoutAKey() {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.newBuilder()
                .setService("authzed.api.v1.PermissionsService").build());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        List<String> services = new ArrayList<>();
        List<String> schemaMethods = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.grpc.reflection.v1.ServerReflectionGrpc.ServerReflectionStub reflection =
                io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel);
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        io.grpc.stub.StreamObserver<io.grpc.reflection.v1.ServerReflectionRequest> requests = reflection
                .serverReflectionInfo(new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1.ServerReflectionResponse value) {
                        value.getListServicesResponse().getServiceList().forEach(s -> services.add(s.getName()));
                        for (com.google.protobuf.ByteString bytes : value.getFileDescriptorResponse()
                                .getFileDescriptorProtoList()) {
                            try {
                                com.google.protobuf.DescriptorProtos.FileDescriptorProto file =
                                        com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(bytes);
                                file.getServiceList().stream().filter(x -> x.getName().equals("SchemaService"))
                                        .forEach(x -> x.getMethodList().forEach(m -> schemaMethods.add(m.getName())));
                            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                                done.completeExceptionally(e);
                            }
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("authzed.api.v1.SchemaService").build());
        requests.onCompleted();
        done.orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(schemaMethods).contains("ReadSchema", "WriteSchema", "ReflectSchema", "DiffSchema",
                "ComputablePermissions", "DependentRelations");
        assertThat(services).contains("authzed.api.v1.PermissionsService", "authzed.api.v1.SchemaService",
                "authzed.api.v1.WatchService", "authzed.api.v1.ExperimentalService", "grpc.health.v1.Health");
    }
}
