package io.relata.server;

import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A server listening on a free local port for a test, and a client for its HTTP API. */
final class TestServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A response: its status and body. */
    record Reply(int status, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        /** The objects of a newline-delimited stream. */
        List<JsonObject> lines() {
            List<JsonObject> out = new ArrayList<>();
            body.lines().filter(l -> !l.isBlank()).forEach(l -> out.add(new JsonObject(l)));
            return out;
        }
    }

    private final RelataServer server;
    private final String base;

    private TestServer(RelataServer server, int port) {
        this.server = server;
        this.base = "http://127.0.0.1:" + port;
    }

    /** Starts a server over {@code store}; {@link #close()} stops it and leaves the store open. */
    static TestServer start(ServerConfig config, TupleStore store, ApiKeys keys) throws Exception {
        RelataServer server = new RelataServer(config, store, keys);
        return new TestServer(server, server.start().toCompletionStage().toCompletableFuture().get());
    }

    /** {@link #start(ServerConfig, TupleStore, ApiKeys)} with its key cache and metrics key. */
    static TestServer start(ServerConfig config, TupleStore store, ApiKeys keys, AccessOptions access) throws Exception {
        RelataServer server = new RelataServer(config, store, keys, access);
        return new TestServer(server, server.start().toCompletionStage().toCompletableFuture().get());
    }

    /** The server itself, for tests that look at its routes, methods or meters. */
    RelataServer server() {
        return server;
    }

    /** Starts the gRPC API on a free port (with TLS when the config has it); gives the port. */
    int startGrpc() {
        return server.startGrpc(0);
    }

    /** A client of {@code server}, already listening on {@code port}; {@link #close()} stops it. */
    static TestServer of(RelataServer server, int port) {
        return new TestServer(server, port);
    }

    /** {@code http://127.0.0.1:<port>}. */
    String base() {
        return base;
    }

    /** POSTs a JSON body, with {@code key} as the bearer token unless it is null. */
    Reply post(String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json");
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    Reply get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    /**
     * Threads of this JVM that wait for a stream's client to read (an HTTP response's write queue to
     * drain, a gRPC call to be ready): a server's stalled streams, in a test that runs it in-process.
     */
    static int streamsWaitingForClients() {
        int waiting = 0;
        for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
            for (StackTraceElement frame : stack) {
                if (frame.getClassName().equals(HttpHandlers.class.getName()) && frame.getMethodName().equals("awaitDrain")
                        || frame.getClassName().equals(GrpcCalls.class.getName())
                                && frame.getMethodName().equals("awaitReady")) {
                    waiting++;
                    break;
                }
            }
        }
        return waiting;
    }

    /** Threads of this JVM running a server stream's work (HTTP or gRPC), waiting for their client or not. */
    static int streamsRunning() {
        int running = 0;
        for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
            for (StackTraceElement frame : stack) {
                if ((frame.getClassName().equals(HttpHandlers.class.getName())
                        || frame.getClassName().equals(GrpcCalls.class.getName()))
                        && frame.getMethodName().startsWith("lambda$stream")) {
                    running++;
                    break;
                }
            }
        }
        return running;
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(5));
    }
}
