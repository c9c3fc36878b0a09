package io.relata.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A server span for each gRPC call, in the caller's trace when its metadata carries a W3C
 * {@code traceparent}: {@code rpc.service}, {@code rpc.method}, the status code and the tenant
 * once known; and the call's access log line with its trace id. The span is current while gRPC
 * runs the call's listener (where a cached check is answered) and {@link Tracing#propagating}
 * carries it to the work pool ({@link GrpcCalls#submit}). Installed only when tracing is on; the
 * standard health service's calls are not traced.
 */
final class GrpcTracing implements ServerInterceptor {

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("rpc.system");
    static final AttributeKey<String> SERVICE = AttributeKey.stringKey("rpc.service");
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("rpc.method");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("rpc.grpc.status_code");

    private static final TextMapGetter<Metadata> METADATA = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata metadata) {
            return metadata.keys();
        }

        @Override
        public String get(Metadata metadata, String key) {
            if (metadata == null || key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                return null;
            }
            return metadata.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        }
    };

    private final Tracer tracer;

    GrpcTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** The interceptor when tracing is on, else null. */
    static ServerInterceptor of(Tracing tracing) {
        return tracing.on() ? new GrpcTracing(tracing.tracer()) : null;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String fullName = call.getMethodDescriptor().getFullMethodName();
        String service = call.getMethodDescriptor().getServiceName();
        if (service != null && service.startsWith("grpc.health.")) {
            return next.startCall(call, headers); // health probes come every few seconds: not traced
        }
        String method = call.getMethodDescriptor().getBareMethodName();
        Context parent = Tracing.propagator().extract(Context.root(), headers, METADATA);
        Span span = tracer.spanBuilder(fullName).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(SYSTEM, "grpc").setAttribute(SERVICE, service).setAttribute(METHOD, method).startSpan();
        Context context = parent.with(span);
        long started = System.nanoTime();
        AtomicBoolean ended = new AtomicBoolean();
        java.util.function.Consumer<String> end = outcome -> {
            if (ended.compareAndSet(false, true)) {
                HttpTracing.accessLog("grpc " + fullName, outcome, started, span);
                span.end();
            }
        };
        ServerCall<Q, R> traced = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                span.setAttribute(STATUS, (long) status.getCode().value());
                if (!status.isOk()) {
                    span.setStatus(StatusCode.ERROR, status.getCode().name());
                }
                end.accept(status.getCode().name());
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> listener;
        try (Scope ignored = context.makeCurrent()) {
            listener = next.startCall(traced, headers);
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                try (Scope ignored = context.makeCurrent()) {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onCancel() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onCancel();
                } finally {
                    if (!ended.get()) {
                        span.setStatus(StatusCode.ERROR, "CANCELLED");
                    }
                    end.accept("CANCELLED");
                }
            }

            @Override
            public void onComplete() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onComplete();
                }
            }

            @Override
            public void onReady() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onReady();
                }
            }
        };
    }
}
