package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.Cursor;
import com.authzed.api.v1.LookupSubjectsRequest;
import com.authzed.api.v1.LookupSubjectsResponse;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.relata.engine.EngineOptions;
import io.relata.engine.GraphCheckEngine;
import io.relata.engine.SubjectResult;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lookup subjects served as a stream over HTTP and gRPC (the official client), on a real
 * store whose page reads the test counts and can hold: the first subject reaches the client
 * while the walk still reads, a client that stops reading stops the walk, and pages with
 * {@code optionalConcreteLimit} and the cursor give the whole answer of the whole computation,
 * each subject once. Each store runs this through its subclass.
 */
abstract class StreamedSubjectsServingContract {

    protected abstract TupleStore newStore();

    private static final String SCHEMA = """
            definition user {}
            definition group {
                relation member: user
            }
            definition doc {
                relation viewer: user | group#member
                relation open: user:*
                relation banned: user
                permission view = viewer
                permission everyone = open + viewer
                permission visible = viewer - banned
            }
            """;

    /** doc:big#viewer names GROUPS groups of MEMBERS users each, all different. */
    private static final int GROUPS = 1_000;
    private static final int MEMBERS = 60;
    private static final int USERS = GROUPS * MEMBERS;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TupleStore store;
    private TestServer server;
    private ManagedChannel channel;
    private PermissionsServiceGrpc.PermissionsServiceBlockingStub permissions;
    private String key;
    private String tenant;
    private Revision revision;
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger rowsRead = new AtomicInteger();
    private volatile int shutAt;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Semaphore held = new Semaphore(0);

