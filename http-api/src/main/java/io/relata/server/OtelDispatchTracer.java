package io.relata.server;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.relata.engine.DispatchTracer;
import java.util.concurrent.Executor;

/**
 * The engine's dispatches as OpenTelemetry spans ({@code check.dispatch}, internal), children of
 * whatever span is current (the request's, or the dispatch that asked): the relation or permission
 * and the type asked about, how many resources and how deep, never ids or subjects.
 */
final class OtelDispatchTracer implements DispatchTracer {

    static final String SPAN_NAME = "check.dispatch";
    static final AttributeKey<String> TYPE = AttributeKey.stringKey("relata.dispatch.resource_type");
    static final AttributeKey<String> NAME = AttributeKey.stringKey("relata.dispatch.relation");
    static final AttributeKey<Long> RESOURCES = AttributeKey.longKey("relata.dispatch.resources");
    static final AttributeKey<Long> DEPTH = AttributeKey.longKey("relata.dispatch.depth");

    private final Tracer tracer;

    OtelDispatchTracer(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public Dispatch dispatch(String resourceType, String name, int resources, int depth) {
        Span span = tracer.spanBuilder(SPAN_NAME).setAttribute(TYPE, resourceType).setAttribute(NAME, name)
                .setAttribute(RESOURCES, (long) resources).setAttribute(DEPTH, (long) depth).startSpan();
        Scope scope = span.makeCurrent();
        return new Dispatch() {
            @Override
            public void failed(Throwable error) {
                span.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
            }

            @Override
            public void end() {
                scope.close();
                span.end();
            }
        };
    }

    @Override
    public Executor propagating(Executor pool) {
        return Context.taskWrapping(pool);
    }
}
