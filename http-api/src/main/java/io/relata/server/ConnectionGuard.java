package io.relata.server;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes HTTP connections that keep the server waiting ({@link ConnectionLimits}): a new
 * connection that has not sent a request's headers within the header timeout (a silent
 * connection, or one that sends its headers a byte at a time), a connection with no request
 * in flight for the idle timeout, and a request whose body has not fully arrived within the
 * body timeout (answered 408 first). A request in flight is never cut for being quiet: a
 * Watch with nothing to report, or a long check, keeps its connection.
 *
 * <p>Vert.x's own idle timeout is not used because it counts a quiet response (a Watch) as
 * idle. Everything here runs on the connection's event loop.
 */
final class ConnectionGuard {

    private final Vertx vertx;
    private final ConnectionLimits limits;
    private final Set<String> streamedBodies;
    private final Map<HttpConnection, State> states = new ConcurrentHashMap<>();

    /** What is known of one connection; touched only on its event loop. */
    private static final class State {
        int inFlight;
        long waitTimer = -1;
    }

    /**
     * @param streamedBodies paths whose bodies are read as they come (bulk imports), for which
     *                       the body timeout does not hold
     */
    ConnectionGuard(Vertx vertx, ConnectionLimits limits, Set<String> streamedBodies) {
        this.vertx = vertx;
        this.limits = limits;
        this.streamedBodies = Set.copyOf(streamedBodies);
    }

    /** Guards every connection of {@code server}, whose requests go through {@code next}. */
    void guard(HttpServer server, Handler<HttpServerRequest> next) {
        server.connectionHandler(this::opened);
        server.requestHandler(request -> {
            started(request);
            next.handle(request);
        });
    }

    /** Connections open now (for tests and metrics). */
    int open() {
        return states.size();
    }

    private void opened(HttpConnection connection) {
        State state = new State();
        states.put(connection, state);
        connection.closeHandler(v -> {
            State closed = states.remove(connection);
            if (closed != null) {
                cancelWait(closed);
            }
        });
        awaitRequest(connection, state, limits.headerTimeout().toMillis());
    }

    private void started(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        State state = connection == null ? null : states.get(connection);
        if (state == null) {
            return;
        }
        cancelWait(state);
        state.inFlight++;
        long bodyTimer = streamedBodies.contains(request.path()) ? -1
                : vertx.setTimer(limits.bodyTimeout().toMillis(), id -> {
                    if (!request.isEnded() && !request.response().headWritten()) {
                        HttpHandlers.error(request.response(), new Errors.Status(4, "the request body did not arrive"
                                + " within " + limits.bodyTimeout().toMillis() + " ms", 408));
                        connection.close();
                    }
                });
        request.response().endHandler(v -> {
            vertx.cancelTimer(bodyTimer);
            if (--state.inFlight == 0 && states.containsKey(connection)) {
                awaitRequest(connection, state, limits.idleTimeout().toMillis());
            }
        });
    }

    /** Closes {@code connection} unless a request starts on it within {@code millis}. */
    private void awaitRequest(HttpConnection connection, State state, long millis) {
        state.waitTimer = vertx.setTimer(millis, id -> {
            if (state.inFlight == 0) {
                connection.close();
            }
        });
    }

    private void cancelWait(State state) {
        if (state.waitTimer >= 0) {
            vertx.cancelTimer(state.waitTimer);
            state.waitTimer = -1;
        }
    }
}
