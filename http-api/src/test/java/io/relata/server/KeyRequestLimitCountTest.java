package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyRequestLimit}'s count: a key gets its limit of slots and no more, a slot given back
 * can be taken again, other keys are counted apart, every refusal is counted, and a key with
 * nothing in flight leaves no entry behind, also after many threads entered and left at once.
 */
class KeyRequestLimitCountTest {

    @Test
    void aKeyGetsItsLimit_andSlotsComeBack_andIdleKeysLeaveNoEntry() {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        KeyRequestLimit limit = new KeyRequestLimit(2, metrics);
        limit.enter("a");
        limit.enter("a");
        assertThatThrownBy(() -> limit.enter("a")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code).isEqualTo(ApiException.RESOURCE_EXHAUSTED));
        limit.enter("b");
        limit.leave("a");
        limit.enter("a");
        assertThat(metrics.get("relata.requests.refused").tag("reason", "key_limit").counter().count()).isEqualTo(1.0);
        limit.leave("a");
        limit.leave("a");
        limit.leave("b");
        assertThat(limit.keysInFlight()).isZero();
        limit.enter(null);
        limit.leave(null);
        assertThat(limit.keysInFlight()).isZero();
    }

    @Test
    void threadsEnteringAndLeavingAtOnce_neverExceedTheLimit_andLeaveNoEntry() throws Exception {
        KeyRequestLimit limit = new KeyRequestLimit(3, new SimpleMeterRegistry());
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 20_000; i++) {
                    try {
                        limit.enter("k");
                    } catch (ApiException refused) {
                        continue;
                    }
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    inside.decrementAndGet();
                    limit.leave("k");
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(most.get()).isBetween(1, 3);
        assertThat(limit.keysInFlight()).isZero();
    }
}
