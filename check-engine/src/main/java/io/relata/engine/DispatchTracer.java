package io.relata.engine;

import java.util.concurrent.Executor;

/**
 * What the engine tells a tracer: each dispatch (one sub-problem, {@code type#name} for a batch
 * of resource ids) as it runs, and the pool its requests run on, so that the work a request hands
 * to the pool stays in the request's trace. The engine holds none when tracing is off and then
 * does nothing more than test for it; an implementation lives with the server
 * ({@code OtelDispatchTracer}), so the engine depends on no tracing library.
 */
public interface DispatchTracer {

    /**
     * Opens the span of one dispatch on the calling thread; it is the thread's current span (the
     * parent of the store queries and dispatches made inside it) until {@link Dispatch#end} is
     * called on the same thread. Carries no resource ids or subject, only their shape.
     *
     * @param resourceType the type of the resources asked about
     * @param name         the relation or permission asked for
     * @param resources    how many resources of the batch are computed (not found in a cache)
     * @param depth        how deep in the check this dispatch is (0: the request's own question)
     */
    Dispatch dispatch(String resourceType, String name, int resources, int depth);

    /**
     * The executor to run the engine's work on: runs each task on {@code pool} in the trace that
     * was current when it was handed over.
     */
    Executor propagating(Executor pool);

    /** An open dispatch span. */
    interface Dispatch {

        /** Marks the dispatch failed with {@code error} (before {@link #end}). */
        void failed(Throwable error);

        /** Ends the span and restores the span that was current before it. */
        void end();
    }
}
