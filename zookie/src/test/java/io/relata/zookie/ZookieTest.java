package io.relata.zookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.store.GcResult;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.TestClock;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZookieTest {

    private final ZookieCodec codec = new ZookieCodec("0123456789abcdef-secret");

    @Test
    void tokens_roundTrip_andAreOpaque() {
        String token = codec.encode("acme", Revision.of(42));

        assertThat(codec.decode("acme", token)).isEqualTo(Revision.of(42));
        assertThat(token).doesNotContain("acme").doesNotContain("42").matches("[A-Za-z0-9_-]+");
    }

    @Test
    void alteredForgedForeignAndGarbageTokens_areRefusedWithClearMessages() {
        String token = codec.encode("acme", Revision.of(42));
        byte[] bytes = Base64.getUrlDecoder().decode(token);
        bytes[8] ^= 1;
        String altered = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String forged = new ZookieCodec("another-server-secret-0000").encode("acme", Revision.of(42));

        assertThatThrownBy(() -> codec.decode("acme", altered)).isInstanceOf(ZookieException.class)
                .hasMessageContaining("altered");
        assertThatThrownBy(() -> codec.decode("acme", forged)).hasMessageContaining("altered or was not issued");
        assertThatThrownBy(() -> codec.decode("other", token)).hasMessageContaining("another tenant");
        assertThatThrownBy(() -> codec.decode("acme", "not a token!")).hasMessageContaining("not a Relata");
        assertThatThrownBy(() -> codec.decode("acme", "")).hasMessageContaining("empty");
        bytes[0] = 9;
        assertThatThrownBy(() -> codec.decode("acme", Base64.getUrlEncoder().encodeToString(bytes)))
                .hasMessageContaining("version 9");
        assertThatThrownBy(() -> new ZookieCodec("short")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void consistency_resolvesToTheRightRevision() {
        TestClock clock = new TestClock();
        try (TupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS.withClock(clock))) {
            store.createTenant("acme");
            ConsistencyResolver resolver = new ConsistencyResolver(store, codec, Duration.ofSeconds(5), clock);
            clock.advance(Duration.ofSeconds(10));
            Revision first = store.write("acme", List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u1"))));
            clock.advance(Duration.ofSeconds(6));
            Revision second = store.write("acme", List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u2"))));
            String secondToken = resolver.token("acme", second);

            assertThat(resolver.resolve("acme", Consistency.FULLY_CONSISTENT)).isEqualTo(second);
            assertThat(resolver.resolve("acme", Consistency.MINIMIZE_LATENCY)).as("quantized to the window start")
                    .isEqualTo(first);
            assertThat(resolver.resolve("acme", new Consistency.AtLeastAsFresh(secondToken))).isEqualTo(second);
            assertThat(resolver.resolve("acme", new Consistency.AtExactSnapshot(resolver.token("acme", first))))
                    .isEqualTo(first);
            clock.advance(Duration.ofSeconds(5));
            assertThat(resolver.resolve("acme", Consistency.MINIMIZE_LATENCY)).isEqualTo(second);
            assertThat(resolver.resolve("acme", new Consistency.AtLeastAsFresh(resolver.token("acme", first))))
                    .as("fresher than asked is fine").isEqualTo(second);
            assertThatThrownBy(() -> resolver.resolve("acme", new Consistency.AtExactSnapshot(
                    resolver.token("acme", Revision.of(99))))).hasMessageContaining("newer than any");
        }
    }

    @Test
    void minimizeLatency_asksTheStoreOncePerWindow() {
        TestClock clock = new TestClock();
        try (TupleStore memory = new MemoryTupleStore(StoreOptions.DEFAULTS.withClock(clock))) {
            java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
            TupleStore store = (TupleStore) java.lang.reflect.Proxy.newProxyInstance(TupleStore.class.getClassLoader(),
                    new Class<?>[] {TupleStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("revisionAt")) {
                            asked.incrementAndGet();
                        }
                        try {
                            return method.invoke(memory, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            store.createTenant("acme");
            ConsistencyResolver resolver = new ConsistencyResolver(store, codec, Duration.ofSeconds(5), clock);
            clock.advance(Duration.ofSeconds(10));
            Revision first = store.write("acme", List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u1"))));
            clock.advance(Duration.ofSeconds(6));
            for (int i = 0; i < 100; i++) {
                assertThat(resolver.resolve("acme", Consistency.MINIMIZE_LATENCY)).isEqualTo(first);
            }
            assertThat(asked.get()).isEqualTo(1);
            Revision second = store.write("acme", List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u2"))));
            assertThat(resolver.resolve("acme", Consistency.MINIMIZE_LATENCY)).as("the window's revision").isEqualTo(first);
            clock.advance(Duration.ofSeconds(5));
            assertThat(resolver.resolve("acme", Consistency.MINIMIZE_LATENCY)).as("the next window's").isEqualTo(second);
            assertThat(asked.get()).isEqualTo(2);
        }
    }

    @Test
    void tokensOlderThanTheGcWindow_areRefused() {
        TestClock clock = new TestClock();
        try (TupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS.withClock(clock))) {
            store.createTenant("acme");
            ConsistencyResolver resolver = new ConsistencyResolver(store, codec, Duration.ofSeconds(5), clock);
            Revision old = store.write("acme", List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u1"))));
            store.write("acme", List.of(RelationshipUpdate.delete(Relationship.parse("doc:a#viewer@user:u1"))));
            clock.advance(Duration.ofHours(25));
            GcResult gc = store.collectGarbage();

            assertThat(gc.deletedVersions()).isPositive();
            assertThatThrownBy(() -> resolver.resolve("acme", new Consistency.AtExactSnapshot(resolver.token("acme", old))))
                    .isInstanceOf(ZookieException.class).hasMessageContaining("garbage collection window");
            assertThat(resolver.resolve("acme", new Consistency.AtLeastAsFresh(resolver.token("acme", old))))
                    .as("any newer revision will do").isEqualTo(store.headRevision("acme"));
        }
    }

    /** A store that counts the calls of each method by name. */
    private static TupleStore counting(TupleStore memory, java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> calls) {
        return (TupleStore) java.lang.reflect.Proxy.newProxyInstance(TupleStore.class.getClassLoader(),
                new Class<?>[] {TupleStore.class}, (proxy, method, args) -> {
                    calls.computeIfAbsent(method.getName(), k -> new java.util.concurrent.atomic.AtomicInteger())
                            .incrementAndGet();
                    try {
                        return method.invoke(memory, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static int calls(java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> calls, String method) {
        java.util.concurrent.atomic.AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    @Test
    void resolveKnown_givesTheRevisionResolveWould_onlyWhenNoStoreCallIsNeeded() {
        TestClock clock = new TestClock();
        java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> calls = new java.util.concurrent.ConcurrentHashMap<>();
        try (TupleStore memory = new MemoryTupleStore(StoreOptions.DEFAULTS.withClock(clock))) {
            TupleStore store = counting(memory, calls);
            store.createTenant("acme");
            ConsistencyResolver resolver = new ConsistencyResolver(store, codec, Duration.ofSeconds(5), clock);
            clock.advance(Duration.ofSeconds(10));
            Revision first = store.write("acme", List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u1"))));
            clock.advance(Duration.ofSeconds(6));
            Revision second = store.write("acme", List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u2"))));
            String older = resolver.token("acme", first);
            String newer = resolver.token("acme", second);

            assertThat(resolver.resolveKnown("acme", Consistency.MINIMIZE_LATENCY)).as("the window not read yet").isNull();
            assertThat(resolver.resolve("acme", Consistency.MINIMIZE_LATENCY)).isEqualTo(first);
            calls.clear();
            assertThat(resolver.resolveKnown("acme", Consistency.MINIMIZE_LATENCY)).isEqualTo(first);
            assertThat(resolver.resolveKnown("acme", null)).isEqualTo(first);
            assertThat(resolver.resolveKnown("acme", new Consistency.AtLeastAsFresh(older))).isEqualTo(first);
            assertThat(resolver.resolveKnown("acme", new Consistency.AtLeastAsFresh(newer))).as("needs the head").isNull();
            assertThat(resolver.resolveKnown("acme", Consistency.FULLY_CONSISTENT)).isNull();
            assertThat(resolver.resolveKnown("acme", new Consistency.AtExactSnapshot(older))).isNull();
            assertThatThrownBy(() -> resolver.resolveKnown("acme", new Consistency.AtLeastAsFresh("garbage!")))
                    .isInstanceOf(ZookieException.class);
            assertThat(calls).as("no store call").isEmpty();
            clock.advance(Duration.ofSeconds(5));
            assertThat(resolver.resolveKnown("acme", Consistency.MINIMIZE_LATENCY)).as("a new window").isNull();
        }
    }

    @Test
    void atLeastAsFresh_withATokenNoNewerThanTheWindow_doesNotAskForTheHead() {
        TestClock clock = new TestClock();
        java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> calls = new java.util.concurrent.ConcurrentHashMap<>();
        try (TupleStore memory = new MemoryTupleStore(StoreOptions.DEFAULTS.withClock(clock))) {
            TupleStore store = counting(memory, calls);
            store.createTenant("acme");
            ConsistencyResolver resolver = new ConsistencyResolver(store, codec, Duration.ofSeconds(5), clock);
            clock.advance(Duration.ofSeconds(10));
            Revision first = store.write("acme", List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u1"))));
            clock.advance(Duration.ofSeconds(6));
            Revision second = store.write("acme", List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u2"))));
            assertThat(resolver.resolve("acme", Consistency.MINIMIZE_LATENCY)).isEqualTo(first);
            calls.clear();

            assertThat(resolver.resolve("acme", new Consistency.AtLeastAsFresh(resolver.token("acme", first))))
                    .isEqualTo(first);
            assertThat(calls(calls, "headRevision")).isZero();
            assertThat(resolver.resolve("acme", new Consistency.AtLeastAsFresh(resolver.token("acme", second))))
                    .as("newer than the window: its own revision, checked against the head").isEqualTo(second);
            assertThat(calls(calls, "headRevision")).isEqualTo(1);
            assertThatThrownBy(() -> resolver.resolve("acme", new Consistency.AtLeastAsFresh(
                    resolver.token("acme", Revision.of(second.value() + 100))))).hasMessageContaining("newer than any");
        }
    }

    @Test
    void tokens_areEncodedOncePerTenantAndRevision_andStillDecode() {
        try (TupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS)) {
            ConsistencyResolver resolver = new ConsistencyResolver(store, codec, Duration.ofSeconds(5), new TestClock());
            String token = resolver.token("acme", Revision.of(7));

            assertThat(resolver.token("acme", Revision.of(7))).isSameAs(token).isEqualTo(codec.encode("acme", Revision.of(7)));
            assertThat(resolver.token("other", Revision.of(7))).isEqualTo(codec.encode("other", Revision.of(7)));
            assertThat(resolver.token("acme", Revision.of(8))).isEqualTo(codec.encode("acme", Revision.of(8)));
            assertThat(codec.decode("acme", token)).isEqualTo(Revision.of(7));
        }
    }
}
