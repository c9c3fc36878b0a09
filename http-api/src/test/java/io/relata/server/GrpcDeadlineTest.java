package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.ReadSchemaRequest;
import com.authzed.api.v1.SchemaServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.grpcutil.BearerToken;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.relata.engine.EngineOptions;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A gRPC call whose deadline passes gives its worker back at once: with every relationship
 * read held, more calls than the server has workers run out their short deadlines, and a
 * call that reads no relationships still answers at once behind them.
 */
class GrpcDeadlineTest {

    /** The store's relationship reads wait while the gate is shut. */
    private static TupleStore gated(TupleStore store, CountDownLatch gate, AtomicInteger held) {
        Set<String> reads = Set.of("read", "subjectsOf", "resourcesNaming");
        return (TupleStore) Proxy.newProxyInstance(TupleStore.class.getClassLoader(), new Class<?>[] {TupleStore.class},
                (proxy, method, args) -> {
                    if (reads.contains(method.getName())) {
                        held.incrementAndGet();
                        gate.await(60, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void callsPastTheirDeadline_releaseTheirWorkers() throws Exception {
        String key = "deadline-" + UUID.randomUUID();
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger held = new AtomicInteger();
        TupleStore memory = new MemoryTupleStore(StoreOptions.DEFAULTS);
        TupleStore store = gated(memory, gate, held);
        // The engine's own deadline is long: only the callers' deadlines end these calls.
        try (TestServer server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(key, "deadlines"),
                "deadline-test-secret-0123456789", Duration.ofSeconds(5), 1 << 20, 100,
                EngineOptions.DEFAULTS.withDeadline(Duration.ofSeconds(60)), null), store, new MemoryApiKeys(memory))) {
            int port = server.startGrpc();
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                SchemaServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(key)).writeSchema(
                        com.authzed.api.v1.WriteSchemaRequest.newBuilder()
                                .setSchema("definition user {}\ndefinition doc {\n  relation viewer: user\n}").build());
                PermissionsServiceGrpc.PermissionsServiceStub permissions = PermissionsServiceGrpc.newStub(channel)
                        .withCallCredentials(new BearerToken(key));
                int calls = 64; // twice the server's gRPC workers
                CountDownLatch ended = new CountDownLatch(calls);
                AtomicInteger deadlineExceeded = new AtomicInteger();
                for (int i = 0; i < calls; i++) {
                    permissions.withDeadline(Deadline.after(300, TimeUnit.MILLISECONDS)).checkPermission(
                            CheckPermissionRequest.newBuilder()
                                    .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                                    .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("d" + i))
                                    .setPermission("viewer").setSubject(SubjectReference.newBuilder().setObject(
                                            ObjectReference.newBuilder().setObjectType("user").setObjectId("u")))
                                    .build(),
                            new StreamObserver<>() {
                                @Override
                                public void onNext(com.authzed.api.v1.CheckPermissionResponse value) {}

                                @Override
                                public void onError(Throwable t) {
                                    if (Status.fromThrowable(t).getCode() == Status.Code.DEADLINE_EXCEEDED) {
                                        deadlineExceeded.incrementAndGet();
                                    }
                                    ended.countDown();
                                }

                                @Override
                                public void onCompleted() {
                                    ended.countDown();
                                }
                            });
                }
                assertThat(ended.await(20, TimeUnit.SECONDS)).isTrue();
                assertThat(deadlineExceeded.get()).isEqualTo(calls);
                assertThat(held.get()).isPositive();
                // The reads are still held, yet a call that needs no relationship answers.
                long start = System.nanoTime();
                assertThat(SchemaServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(key))
                        .withDeadline(Deadline.after(3, TimeUnit.SECONDS))
                        .readSchema(ReadSchemaRequest.getDefaultInstance()).getSchemaText()).contains("definition doc");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            } finally {
                gate.countDown();
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
