package io.relata.benchmarks;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.SubjectReference;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the gRPC benchmark programs share: plaintext channels to {@code host:port} made by
 * SpiceDB's official Java client library, and check files, one check a line
 * ({@code type:id permission type:id}, the format {@code benchmarks/wrk/check.lua} reads too).
 */
final class GrpcClients {

    private GrpcClients() {}

    /** {@code count} separate channels (each its own HTTP/2 connection) to {@code target} ("host:port"). */
    static List<ManagedChannel> channels(String target, int count) {
        int colon = target.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--target must be host:port, got " + target);
        }
        String host = target.substring(0, colon);
        int port = Integer.parseInt(target.substring(colon + 1));
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            channels.add(ManagedChannelBuilder.forAddress(host, port).usePlaintext()
                    .maxInboundMessageSize(64 << 20).build());
        }
        return channels;
    }

    static void close(List<ManagedChannel> channels) throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
        for (ManagedChannel c : channels) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static ObjectReference object(String typeAndId) {
        int colon = typeAndId.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected type:id, got " + typeAndId);
        }
        return ObjectReference.newBuilder().setObjectType(typeAndId.substring(0, colon))
                .setObjectId(typeAndId.substring(colon + 1)).build();
    }

    /** The checks of a check file, each at {@code minimizeLatency}. */
    static List<CheckPermissionRequest> readChecks(Path file) throws IOException {
        List<CheckPermissionRequest> checks = new ArrayList<>();
        Consistency minimizeLatency = Consistency.newBuilder().setMinimizeLatency(true).build();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.trim().split(" ");
            if (parts.length != 3) {
                throw new IllegalArgumentException(file + ": expected 'type:id permission type:id', got " + line);
            }
            checks.add(CheckPermissionRequest.newBuilder().setConsistency(minimizeLatency)
                    .setResource(object(parts[0])).setPermission(parts[1])
                    .setSubject(SubjectReference.newBuilder().setObject(object(parts[2]))).build());
        }
        if (checks.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no checks");
        }
        return checks;
    }
}
