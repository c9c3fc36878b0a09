package io.relata.server;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * A server span for each HTTP request, in the caller's trace when it sends a W3C
 * {@code traceparent}: method, route and status, the tenant once known; and the request's access
 * log line (logger {@code relata.access}) with its trace id, written off the event loop
 * ({@link AccessLogWriter}). Registered only when tracing is on;
 * health probes and metric scrapes ({@code GET /healthz}, {@code /readyz}, {@code /metrics}) are
 * not traced.
 *
 * <p>The span is the current one while the route's handlers run on the event loop (so the
 * authenticator names the tenant on it), and {@link Tracing#propagating} carries it to the
 * worker that does the request's work, and from there into the engine and the store.
 */
final class HttpTracing implements Handler<RoutingContext> {

    private static final String CONTEXT = "relata.trace.context";
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private static final TextMapGetter<HttpServerRequest> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpServerRequest request) {
            return request.headers().names();
        }

        @Override
        public String get(HttpServerRequest request, String key) {
            return request == null ? null : request.getHeader(key);
        }
    };

    private final Tracer tracer;

    private HttpTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /**
     * Registers the request spans on {@code router}: call it first, before any route, and
     * {@link #afterBodies} after the body handlers. Does nothing when tracing is off.
     */
    static HttpTracing register(Router router, Tracing tracing) {
        if (!tracing.on()) {
            return null;
        }
        HttpTracing handler = new HttpTracing(tracing.tracer());
        router.route().handler(handler);
        return handler;
    }

    /**
     * Makes the request's span current again for the routes after the body handlers (which
     * read the body asynchronously, so the routes after them run outside the first scope).
     */
    static void afterBodies(Router router, HttpTracing handler) {
        if (handler != null) {
            router.route().handler(handler);
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        Context context = ctx.get(CONTEXT);
        if (context == null) {
            if (probe(ctx.request())) {
                ctx.next();
                return;
            }
            context = start(ctx);
        }
        try (Scope ignored = context.makeCurrent()) {
            ctx.next();
        }
    }

    /** Health probes and metric scrapes, which come every few seconds: not traced. */
    private static boolean probe(HttpServerRequest request) {
        String path = request.path();
        return request.method() == io.vertx.core.http.HttpMethod.GET
                && (path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics"));
    }

    private Context start(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Context parent = Tracing.propagator().extract(Context.root(), request, HEADERS);
        String method = request.method().name();
        String path = request.path();
        Span span = tracer.spanBuilder(method + " " + path).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(METHOD, method).startSpan();
        Context context = parent.with(span);
        ctx.put(CONTEXT, context);
        long started = System.nanoTime();
        ctx.addEndHandler(done -> {
            int status = ctx.response().getStatusCode();
            if (status == 404) {
                span.updateName(method); // no route: the path is the caller's, not a span name
            } else {
                span.setAttribute(ROUTE, path);
            }
            span.setAttribute(STATUS, (long) status);
            if (status >= 500 || done.failed()) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
            accessLog(method + " " + (status == 404 ? "-" : path), Integer.toString(status), started, span);
        });
        return context;
    }

    /**
     * One access log line: what was asked, its outcome, its time, its tenant and its trace. Only
     * its values are taken here (on the event loop or a gRPC thread); {@link AccessLogWriter}
     * writes it on its own thread.
     */
    static void accessLog(String what, String outcome, long startedNanos, Span span) {
        if (!AccessLog.LOG.isInfoEnabled()) {
            return;
        }
        SpanContext trace = span.getSpanContext();
        String tenant = span instanceof ReadableSpan readable ? readable.getAttribute(Tracing.TENANT) : null;
        AccessLogWriter.shared().offer(new AccessLogWriter.Line(what, outcome,
                TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startedNanos) / 1000.0,
                tenant == null ? "-" : tenant, trace.getTraceId(), trace.getSpanId()));
    }

    /** The access log: one line per request while tracing is on. */
    static final class AccessLog {
        static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("relata.access");

        private AccessLog() {}
    }
}
