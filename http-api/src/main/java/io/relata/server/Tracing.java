package io.relata.server;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.relata.engine.DispatchTracer;
import io.relata.store.TupleStore;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The server's traces: spans for each request (HTTP and gRPC), the engine's dispatches and the
 * store's queries, exported over OTLP/HTTP (protobuf) to one endpoint, or none at all. {@link #OFF}
 * makes no tracer: the server then wires no tracing decorator, handler or interceptor, the engine
 * gets no {@link DispatchTracer}, and the only trace of tracing left on a request's path is a test
 * that the current context is the root one ({@link #propagating}, {@link #tenant}), which
 * allocates nothing.
 *
 * <p>Spans are kept in batches (a {@link BatchSpanProcessor}: at most 2,048 queued, sent every
 * second; beyond the queue spans are dropped, never a request slowed) and sent on its own thread.
 * The SDK is this server's own, not the global one.
 */
final class Tracing implements AutoCloseable {

    /** No traces. */
    static final Tracing OFF = new Tracing(null, null);

    /** The tenant a request runs for (its name, never its key). */
    static final AttributeKey<String> TENANT = AttributeKey.stringKey("relata.tenant");

    private static final TextMapPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    private Tracing(SdkTracerProvider provider, Tracer tracer) {
        this.provider = provider;
        this.tracer = tracer;
    }

    /**
     * Traces exported to {@code endpoint}, an OTLP/HTTP collector's base address
     * ({@code http://host:4318}; {@code /v1/traces} is added unless the path already names it),
     * as the service {@code serviceName}.
     *
     * @throws IllegalArgumentException when the endpoint is not an http(s) URL or the name is blank
     */
    static Tracing exportingTo(String endpoint, String serviceName) {
        Objects.requireNonNull(endpoint, "endpoint");
        URI uri;
        try {
            uri = URI.create(endpoint.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the OTLP endpoint `" + endpoint + "` is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("the OTLP endpoint must be an http:// or https:// URL such as"
                    + " http://localhost:4318 (OTLP over HTTP), got `" + endpoint + "`");
        }
        if (serviceName == null || serviceName.isBlank()) {
            throw new IllegalArgumentException("the service name of traces must not be blank");
        }
        String base = uri.toString();
        String traces = uri.getPath() != null && uri.getPath().endsWith("/v1/traces") ? base
                : base.replaceAll("/+$", "") + "/v1/traces";
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(traces)
                .setTimeout(Duration.ofSeconds(10)).build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), serviceName.strip()))))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofSeconds(1))
                        .setMaxQueueSize(2_048).build())
                .build();
        return new Tracing(provider, provider.get("io.relata.server"));
    }

    /** Whether spans are made. */
    boolean on() {
        return tracer != null;
    }

    /** The tracer; only when {@link #on()}. */
    Tracer tracer() {
        if (tracer == null) {
            throw new IllegalStateException("tracing is off");
        }
        return tracer;
    }

    /** W3C trace context ({@code traceparent}, {@code tracestate}): how a caller's trace is read. */
    static TextMapPropagator propagator() {
        return PROPAGATOR;
    }

    /** {@code store} with a span per query when on; {@code store} itself when off. */
    TupleStore traced(TupleStore store, String system) {
        return on() ? new TracingTupleStore(store, tracer, system) : store;
    }

    /** The engine's tracer when on; null (the engine then traces nothing) when off. */
    DispatchTracer dispatches() {
        return on() ? new OtelDispatchTracer(tracer) : null;
    }

    /**
     * {@code work} running in the trace current now, when there is one; {@code work} itself
     * otherwise (always when tracing is off: the current context is then the root).
     */
    static <T> Callable<T> propagating(Callable<T> work) {
        Context current = Context.current();
        return current == Context.root() ? work : current.wrap(work);
    }

    /** {@link #propagating(Callable)} for a task. */
    static Runnable propagating(Runnable work) {
        Context current = Context.current();
        return current == Context.root() ? work : current.wrap(work);
    }

    /** Names the current request span's tenant; nothing when there is no span (tracing off). */
    static void tenant(String tenant) {
        Span span = Span.current();
        if (span.getSpanContext().isValid()) {
            span.setAttribute(TENANT, tenant);
        }
    }

    /** Sends the spans ended so far, waiting up to {@code timeout}; true when they were sent. */
    boolean flush(Duration timeout) {
        return provider == null || provider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
    }

    /** Sends what is left (up to 5 s) and stops exporting. */
    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(5, TimeUnit.SECONDS);
        }
    }
}
