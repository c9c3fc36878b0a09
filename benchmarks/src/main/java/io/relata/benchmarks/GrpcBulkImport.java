package io.relata.benchmarks;

import com.authzed.api.v1.ImportBulkRelationshipsRequest;
import com.authzed.api.v1.ImportBulkRelationshipsResponse;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.Relationship;
import com.authzed.api.v1.SubjectReference;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bulk import through gRPC {@code PermissionsService.ImportBulkRelationships} (a client
 * stream), run as its own process: {@code --count} new relationships
 * ({@code project:bulk_N#developer@user:uM}, ten developers per project; the deep-chain
 * schema must be written) sent {@code --batch} to a message, as fast as the stream's flow
 * control lets them go. The time runs from the first message to the answer.
 *
 * <p>Prints {@code IMPORT|OK|sent|loaded|seconds|per second}, or {@code IMPORT|UNIMPLEMENTED|...}
 * when the server does not offer the method, or {@code IMPORT|ERROR|code: description}; it
 * exits 0 in all three cases so that {@code run-grpc.sh} goes on.
 */
public final class GrpcBulkImport {

    private GrpcBulkImport() {}

    public static void main(String[] args) throws Exception {
        String target = "127.0.0.1:50051";
        String key = "bench";
        int count = 100_000;
        int batch = 1_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> target = args[++i];
                case "--key" -> key = args[++i];
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; expected --target host:port --key K --count N --batch N");
            }
        }
        List<ManagedChannel> channels = GrpcClients.channels(target, 1);
        try {
            System.out.println(run(channels.get(0), key, count, batch));
        } finally {
            GrpcClients.close(channels);
        }
    }

    static Relationship relationship(long n) {
        return Relationship.newBuilder()
                .setResource(ObjectReference.newBuilder().setObjectType("project").setObjectId("bulk_" + n / 10))
                .setRelation("developer")
                .setSubject(SubjectReference.newBuilder().setObject(ObjectReference.newBuilder()
                        .setObjectType("user").setObjectId("u" + (n * 7919) % 20_000)))
                .build();
    }

    private static String run(ManagedChannel channel, String key, int count, int batch) throws Exception {
        CompletableFuture<ImportBulkRelationshipsResponse> answer = new CompletableFuture<>();
        long[] start = new long[1];
        ClientResponseObserver<ImportBulkRelationshipsRequest, ImportBulkRelationshipsResponse> observer =
                new ClientResponseObserver<>() {
                    private long sent;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<ImportBulkRelationshipsRequest> requests) {
                        // Send while the transport takes more; resume when it is ready again.
                        requests.setOnReadyHandler(() -> {
                            while (requests.isReady() && sent < count && !answer.isDone()) {
                                ImportBulkRelationshipsRequest.Builder message = ImportBulkRelationshipsRequest.newBuilder();
                                for (int i = 0; i < batch && sent < count; i++) {
                                    message.addRelationships(relationship(sent++));
                                }
                                requests.onNext(message.build());
                                if (sent == count) {
                                    requests.onCompleted();
                                }
                            }
                        });
                    }

                    @Override
                    public void onNext(ImportBulkRelationshipsResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.complete(ImportBulkRelationshipsResponse.getDefaultInstance());
                    }
                };
        start[0] = System.nanoTime();
        PermissionsServiceGrpc.newStub(channel).withCallCredentials(new BearerToken(key))
                .withDeadlineAfter(30, TimeUnit.MINUTES).importBulkRelationships(observer);
        try {
            ImportBulkRelationshipsResponse response = answer.get();
            double seconds = (System.nanoTime() - start[0]) / 1e9;
            return String.format("IMPORT|OK|%d|%d|%.2f|%.0f", count, response.getNumLoaded(), seconds,
                    response.getNumLoaded() / seconds);
        } catch (java.util.concurrent.ExecutionException e) {
            Status status = Status.fromThrowable(e.getCause());
            String description = String.valueOf(status.getDescription()).replace('|', '/');
            return status.getCode() == Status.Code.UNIMPLEMENTED
                    ? "IMPORT|UNIMPLEMENTED|" + description
                    : "IMPORT|ERROR|" + status.getCode() + ": " + description;
        }
    }
}
