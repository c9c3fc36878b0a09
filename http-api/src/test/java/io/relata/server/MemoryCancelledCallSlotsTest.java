package io.relata.server;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@link CancelledCallSlotsContract} on the memory store, its head-revision reads held by a gate that ignores interrupts. */
class MemoryCancelledCallSlotsTest extends CancelledCallSlotsContract {

    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile java.util.Set<String> gated = java.util.Set.of("headRevision");
    private TupleStore memory;

    @Override
    protected io.relata.store.ApiKeys keys(TupleStore store) {
        return new io.relata.store.memory.MemoryApiKeys(memory);
    }

    @Override
    protected TupleStore newStore() {
        memory = new MemoryTupleStore(StoreOptions.DEFAULTS);
        return (TupleStore) Proxy.newProxyInstance(TupleStore.class.getClassLoader(), new Class<?>[] {TupleStore.class},
                (proxy, method, args) -> {
                    if (gated.contains(method.getName())) {
                        awaitUninterruptibly(gate);
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Waits as a JDBC call does: an interrupt does not end the wait. */
    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (latch.getCount() > 0 && System.nanoTime() < until) {
            try {
                latch.await(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void hold() {
        gated = java.util.Set.of("headRevision");
        gate = new CountDownLatch(1);
    }

    @Override
    protected void holdRelationships() {
        gated = java.util.Set.of("read", "subjectsOf", "resourcesNaming");
        gate = new CountDownLatch(1);
    }

    @Override
    protected void release() {
        gate.countDown();
    }
}
