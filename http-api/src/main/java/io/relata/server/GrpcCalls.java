package io.relata.server;

import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs a gRPC call's work on the service layer: authenticates its bearer key, translates the
 * request to the gateway's JSON, calls the same {@link Api} method the HTTP route calls, and
 * translates the answer back (the hottest methods translate protobuf straight to the service
 * layer's values instead, see {@link #unary(StreamObserver, Function, Function)}). The work runs
 * on its own pool, never on gRPC's threads, which only answer what is at hand without waiting
 * (a cached check); a call that is cancelled, or whose deadline passes, interrupts its work.
 */
final class GrpcCalls {

    /** A streaming method of {@link Api}: writes each response line to the sink. */
    interface StreamMethod {
        void run(String tenant, JsonObject request, Api.Sink sink);
    }

    /** A method of {@link Api} that takes a client stream: pulls each request message as it needs it. */
    interface ClientStreamMethod<Q> {
        JsonObject run(String tenant, java.util.Iterator<Q> requests);
    }

    /** Client streams (bulk imports) running at once: each holds a transaction and its tenant's write lock. */
    static final int CLIENT_STREAMS = 4;
    /** The longest a client stream may take in all. */
    private static final long CLIENT_STREAM_MILLIS = 10 * 60_000;
    private final java.util.concurrent.Semaphore clientStreams = new java.util.concurrent.Semaphore(CLIENT_STREAMS);

    /** How long a client stream may send nothing before the call is abandoned. */
    private static final long IDLE_CLIENT_MILLIS = 60_000;

    private final ExecutorService work;
    private final Access access;
    private final Streams streams;
    private final RequestQueue queue;

    /**
     * @param work the workers of unary calls and client streams, {@code workers} of them
     * @param api  gives the stream threads and the request queue
     */
    GrpcCalls(ExecutorService work, int workers, Access access, Api api) {
        this.work = work;
        this.access = access;
        this.streams = api.streams();
        this.queue = api.queue(workers);
    }

    /**
     * The tenant of the calling key, allowed the call's operation on {@code request} (blocking;
     * refuses an unknown key, then a key without the scope or resource types, see {@link Access}).
     */
    String tenant(java.util.function.Supplier<JsonObject> request) {
        Audit.caller(null);
        Caller caller = access.caller(BearerKeys.KEY.get());
        Audit.caller(caller);
        access.require(caller, BearerKeys.OPERATION.get(), request);
        return caller.tenant();
    }

    /**
     * A unary call translated by the caller straight to the service layer's values: first
     * {@code cached} (null for a method that has no cached answer) on gRPC's own thread, when the
     * key's tenant is known without the datastore;
     * it must never block, and gives null to leave the call to {@code method} on the work pool
     * (as does any error it meets: {@code method} then reports the error the call gets anyway).
     */
    <R extends Message> void unary(Message request, StreamObserver<R> out, Function<String, R> cached,
            Function<String, R> method) {
        ServerCallStreamObserver<R> call = (ServerCallStreamObserver<R>) out;
        Caller known = cached == null ? null : access.knownCaller(BearerKeys.KEY.get());
        // Translated to JSON once, and only where a key's limits need the request.
        java.util.function.Supplier<JsonObject> json = once(() -> ProtoJson.toJson(request));
        if (known != null) {
            R answer;
            try {
                Audit.caller(known);
                // A refusal is left to the work pool, which reports (and counts) it. A cached answer is never
                // a traced check's (ProtoChecks.cachedCheck), so only a type-limited key needs the request here.
                answer = access.permits(known, BearerKeys.OPERATION.get(), known.access().allTypes() ? JsonObject::new
                        : json) ? cached.apply(known.tenant()) : null;
            } catch (RuntimeException e) {
                answer = null;
            }
            if (answer != null) {
                call.onNext(answer);
                call.onCompleted();
                return;
            }
        }
        submit(call, () -> {
            call.onNext(method.apply(tenant(json)));
            call.onCompleted();
        });
    }

    /** {@code supplier}'s value, computed on first use only. */
    private static java.util.function.Supplier<JsonObject> once(java.util.function.Supplier<JsonObject> supplier) {
        JsonObject[] value = new JsonObject[1];
        return () -> {
            if (value[0] == null) {
                value[0] = supplier.get();
            }
            return value[0];
        };
    }

    <Q extends Message, R extends Message> void unary(Q request, StreamObserver<R> out, R prototype,
            BiFunction<String, JsonObject, JsonObject> method) {
        ServerCallStreamObserver<R> call = (ServerCallStreamObserver<R>) out;
        submit(call, () -> {
            JsonObject json = ProtoJson.toJson(request);
            R response = ProtoJson.fromJson(method.apply(tenant(() -> json), json), prototype);
            call.onNext(response);
            call.onCompleted();
        });
    }

    /**
     * A server stream, run on a stream thread ({@link Streams}) in one of the tenant's stream
     * slots, never on the workers of unary calls: each line the method writes is sent as it is
     * found; when the client reads slower than lines come, the work waits for it (so lines do not
     * pile up in memory), and ends the call with ABORTED when the client goes away or does not
     * read for the stall timeout.
     */
    <Q extends Message, R extends Message> void stream(Q request, StreamObserver<R> out, R prototype,
            StreamMethod method) {
        ServerCallStreamObserver<R> call = (ServerCallStreamObserver<R>) out;
        Object ready = new Object();
        call.setOnReadyHandler(() -> {
            synchronized (ready) {
                ready.notifyAll();
            }
        });
        run(streams.executor(), call, () -> {
            java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();
            JsonObject json = ProtoJson.toJson(request);
            String tenant = tenant(() -> json);
            try (Streams.Slot slot = streams.open(tenant)) {
                method.run(tenant, json, line -> {
                    if (call.isCancelled()) {
                        return false;
                    }
                    call.onNext(ProtoJson.fromJson(line, prototype));
                    if (!awaitReady(call, ready, streams.stallMillis())) {
                        stalled.set(!call.isCancelled());
                        return false;
                    }
                    return true;
                });
            }
            if (stalled.get()) {
                // Never a clean end: the client would take the stream for complete.
                call.onError(GrpcErrors.of(streams.stalled()));
            } else if (!call.isCancelled()) {
                call.onCompleted();
            }
        }, null);
    }

    /**
     * A client stream: the method pulls each message as it needs it, and only then is the
     * client asked for the next (gRPC flow control), so a fast sender is held back rather
     * than buffered. The client cancelling, or sending nothing for a minute, fails the pull
     * and so the method's work (an import then writes nothing). The method gets the messages
     * as they came (an import decodes them itself, with no JSON in between).
     */
    <Q extends Message, R extends Message> StreamObserver<Q> clientStream(StreamObserver<R> out, R prototype,
            ClientStreamMethod<Q> method) {
        ServerCallStreamObserver<R> call = (ServerCallStreamObserver<R>) out;
        call.disableAutoRequest();
        if (!clientStreams.tryAcquire()) {
            call.onError(GrpcErrors.of(Errors.status(8, "at most " + CLIENT_STREAMS + " bulk imports run at once;"
                    + " retry when one has finished")));
            return new StreamObserver<>() {
                @Override
                public void onNext(Q message) {}

                @Override
                public void onError(Throwable failure) {}

                @Override
                public void onCompleted() {}
            };
        }
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLIENT_STREAM_MILLIS);
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean(true);
        Runnable release = () -> {
            if (held.getAndSet(false)) {
                clientStreams.release();
            }
        };
        java.util.concurrent.BlockingQueue<Object> arrived = new java.util.concurrent.LinkedBlockingQueue<>();
        Object end = new Object();
        java.util.Iterator<Q> requests = new java.util.Iterator<>() {
            private Object next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    if (System.nanoTime() > until) {
                        throw new ApiException(4, "a bulk import may take at most " + CLIENT_STREAM_MILLIS / 60_000
                                + " minutes; this one is abandoned and nothing of it is written; import in parts");
                    }
                    try {
                        next = arrived.poll(IDLE_CLIENT_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ApiException(1, "the call was cancelled");
                    }
                    if (next == null) {
                        throw new ApiException(10, "the client sent nothing for " + IDLE_CLIENT_MILLIS / 1000
                                + " s; the stream is abandoned and nothing of it is written");
                    }
                }
                if (next instanceof Throwable failure) {
                    throw new ApiException(1, "the client ended the stream with an error: " + failure.getMessage());
                }
                return next != end;
            }

            @Override
            @SuppressWarnings("unchecked")
            public Q next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                Q message = (Q) next;
                next = null;
                call.request(1);
                return message;
            }
        };
        // The slot is the work's: released when the work ends, or, when the call ends before the work
        // started, by whichever of the two gets here first (the work then never runs the import).
        java.util.concurrent.atomic.AtomicBoolean abandoned = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        boolean submitted = submit(call, () -> {
            synchronized (started) {
                if (abandoned.get()) {
                    return;
                }
                started.set(true);
            }
            try {
                // The stream names no types before its messages come: it is checked as an empty request.
                R response = ProtoJson.fromJson(method.run(tenant(JsonObject::new), requests), prototype);
                call.onNext(response);
                call.onCompleted();
            } finally {
                release.run();
            }
        });
        if (!submitted) {
            release.run();
        }
        call.request(1);
        return new StreamObserver<>() {
            @Override
            public void onNext(Q message) {
                arrived.add(message);
            }

            @Override
            public void onError(Throwable failure) {
                // Also how a cancelled call ends, even one whose work never started. Work still
                // running (in the import, holding the tenant's write lock and a connection) keeps
                // its slot until it ends.
                arrived.add(failure);
                synchronized (started) {
                    if (!started.get()) {
                        abandoned.set(true);
                        release.run();
                    }
                }
            }

            @Override
            public void onCompleted() {
                arrived.add(end);
            }
        };
    }

    static boolean awaitReady(ServerCallStreamObserver<?> call, Object ready, long stallMillis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(stallMillis);
        synchronized (ready) {
            while (!call.isReady() && !call.isCancelled()) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    ready.wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !call.isCancelled();
    }

    /** {@link RequestQueue#tryEnter} for {@code key}: a place for work that can wait its turn. */
    boolean tryEnter(String key) {
        return queue.tryEnter(key);
    }

    /** Gives back what {@link #tryEnter} took. */
    void leave(String key) {
        queue.leave(key);
    }

    /** A submitted task's states: waiting for a worker, running, or cancelled before it ran. */
    private static final int WAITING = 0;
    private static final int RUNNING = 1;
    private static final int ABANDONED = 2;

    /**
     * Runs {@code task} for {@code call} on the work pool once the bounded queue admits it
     * ({@link RequestQueue}); its failure becomes the call's status; false when it was refused.
     * The queue's and the key's slots are held until the task ends, also when the call is cancelled
     * while it runs (a client cancelling in a loop cannot run more than the limits allow).
     */
    boolean submit(ServerCallStreamObserver<?> call, Runnable task) {
        String key = BearerKeys.KEY.get();
        try {
            queue.enter(key);
        } catch (ApiException full) {
            call.onError(GrpcErrors.of(full));
            return false;
        }
        // The slots are the work's until it ends, cancelled or not: a cancel only interrupts it, and
        // work that does not stop at once (a JDBC read) still holds its connection and its worker. The
        // slots go back at the cancel only when the work never started (and then never will).
        java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger(WAITING);
        boolean submitted = run(work, call, () -> {
            if (!state.compareAndSet(WAITING, RUNNING)) {
                return;
            }
            WorkInFlight.open();
            try {
                task.run();
            } finally {
                // Engine work an interrupt left running keeps the slots until it ends.
                WorkInFlight.close(() -> queue.leave(key));
            }
        }, () -> {
            if (state.compareAndSet(WAITING, ABANDONED)) {
                queue.leave(key);
            }
        });
        if (!submitted) {
            queue.leave(key);
        }
        return submitted;
    }

    /**
     * Runs {@code task} for {@code call} on {@code executor}; its failure becomes the call's status.
     * {@code cancelled} (when not null) runs too when the call is cancelled, whether or not the
     * task had started; false when the executor refused the task.
     */
    private boolean run(ExecutorService executor, ServerCallStreamObserver<?> call, Runnable task, Runnable cancelled) {
        Context context = Context.current();
        Future<?> running;
        try {
            running = executor.submit(context.wrap(Tracing.propagating(() -> {
                try {
                    task.run();
                } catch (Throwable failure) {
                    if (!call.isCancelled()) {
                        call.onError(GrpcErrors.of(failure));
                    }
                }
            })));
        } catch (RejectedExecutionException full) {
            call.onError(GrpcErrors.of(executor.isShutdown() ? Errors.status(14, "the server is stopping")
                    : Errors.status(8, full.getMessage() + "; retry shortly")));
            return false;
        }
        // Cancelled by the client, or its deadline passed: stop the work.
        call.setOnCancelHandler(() -> {
            running.cancel(true);
            if (cancelled != null) {
                cancelled.run();
            }
        });
        return true;
    }
}
