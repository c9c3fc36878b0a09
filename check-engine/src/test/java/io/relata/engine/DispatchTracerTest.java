package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.memory.MemoryTupleStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The engine's tracing hook: every dispatch that computes something is opened and ended on the
 * evaluating thread, nested as the evaluation nests (a dispatch asked by another opens inside
 * it), one level deeper each time, with the type and relation but no ids; a cached answer opens
 * none; and the engine's work runs through the executor the tracer gave.
 */
class DispatchTracerTest {

    private static final String SCHEMA = """
            definition user {}
            definition group {
                relation member: user
            }
            definition doc {
                relation viewer: user | group#member
                permission view = viewer
            }
            """;

    /** Records "open type#name depth resources" and "end" on one list, and the tasks run through it. */
    private static final class Recording implements DispatchTracer {
        final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger tasks = new AtomicInteger();
        final ThreadLocal<Integer> open = ThreadLocal.withInitial(() -> 0);
        volatile int deepest;

        @Override
        public Dispatch dispatch(String resourceType, String name, int resources, int depth) {
            events.add("open " + resourceType + "#" + name + " depth " + depth + " of " + resources);
            open.set(open.get() + 1);
            deepest = Math.max(deepest, open.get());
            Thread thread = Thread.currentThread();
            return new Dispatch() {
                @Override
                public void failed(Throwable error) {
                    events.add("failed");
                }

                @Override
                public void end() {
                    assertThat(Thread.currentThread()).as("ended on the thread that opened it").isSameAs(thread);
                    open.set(open.get() - 1);
                    events.add("end");
                }
            };
        }

        @Override
        public Executor propagating(Executor pool) {
            return task -> {
                tasks.incrementAndGet();
                pool.execute(task);
            };
        }
    }

    @Test
    void dispatchesOpenAndEndNestedOnTheEvaluatingThread_andACachedAnswerOpensNone() throws Exception {
        Recording tracer = new Recording();
        try (MemoryTupleStore store = new MemoryTupleStore();
                GraphCheckEngine engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS, tracer)) {
            store.createTenant("t");
            store.writeSchema("t", SCHEMA);
            Revision revision = store.write("t", List.of(
                    RelationshipUpdate.touch(Relationship.parse("doc:secret#viewer@group:eng#member")),
                    RelationshipUpdate.touch(Relationship.parse("group:eng#member@user:alice"))));
            CheckRequest request = CheckRequest.of("doc:secret", "view", "user:alice");

            assertThat(engine.check("t", revision, request).get().permissionship()).isEqualTo(Permissionship.HAS);
            assertThat(tracer.tasks.get()).as("the check ran through the tracer's executor").isEqualTo(1);
            List<String> first = List.copyOf(tracer.events);
            assertThat(first).as("each dispatch opens inside the one that asked it, a level deeper").containsExactly(
                    "open doc#view depth 0 of 1", "open doc#viewer depth 1 of 1", "open group#member depth 2 of 1",
                    "end", "end", "end");
            assertThat(tracer.deepest).isEqualTo(3);
            assertThat(String.join(" ", first)).as("no ids").doesNotContain("secret").doesNotContain("eng")
                    .doesNotContain("alice");

            tracer.events.clear();
            assertThat(engine.check("t", revision, request).get().permissionship()).isEqualTo(Permissionship.HAS);
            assertThat(tracer.events).as("answered from the cache: nothing computed").isEmpty();
        }
    }
}
