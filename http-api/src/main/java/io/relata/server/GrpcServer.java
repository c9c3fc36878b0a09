package io.relata.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SpiceDB's gRPC API ({@code authzed.api.v1}) on its own port, over the same service layer
 * as the HTTP API: the permissions, schema, watch and experimental services behind the
 * bearer-key check, and the standard health and server reflection services open to all.
 */
final class GrpcServer {

    /**
     * Most unary calls running at once; at most {@link OverloadLimits#queuedRequests()} more wait
     * ({@link RequestQueue}), then RESOURCE_EXHAUSTED. Server streams run apart ({@link Streams}).
     */
    private static final int WORKERS = 32;

    /** Calls one connection may have open at once (each may hold a worker). */
    private static final int MAX_CALLS_PER_CONNECTION = 100;

    private final Server server;
    private final ThreadPoolExecutor work;
    private final ScheduledExecutorService timer;
    private final HealthStatusManager health = new HealthStatusManager();
    private final GrpcWatch watch;

    /**
     * @param access turns a call's bearer key into its tenant, if it may make the call
     * @param certificate PEM certificate chain and {@code key} its private key, or both null for plaintext
     * @param tracing the interceptor that traces every call, or null for none
     */
    GrpcServer(Api api, Access access, String host, int port, long maxMessageBytes,
            ConnectionLimits limits, File certificate, File key, io.grpc.ServerInterceptor tracing) {
        AtomicInteger threads = new AtomicInteger();
        this.work = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "relata-grpc-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.work.allowCoreThreadTimeOut(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relata-grpc-timer");
            t.setDaemon(true);
            return t;
        });
        GrpcCalls calls = new GrpcCalls(work, WORKERS, access, api);
        this.watch = new GrpcWatch(api, calls, work, timer);
        BearerKeys keys = new BearerKeys();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port),
                        credentials(certificate, key))
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, maxMessageBytes))
                .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
                // Calls start on the transport's threads: every method hands its work to the
                // work pool (or, a cached check, answers at once), so none blocks them.
                .directExecutor()
                .keepAliveTime(2, TimeUnit.MINUTES).keepAliveTimeout(20, TimeUnit.SECONDS)
                // A connection that never completes its handshake, or stays without calls, is closed;
                // a client pinging more often than allowed is told to go away.
                .handshakeTimeout(limits.headerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionIdle(limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(ConnectionLimits.GRPC_PERMIT_KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(false)
                .addService(ServerInterceptors.intercept(new GrpcPermissions(api, calls), keys))
                .addService(ServerInterceptors.intercept(GrpcSchema.service(api, calls), keys))
                .addService(ServerInterceptors.intercept(watch, keys))
                .addService(ServerInterceptors.intercept(new GrpcExperimental(api, calls), keys))
                .addService(ServerInterceptors.intercept(new GrpcComposite(api.composites(), calls), keys))
                .addService(ServerInterceptors.intercept(new GrpcExplain(api, calls), keys))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(ProtoReflectionService.newInstance());
        if (tracing != null) {
            builder.intercept(tracing);
        }
        this.server = builder.build();
        // Every method served must be in the operation table, so none goes unguarded.
        methods().forEach(Operation::ofGrpc);
    }

    /** The full names of every method served, of every service. */
    java.util.List<String> methods() {
        return server.getServices().stream().flatMap(s -> s.getMethods().stream())
                .map(m -> m.getMethodDescriptor().getFullMethodName()).sorted().toList();
    }

    private static ServerCredentials credentials(File certificate, File key) {
        if (certificate == null && key == null) {
            return InsecureServerCredentials.create();
        }
        try {
            return TlsServerCredentials.create(certificate, key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the TLS certificate or key: " + e.getMessage(), e);
        }
    }

    /** Starts listening; gives the port. */
    int start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("the gRPC port cannot be opened: " + e.getMessage(), e);
        }
        for (String service : new String[] {"", "authzed.api.v1.PermissionsService", "authzed.api.v1.SchemaService",
                "authzed.api.v1.WatchService", "authzed.api.v1.ExperimentalService",
                "relata.v1.CompositePermissionsService", "relata.v1.ExplainService"}) {
            health.setStatus(service, ServingStatus.SERVING);
        }
        return server.getPort();
    }

    int port() {
        return server.getPort();
    }

    /** Refuses new calls, lets those in flight finish within {@code millis}, then cancels the rest. */
    void stop(long millis) {
        health.enterTerminalState();
        watch.stop();
        server.shutdown();
        try {
            if (!server.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
                server.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
            }
            timer.shutdownNow();
            work.shutdown();
            // The engine and the store close after this: let the work in flight see them open.
            if (!work.awaitTermination(Math.max(1_000, millis / 4), TimeUnit.MILLISECONDS)) {
                work.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
            work.shutdownNow();
        } finally {
            timer.shutdownNow();
        }
    }
}
