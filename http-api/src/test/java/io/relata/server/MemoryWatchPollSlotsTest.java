package io.relata.server;

import io.relata.store.ApiKeys;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@link WatchPollSlotsContract} on the memory store, its change-log reads held by a gate. */
class MemoryWatchPollSlotsTest extends WatchPollSlotsContract {

    private volatile CountDownLatch gate = new CountDownLatch(0);
    private TupleStore memory;

    @Override
    protected TupleStore newStore() {
        memory = new MemoryTupleStore(StoreOptions.DEFAULTS);
        return (TupleStore) Proxy.newProxyInstance(TupleStore.class.getClassLoader(), new Class<?>[] {TupleStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("changesSince")) {
                        gate.await(60, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    protected ApiKeys keys(TupleStore store) {
        return new MemoryApiKeys(memory);
    }

    @Override
    protected void hold() {
        gate = new CountDownLatch(1);
    }

    @Override
    protected void release() {
        gate.countDown();
    }
}
