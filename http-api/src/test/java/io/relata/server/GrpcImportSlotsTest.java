package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.ImportBulkRelationshipsRequest;
import com.authzed.api.v1.ImportBulkRelationshipsResponse;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.SchemaServiceGrpc;
import com.authzed.api.v1.WriteSchemaRequest;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.relata.engine.EngineOptions;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * At most {@link GrpcCalls#CLIENT_STREAMS} gRPC bulk imports run at once, counting one whose
 * client has cancelled while its work is still in the store (holding the tenant's write lock
 * and a connection): its slot is free only once that work has ended. Here the work is held in
 * the store by a lock on the tenant's revision row, taken from a connection of the test's own,
 * with SpiceDB's official Java client on the other side.
 */
class GrpcImportSlotsTest {

    private TestServer server;
    private PostgresTupleStore store;
    private ManagedChannel channel;
    private String key;
    private String tenant;

    @BeforeEach
    void start() throws Exception {
        key = "slots-" + UUID.randomUUID();
        tenant = "slots-" + UUID.randomUUID();
        store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(key, tenant),
                "grpc-test-secret-0123456789", Duration.ofSeconds(5), 4 * 1024 * 1024, 100,
                EngineOptions.DEFAULTS.withMaxDepth(10), null), store, new MemoryApiKeys(store));
        int port = server.startGrpc();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        SchemaServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(key)).writeSchema(
                WriteSchemaRequest.newBuilder().setSchema("definition user {}\n"
                        + "definition document {\n    relation viewer: user\n}\n").build());
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        store.close();
    }

    private record Upload(StreamObserver<ImportBulkRelationshipsRequest> requests,
            CompletableFuture<ImportBulkRelationshipsResponse> done) {}

    private Upload upload(String id) {
        CompletableFuture<ImportBulkRelationshipsResponse> done = new CompletableFuture<>();
        StreamObserver<ImportBulkRelationshipsRequest> requests = PermissionsServiceGrpc.newStub(channel)
                .withCallCredentials(new BearerToken(key)).importBulkRelationships(GrpcClientContract.observer(done));
        requests.onNext(ImportBulkRelationshipsRequest.newBuilder().addRelationships(
                GrpcClientContract.relationship("document", id, "viewer", "user", "u1")).build());
        return new Upload(requests, done);
    }

    private static Status.Code code(CompletableFuture<?> done) {
        try {
            done.get(30, TimeUnit.SECONDS);
            return Status.Code.OK;
        } catch (ExecutionException e) {
            return Status.fromThrowable(e.getCause()).getCode();
        } catch (Exception e) {
            throw new AssertionError("no answer in 30 s", e);
        }
    }

    /** How many sessions of this database wait for a lock. */
    private static int waitingForALock(Connection c) throws Exception {
        try (ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
            r.next();
            return r.getInt(1);
        }
    }

    @Test
    void aCancelledImportWhoseWorkStillRuns_keepsItsSlotUntilTheWorkEnds() throws Exception {
        try (Connection lock = TestDatabase.connect()) {
            lock.setAutoCommit(false);
            try (PreparedStatement s = lock.prepareStatement("SELECT r.revision FROM tenant_revisions r"
                    + " JOIN tenants t ON t.id = r.tenant_id WHERE t.name = ? FOR UPDATE OF r")) {
                s.setString(1, tenant);
                try (ResultSet r = s.executeQuery()) {
                    assertThat(r.next()).as("the tenant's revision row").isTrue();
                }
            }

            // The first import's work reaches the store and waits there for the tenant's revision row.
            Upload first = upload("first");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (waitingForALock(lock) == 0 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(waitingForALock(lock)).as("the first import waiting in the store").isPositive();

            // The client cancels it; its work is still in the store.
            first.requests().onError(Status.CANCELLED.withDescription("the client gave up").asRuntimeException());
            assertThat(code(first.done())).isEqualTo(Status.Code.CANCELLED);
            assertThat(waitingForALock(lock)).as("the cancelled import's work, still in the store").isPositive();

            // As many imports as there are slots: one of them is refused, the cancelled one's work holds a slot.
            List<Upload> more = new ArrayList<>();
            for (int i = 0; i < GrpcCalls.CLIENT_STREAMS; i++) {
                more.add(upload("more" + i));
            }
            CompletableFuture<Object> anyEnded = CompletableFuture.anyOf(more.stream().map(Upload::done)
                    .toArray(CompletableFuture[]::new));
            Status.Code refused = code(anyEnded);
            assertThat(refused).as("an import over the limit while the cancelled one's work runs")
                    .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(more.stream().filter(u -> u.done().isDone()).count()).as("imports refused").isEqualTo(1);

            lock.rollback();
            // All ended first: each waits in the store behind whichever holds the tenant's revision row.
            List<Upload> held = more.stream().filter(u -> !u.done().isDone()).toList();
            held.forEach(u -> u.requests().onCompleted());
            for (Upload u : held) {
                assertThat(code(u.done())).isEqualTo(Status.Code.OK);
            }
        }

        // Once the cancelled import's work has ended, its slot is free again: a full set of imports runs.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Status.Code last;
        do {
            List<Upload> again = new ArrayList<>();
            for (int i = 0; i < GrpcCalls.CLIENT_STREAMS; i++) {
                again.add(upload("again" + i + "-" + System.nanoTime()));
            }
            again.forEach(u -> u.requests().onCompleted());
            last = Status.Code.OK;
            for (Upload u : again) {
                Status.Code c = code(u.done());
                if (c != Status.Code.OK) {
                    last = c;
                }
            }
            if (last == Status.Code.RESOURCE_EXHAUSTED) {
                Thread.sleep(50);
            }
        } while (last == Status.Code.RESOURCE_EXHAUSTED && System.nanoTime() < until);
        assertThat(last).as("a full set of imports once every earlier one has ended").isEqualTo(Status.Code.OK);
    }
}
