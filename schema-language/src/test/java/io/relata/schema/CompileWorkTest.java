package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Compiling a schema does work in proportion to its size: a union of 4n terms costs about
 * four times one of n terms, not sixteen. Work is counted as the bytes the compiling thread
 * allocates (the JVM's own count), never as time.
 */
class CompileWorkTest {

    private static String unionOf(int terms, String operator) {
        return "definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view = "
                + IntStream.range(0, terms).mapToObj(i -> "viewer").collect(Collectors.joining(" " + operator + " "))
                + "\n}\n";
    }

    private static long allocatedCompiling(String schema) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Compilation c = SchemaCompiler.compile(schema);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(c.errors()).isEmpty();
        return allocated;
    }

    private static double growth(String operator) {
        String small = unionOf(5_000, operator);
        String large = unionOf(20_000, operator);
        allocatedCompiling(small); // warm up
        return (double) allocatedCompiling(large) / allocatedCompiling(small);
    }

    @Test
    void aUnionFourTimesLonger_costsAboutFourTimesAsMuchToCompile() {
        // Quadratic, it was sixteen times (each `+` copied the terms before it).
        assertThat(growth("+")).isBetween(2.0, 6.0);
    }

    @Test
    void anIntersectionFourTimesLonger_costsAboutFourTimesAsMuchToCompile() {
        assertThat(growth("&")).isBetween(2.0, 6.0);
    }

    @Test
    void mixedOperators_keepTheirMeaning() {
        Rewrite view = SchemaCompiler.compile("definition user {}\ndefinition doc {\n  relation aaa: user\n"
                + "  relation bbb: user\n  relation ccc: user\n  permission view = aaa + bbb & ccc + (aaa + bbb) - ccc + aaa\n}\n")
                .orThrow().definition("doc").orElseThrow().permission("view").orElseThrow().rewrite();

        // `+` before `&` before `-`: ((a + b) & (c + a + b)) - (c + a)
        Rewrite.ComputedUserset a = new Rewrite.ComputedUserset("aaa");
        Rewrite.ComputedUserset b = new Rewrite.ComputedUserset("bbb");
        Rewrite.ComputedUserset c = new Rewrite.ComputedUserset("ccc");
        assertThat(view).isEqualTo(new Rewrite.Exclusion(new Rewrite.Intersection(java.util.List.of(
                new Rewrite.Union(java.util.List.of(a, b)), new Rewrite.Union(java.util.List.of(c, a, b)))),
                new Rewrite.Union(java.util.List.of(c, a))));
    }
}