    @BeforeEach
    void start() throws Exception {
        store = newStore();
        key = "ls-" + UUID.randomUUID();
        tenant = "ls-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        List<Relationship> rows = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            rows.add(Relationship.parse(String.format("doc:big#viewer@group:g%04d#member", g)));
            for (int m = 0; m < MEMBERS; m++) {
                int u = g * MEMBERS + m;
                rows.add(Relationship.parse(String.format("group:g%04d#member@user:u%05d", g, u)));
                if (u % 7 == 0) {
                    rows.add(Relationship.parse(String.format("doc:big#banned@user:u%05d", u)));
                }
            }
        }
        rows.add(Relationship.parse("doc:big#open@user:*"));
        revision = store.bulkImport(tenant, rows.iterator());
        TupleStore real = store;
        // Counts the page reads of lookup subjects' walk (`read`, `subjectsOfPage`) and their rows, and holds them once shut.
        TupleStore counted = (TupleStore) Proxy.newProxyInstance(TupleStore.class.getClassLoader(),
                new Class<?>[] {TupleStore.class}, (proxy, method, args) -> {
                    boolean page = method.getName().equals("read") || method.getName().equals("subjectsOfPage");
                    if (page) {
                        int n = reads.incrementAndGet();
                        if (shutAt > 0 && n >= shutAt) {
                            held.release();
                            gate.await(60, TimeUnit.SECONDS);
                        }
                    }
                    try {
                        Object result = method.invoke(real, args);
                        if (result instanceof io.relata.store.RelationshipPage p) {
                            rowsRead.addAndGet(p.relationships().size());
                        } else if (page && result instanceof List<?> found) {
                            rowsRead.addAndGet(found.size());
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(key, tenant), "subjects-test-secret-0123456789",
                Duration.ofSeconds(30), 4 * 1024 * 1024, 100, EngineOptions.DEFAULTS.withDeadline(Duration.ofSeconds(60)), null),
                counted,
                new MemoryApiKeys(real));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.startGrpc()).usePlaintext()
                .maxInboundMessageSize(4 * 1024 * 1024).build();
        permissions = PermissionsServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(key));
    }

    @AfterEach
    void stop() throws Exception {
        gate.countDown();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    /** The whole computation's answer (the oracle), by subject id. */
    private Map<String, SubjectResult> whole(String permission) throws Exception {
        try (GraphCheckEngine engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withDeadline(
                Duration.ofSeconds(60)))) {
            Map<String, SubjectResult> out = new HashMap<>();
            engine.lookupSubjects(tenant, revision, ObjectRef.parse("doc:big"), permission, "user", null, Map.of()).get()
                    .forEach(s -> out.put(s.id(), s));
            return out;
        }
    }

    private InputStream httpLookup(String permission, int limit, String cursor) throws Exception {
        String body = "{\"consistency\":{\"fullyConsistent\":true},\"resource\":{\"objectType\":\"doc\",\"objectId\":"
                + "\"big\"},\"permission\":\"" + permission + "\",\"subjectObjectType\":\"user\""
                + (limit > 0 ? ",\"optionalConcreteLimit\":" + limit : "")
                + (cursor != null ? ",\"optionalCursor\":{\"token\":\"" + cursor + "\"}" : "") + "}";
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(server.base()
                + "/v1/permissions/subjects")).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json").header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static BufferedReader lines(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private LookupSubjectsRequest grpcRequest(String permission, int limit, Cursor cursor) {
        LookupSubjectsRequest.Builder request = LookupSubjectsRequest.newBuilder()
                .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("big"))
                .setPermission(permission).setSubjectObjectType("user").setOptionalConcreteLimit(limit);
        if (cursor != null) {
            request.setOptionalCursor(cursor);
        }
        return request.build();
    }

    @Test
    void overHttp_theFirstSubjectArrives_whileTheWalkStillReads() throws Exception {
        shutAt = reads.get() + 4;
        try (BufferedReader in = lines(httpLookup("view", 0, null))) {
            String first = in.readLine();
            assertThat(held.tryAcquire(30, TimeUnit.SECONDS)).as("a read held at the gate").isTrue();
            // The walk's fourth page read is held; the client already has a subject.
            assertThat(new JsonObject(first).getJsonObject("result").getJsonObject("subject")
                    .getString("subjectObjectId")).startsWith("u");
            int rowsAtFirst = rowsRead.get();
            gate.countDown();
            List<String> ids = new ArrayList<>();
            ids.add(new JsonObject(first).getJsonObject("result").getString("subjectObjectId"));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonObject json = new JsonObject(line);
                assertThat(json.containsKey("error")).as(line).isFalse();
                ids.add(json.getJsonObject("result").getString("subjectObjectId"));
            }
            assertThat(rowsRead.get()).as("rows read after the first subject").isGreaterThan(rowsAtFirst + USERS / 2);
            assertThat(ids).hasSize(USERS).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                    whole("view").keySet());
        }
    }

    @Test
    void overGrpc_theFirstSubjectArrives_whileTheWalkStillReads() throws Exception {
        shutAt = reads.get() + 4;
        Iterator<LookupSubjectsResponse> stream = permissions.lookupSubjects(grpcRequest("view", 0, null));
        assertThat(stream.hasNext()).isTrue();
        assertThat(held.tryAcquire(30, TimeUnit.SECONDS)).as("a read held at the gate").isTrue();
        List<String> ids = new ArrayList<>();
        ids.add(stream.next().getSubject().getSubjectObjectId());
        gate.countDown();
        stream.forEachRemaining(r -> ids.add(r.getSubject().getSubjectObjectId()));
        assertThat(ids).hasSize(USERS).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(whole("view").keySet());
    }

    @Test
    void aClientThatStopsReading_stopsTheWalk() throws Exception {
        try (InputStream in = httpLookup("view", 0, null)) {
            assertThat(lines(in).readLine()).isNotNull();
            // The client reads nothing more: once the socket and the write queue are full, the walk waits.
            int before;
            int after = rowsRead.get();
            do {
                before = after;
                Thread.sleep(1_000);
                after = rowsRead.get();
            } while (after != before);
            // The walk started (it read pages) and waits part-way, nowhere near its end.
            assertThat(after).as("rows read while the client does not read").isBetween(2, (USERS + GROUPS) / 2);
        }
    }

    @Test
    void pagesWithAConcreteLimit_giveTheWholeAnswer_overGrpcAndHttp() throws Exception {
        Map<String, SubjectResult> everyone = whole("everyone");
        // gRPC, the official client: a wildcard and the users, 7,000 concrete subjects a page.
        Map<String, String> grpc = new HashMap<>();
        Cursor cursor = null;
        int pages = 0;
        int wildcards = 0;
        while (pages++ < 100) {
            List<LookupSubjectsResponse> page = new ArrayList<>();
            permissions.lookupSubjects(grpcRequest("everyone", 7_000, cursor)).forEachRemaining(page::add);
            long concrete = page.stream().filter(r -> !r.getSubject().getSubjectObjectId().equals("*")).count();
            assertThat(concrete).isLessThanOrEqualTo(7_000);
            wildcards += page.size() - concrete;
            for (LookupSubjectsResponse r : page) {
                assertThat(grpc.put(r.getSubject().getSubjectObjectId(), r.getSubject().getPermissionship().name()))
                        .isNull();
            }
            if (concrete < 7_000) {
                break;
            }
            cursor = page.get(page.size() - 1).getAfterResultCursor();
        }
        assertThat(wildcards).isEqualTo(1);
        assertThat(pages).isEqualTo(USERS / 7_000 + 1);
        assertThat(grpc.keySet()).isEqualTo(everyone.keySet());
        assertThat(grpc.values()).containsOnly("LOOKUP_PERMISSIONSHIP_HAS_PERMISSION");

        // HTTP, with an exclusion (each subject checked): pages of 9,000 give the whole computation's answer.
        Map<String, SubjectResult> visible = whole("visible");
        List<String> http = new ArrayList<>();
        String token = null;
        for (int page = 0; page < 100; page++) {
            List<JsonObject> got = new ArrayList<>();
            try (BufferedReader in = lines(httpLookup("visible", 9_000, token))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    got.add(new JsonObject(line).getJsonObject("result"));
                }
            }
            assertThat(got.size()).isLessThanOrEqualTo(9_000);
            got.forEach(r -> http.add(r.getString("subjectObjectId")));
            if (got.size() < 9_000) {
                break;
            }
            token = got.get(got.size() - 1).getJsonObject("afterResultCursor").getString("token");
        }
        assertThat(http).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(visible.keySet());
        assertThat(http).hasSize(USERS - (USERS + 6) / 7);
    }
}
