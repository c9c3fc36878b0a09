package io.relata.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics}: the Prometheus text, rendered on its own worker thread (a scrape walks
 * every meter, CPU work that must not hold the event loop, and it must not wait behind requests
 * when every request worker is busy), and, with a metrics key, only for a
 * request bearing it (compared in constant time; anything else is UNAUTHENTICATED, HTTP 401).
 */
final class MetricsRoute implements Handler<RoutingContext> {

    private final WorkerExecutor workers;
    private final PrometheusMeterRegistry metrics;
    private final byte[] key;

    /** @param key the bearer key a scrape must bear, or null for none */
    MetricsRoute(WorkerExecutor workers, PrometheusMeterRegistry metrics, String key) {
        this.workers = workers;
        this.metrics = metrics;
        this.key = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (key != null) {
            String presented;
            try {
                presented = Authenticator.bearerKey(ctx.request().getHeader("Authorization"));
            } catch (ApiException e) {
                presented = null;
            }
            if (presented == null || !MessageDigest.isEqual(key, presented.getBytes(StandardCharsets.UTF_8))) {
                HttpHandlers.error(ctx.response(), Errors.status(ApiException.UNAUTHENTICATED,
                        Authenticator.UNAUTHENTICATED));
                return;
            }
        }
        workers.executeBlocking(metrics::scrape, false).onComplete(result -> {
            if (result.succeeded()) {
                ctx.response().putHeader("content-type", "text/plain; version=0.0.4").end(result.result());
            } else {
                HttpHandlers.error(ctx.response(), Errors.of(result.cause()));
            }
        });
    }
}
