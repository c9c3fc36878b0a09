package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The listeners close connections that keep them waiting: silent ones, ones that send their
 * headers too slowly, requests whose body stops arriving, connections idle between requests,
 * and gRPC connections that never finish their handshake. A request in flight is not cut.
 * (The timeouts are short here; the assertions wait far longer than them and only check that
 * the server closed the connection, never how fast.)
 */
class ConnectionTimeoutsTest {

    private static final ConnectionLimits SHORT = new ConnectionLimits(Duration.ofMillis(300), Duration.ofMillis(500),
            Duration.ofMillis(300));
    /** Far longer than any timeout above: a server that keeps the connection makes the read time out. */
    private static final int PATIENCE_MILLIS = 15_000;

    private static MemoryTupleStore store;
    private static TestServer server;
    private static int httpPort;
    private static int grpcPort;

    @BeforeAll
    static void start() throws Exception {
        store = new MemoryTupleStore();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of("timeouts-key", "timeouts"),
                "timeouts-secret-0123456789", Duration.ZERO, 64 * 1024, 10, EngineOptions.DEFAULTS, null)
                .withConnections(SHORT), store, new MemoryApiKeys(store));
        httpPort = Integer.parseInt(server.base().substring(server.base().lastIndexOf(':') + 1));
        grpcPort = server.startGrpc();
    }

    @AfterAll
    static void stop() {
        server.close();
        store.close();
    }

    /** Everything the server sends until it closes the connection; fails if it keeps it open. */
    private static String readUntilClosed(Socket socket) throws IOException {
        socket.setSoTimeout(PATIENCE_MILLIS);
        InputStream in = socket.getInputStream();
        StringBuilder got = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                got.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open; it sent: " + got, e);
        } catch (java.net.SocketException reset) {
            // Closed with a reset: closed all the same.
        }
        return got.toString();
    }

    @Test
    void aConnectionThatSendsNothing_isClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", httpPort)) {
            assertThat(readUntilClosed(socket)).isEmpty();
        }
    }

    @Test
    void aConnectionSendingItsHeadersAByteAtATime_isClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", httpPort)) {
            socket.setSoTimeout(50);
            OutputStream out = socket.getOutputStream();
            byte[] headers = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "X-Slow: a\r\n".repeat(10_000))
                    .getBytes(StandardCharsets.US_ASCII);
            boolean closed = false;
            long until = System.nanoTime() + Duration.ofMillis(PATIENCE_MILLIS).toNanos();
            for (int i = 0; i < headers.length && !closed && System.nanoTime() < until; i++) {
                try {
                    out.write(headers[i]);
                    out.flush();
                    closed = socket.getInputStream().read() < 0;
                } catch (SocketTimeoutException stillOpen) {
                    // Nothing to read yet; the connection is open. Send the next byte.
                } catch (IOException reset) {
                    closed = true;
                }
            }
            assertThat(closed).as("the server closed the trickling connection").isTrue();
        }
    }

    @Test
    void aRequestWhoseBodyStopsArriving_isAnswered408AndClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", httpPort)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/permissions/check HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer timeouts-key\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"consistency\"")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String reply = readUntilClosed(socket);

            assertThat(reply).startsWith("HTTP/1.1 408").contains("\"code\":4")
                    .contains("the request body did not arrive within 300 ms");
        }
    }

    @Test
    void aConnectionIdleAfterItsRequest_isClosed_afterAnsweringIt() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", httpPort)) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String reply = readUntilClosed(socket);

            assertThat(reply).startsWith("HTTP/1.1 200").contains("\"status\":\"ok\"");
        }
    }

    @Test
    void aRequestTakingLongerThanTheTimeouts_isAnswered() throws Exception {
        // A Watch is quiet while there is nothing to report; its connection stays open.
        try (Socket socket = new Socket("127.0.0.1", httpPort)) {
            OutputStream out = socket.getOutputStream();
            String body = "{}";
            out.write(("POST /v1/watch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer timeouts-key\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.setSoTimeout(2_000);
            InputStream in = socket.getInputStream();
            StringBuilder got = new StringBuilder();
            long until = System.nanoTime() + Duration.ofMillis(2_000).toNanos();
            boolean closed = false;
            while (System.nanoTime() < until && !closed) {
                try {
                    int b = in.read();
                    closed = b < 0;
                    if (!closed) {
                        got.append((char) b);
                    }
                } catch (SocketTimeoutException quiet) {
                    break;
                }
            }
            assertThat(got.toString()).startsWith("HTTP/1.1 200");
            assertThat(closed).as("the watch's connection was closed while it was quiet").isFalse();
        }
    }

    @Test
    void aGrpcConnectionThatNeverHandshakes_isClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", grpcPort)) {
            assertThat(readUntilClosed(socket)).doesNotContain("PRI");
        }
    }
}
