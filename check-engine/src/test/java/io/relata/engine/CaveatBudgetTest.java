package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.schema.CaveatDefinition;
import io.relata.schema.Schema;
import io.relata.schema.SchemaCompiler;
import io.relata.store.ErrorReason;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A caveat's evaluation has a budget of work and stops with its request: an expression that
 * would run for hours is refused with a clear error after a bounded amount of work, and one
 * whose request's deadline has passed, or whose thread is interrupted, stops.
 */
// The timeout only keeps a regression from hanging the build; nothing here measures time.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CaveatBudgetTest {

    private static final Schema SCHEMA = SchemaCompiler.compile("""
            caveat nested(items list<int>) {
                items.all(a, items.all(b, items.all(c, a + b + c >= 0)))
            }
            caveat single(items list<int>) {
                items.all(a, a >= 0)
            }
            """).orThrow();
    private static final CaveatDefinition NESTED = SCHEMA.caveat("nested").orElseThrow();
    private static final CaveatDefinition SINGLE = SCHEMA.caveat("single").orElseThrow();

    private static final List<Long> ITEMS = LongStream.range(0, 2_000).boxed().toList();

    private final CaveatEvaluator evaluator = new CaveatEvaluator();

    @Test
    void threeNestedComprehensionsOverALongList_areStoppedAtTheBudget_withACaveatEvaluationError() {
        // 2,000^3 = 8 billion steps without a budget.
        assertThatThrownBy(() -> evaluator.evaluate(NESTED, Map.of("items", ITEMS), Map.of()))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.reason()).isEqualTo(EngineException.Reason.INVALID_ARGUMENT);
                    assertThat(e.errorInfo().reason()).isEqualTo(ErrorReason.CAVEAT_EVALUATION_ERROR);
                    assertThat(e.errorInfo().metadata()).containsEntry("caveat_name", "nested");
                    assertThat(e.getMessage()).startsWith("caveat `nested` was stopped")
                            .contains(CaveatBudget.MAX_COST + " units of work");
                });
    }

    @Test
    void aComprehensionOverTheSameListOnce_fitsTheBudget() {
        assertThat(evaluator.evaluate(SINGLE, Map.of("items", ITEMS), Map.of())).isEqualTo(Truth.TRUE);
    }

    @Test
    void theMeter_countsExpressionsAndTheSizeOfWhatTheyMake() {
        CaveatBudget budget = new CaveatBudget(Long.MAX_VALUE, Long.MAX_VALUE);
        budget.callback(null, 1L);
        budget.callback(null, ITEMS);
        budget.callback(null, "x".repeat(640));

        assertThat(budget.used()).isEqualTo(1 + (1 + 2_000) + (1 + 10));
    }

    @Test
    void anEvaluationPastItsRequestsDeadline_stopsWithDeadlineExceeded() {
        long passed = System.nanoTime() - 1;

        assertThatThrownBy(() -> evaluator.evaluate(SINGLE, Map.of("items", ITEMS), Map.of(), passed))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.reason()).isEqualTo(EngineException.Reason.DEADLINE_EXCEEDED);
                    assertThat(e.getMessage()).isEqualTo("caveat `single` was stopped: the request ran past its"
                            + " deadline while evaluating it");
                });
    }

    @Test
    void anEvaluationOnAnInterruptedThread_stops() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> evaluator.evaluate(SINGLE, Map.of("items", ITEMS), Map.of()))
                    .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.getMessage())
                            .isEqualTo("caveat `single` was stopped: the request was cancelled"));
        } finally {
            Thread.interrupted();
        }
    }
}
