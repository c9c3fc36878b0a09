package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.memory.MemoryTupleStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Identical checks in flight at once share one computation, but each caller has a future of
 * its own: a caller that stops waiting (cancels, or times out) ends only its own wait. The
 * store's reads are held at a gate, so the requests overlap for certain.
 */
class InFlightRequestsTest {

    private static final String SCHEMA = """
            definition user {}
            definition doc {
                relation viewer: user
                permission view = viewer
            }
            """;

    private static final CheckRequest ANN_VIEWS_D = CheckRequest.of("doc:d", "view", "user:ann");

    private GatedTupleStore store;
    private GraphCheckEngine engine;
    private Revision revision;

    @BeforeEach
    void start() {
        store = new GatedTupleStore(new MemoryTupleStore());
        // No caches: every computation reads the store, so a new one shows at the gate.
        engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withCacheSize(0).withRelationshipCacheSize(0));
        store.createTenant("t");
        store.writeSchema("t", SCHEMA);
        revision = store.write("t", List.of(RelationshipUpdate.touch(Relationship.parse("doc:d#viewer@user:ann"))));
    }

    @AfterEach
    void stop() {
        store.open();
        engine.close();
        store.close();
    }

    static Stream<Arguments> waysToStopWaiting() {
        return Stream.of(
                Arguments.of(Named.<Consumer<CompletableFuture<CheckResult>>>of("cancel", f -> f.cancel(true))),
                Arguments.of(Named.<Consumer<CompletableFuture<CheckResult>>>of("timeout", f -> {
                    f.orTimeout(1, TimeUnit.MILLISECONDS);
                    assertThat(f).failsWithin(Duration.ofSeconds(5));
                })),
                Arguments.of(Named.<Consumer<CompletableFuture<CheckResult>>>of("completeWithAnotherAnswer",
                        f -> f.complete(CheckResult.NO))));
    }

    @ParameterizedTest
    @MethodSource("waysToStopWaiting")
    void aCallerThatStopsWaiting_leavesTheSharedCheckToTheOthers(Consumer<CompletableFuture<CheckResult>> stop)
            throws Exception {
        store.shut();
        CompletableFuture<CheckResult> first = engine.check("t", revision, ANN_VIEWS_D);
        store.awaitHeldRead();
        CompletableFuture<CheckResult> second = engine.check("t", revision, ANN_VIEWS_D);

        stop.accept(first);
        CompletableFuture<CheckResult> third = engine.check("t", revision, ANN_VIEWS_D);

        assertThat(second).isNotDone();
        assertThat(third).isNotDone();
        store.open();
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(CheckResult.HAS);
        assertThat(third.get(10, TimeUnit.SECONDS)).isEqualTo(CheckResult.HAS);
        // All three shared the one computation that was held.
        assertThat(store.heldReads()).isEqualTo(1);
    }

    @Test
    void aCheckAfterTheSharedOneFinished_computesAnew_evenIfItsCallersHadLeft() throws Exception {
        store.shut();
        CompletableFuture<CheckResult> first = engine.check("t", revision, ANN_VIEWS_D);
        store.awaitHeldRead();
        first.cancel(true);
        store.open();
        // The computation ends, and leaves the in-flight table, before any caller hears of it.
        assertThat(engine.check("t", revision, ANN_VIEWS_D).get(10, TimeUnit.SECONDS)).isEqualTo(CheckResult.HAS);

        store.shut();
        CompletableFuture<CheckResult> later = engine.check("t", revision, ANN_VIEWS_D);
        store.awaitHeldRead();
        store.open();
        assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo(CheckResult.HAS);
    }

    @Test
    void aCheckThatCannotStart_failsEveryCaller_andIsNotLeftInFlight() {
        engine.close();

        for (int i = 0; i < 2; i++) {
            assertThat(engine.check("t", revision, ANN_VIEWS_D)).as("call %d", i).failsWithin(Duration.ofSeconds(5));
        }
    }

    static Stream<Arguments> otherCalls() {
        return Stream.of(
                call("checkBulk", e -> e.engine.checkBulk("t", e.revision, List.of(ANN_VIEWS_D))),
                call("expand", e -> e.engine.expand("t", e.revision, ObjectRef.parse("doc:d"), "view")),
                call("lookupResources", e -> e.engine.lookupResources("t", e.revision, "doc", "view",
                        SubjectRef.parse("user:ann"), Map.of(), null, 0)),
                call("lookupSubjects", e -> e.engine.lookupSubjects("t", e.revision, ObjectRef.parse("doc:d"), "view",
                        "user", null, Map.of())));
    }

    private static Arguments call(String name, java.util.function.Function<InFlightRequestsTest, CompletableFuture<?>> call) {
        return Arguments.of(Named.of(name, call));
    }

    @ParameterizedTest
    @MethodSource("otherCalls")
    void cancellingOneCallOfAnyKind_leavesAnIdenticalCallInFlightAnswering(
            java.util.function.Function<InFlightRequestsTest, CompletableFuture<?>> call) throws Exception {
        Supplier<CompletableFuture<?>> issue = () -> call.apply(this);
        CompletableFuture<?> unanswered = issue.get();
        Object expected = unanswered.get(10, TimeUnit.SECONDS);

        store.shut();
        CompletableFuture<?> first = issue.get();
        store.awaitHeldRead();
        CompletableFuture<?> second = issue.get();
        first.cancel(true);
        store.open();

        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(expected);
        assertThat(issue.get().get(10, TimeUnit.SECONDS)).isEqualTo(expected);
    }
}
