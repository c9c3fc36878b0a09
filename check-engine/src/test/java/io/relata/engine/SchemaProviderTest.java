package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.Revision;
import io.relata.store.memory.MemoryTupleStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The compiled schemas an engine keeps are bounded by the size of their text, not by their
 * count: a caller who writes the largest schemas over and over does not fill the heap with
 * them, and a version no longer kept is compiled again when asked for.
 */
class SchemaProviderTest {

    /** Characters of each schema: half the largest the API accepts. */
    private static final int CHARS = 1 << 19;
    /** Distinct large schemas written: six times the text kept. */
    private static final int SCHEMAS = 12;
    /** Text kept: two of these schemas (the default, {@link SchemaProvider#MAX_KEPT_CHARS}, holds 16). */
    private static final long KEPT_CHARS = 2L * CHARS;
    /**
     * The heap the store's texts and the compiled schemas may hold after a full collection: the
     * texts take 6 MB, a compiled schema about 9 times its text, so two kept take about 9 MB more,
     * and all twelve would take about 55 MB more.
     */
    private static final long HEAP_BOUND_BYTES = 32L << 20;

    private static String large(int i) {
        String head = "definition user {}\ndefinition big" + i + " {\n  relation viewer: user\n  permission everyone = viewer";
        return head + " + viewer".repeat((CHARS - head.length() - 3) / 9) + "\n}\n";
    }

    @Test
    void largestSchemasWrittenOverAndOver_keptCompiledWithinTheirTextBound_andCompiledAgainWhenAsked() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (MemoryTupleStore store = new MemoryTupleStore()) {
            store.createTenant("big");
            SchemaProvider schemas = new SchemaProvider(store, KEPT_CHARS);
            memory.gc();
            long before = memory.getHeapMemoryUsage().getUsed();
            List<Revision> written = new ArrayList<>();
            for (int i = 0; i < SCHEMAS; i++) {
                Revision r = store.writeSchema("big", large(i));
                written.add(r);
                assertThat(schemas.schemaAt("big", r).definition("big" + i)).isPresent();
            }
            memory.gc();
            long held = memory.getHeapMemoryUsage().getUsed() - before;
            System.out.printf("%d schemas of %d characters compiled: %d MB held after GC, %d characters kept%n",
                    SCHEMAS, CHARS, held >> 20, schemas.keptChars());
            assertThat(schemas.keptChars()).isLessThanOrEqualTo(KEPT_CHARS);
            assertThat(held).as("heap held by the compiled schemas").isLessThan(HEAP_BOUND_BYTES);
            // Every version is still answered, those no longer kept read and compiled again, within the bound.
            for (int i = 0; i < SCHEMAS; i++) {
                assertThat(schemas.schemaAt("big", written.get(i)).definition("big" + i)).isPresent();
            }
            assertThat(schemas.keptChars()).isLessThanOrEqualTo(KEPT_CHARS);
        }
    }
}
