package io.relata.benchmarks.jmh;

import io.relata.benchmarks.DeepChainBenchmark;
import io.relata.benchmarks.GitLabDataSet;
import io.relata.engine.CheckRequest;
import io.relata.engine.CheckResult;
import io.relata.engine.EngineOptions;
import io.relata.engine.GraphCheckEngine;
import io.relata.schema.Compilation;
import io.relata.schema.SchemaCompiler;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import io.relata.store.memory.MemoryTupleStore;
import io.relata.zookie.ZookieCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Micro benchmarks of the parts a check goes through: the schema compiler, a cached check,
 * an uncached check 20 levels deep on the memory store, and the consistency-token codec.
 *
 * <pre>
 * benchmarks/run-jmh.sh
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MicroBenchmarks {

    /** The GitLab example schema. */
    @State(Scope.Benchmark)
    public static class SchemaText {
        String text;

        @Setup
        public void setUp() {
            text = GitLabDataSet.schema();
        }
    }

    /** Parses, validates and compiles {@code examples/gitlab/gitlab.zed} . */
    @Benchmark
    public Compilation compileGitLabSchema(SchemaText schema) {
        Compilation c = SchemaCompiler.compile(schema.text);
        if (!c.ok()) {
            throw new IllegalStateException(c.errors().toString());
        }
        return c;
    }

    /** A chain of 20 groups nested by {@code parent} (the deep-chain schema), a project at the bottom. */
    @State(Scope.Benchmark)
    public static class DeepChain {

        MemoryTupleStore store;
        GraphCheckEngine cached;
        GraphCheckEngine uncached;
        Revision revision;
        CheckRequest has = CheckRequest.of("project:deep", "read", "user:top");
        CheckRequest no = CheckRequest.of("project:deep", "read", "user:stranger");

        @Setup
        public void setUp() {
            store = new MemoryTupleStore();
            store.createTenant("t");
            store.writeSchema("t", DeepChainBenchmark.SCHEMA);
            List<Relationship> rows = new ArrayList<>();
            for (int level = 1; level < 20; level++) {
                rows.add(Relationship.parse("group:g" + level + "#parent@group:g" + (level - 1)));
                rows.add(Relationship.parse("group:g" + level + "#member@user:m" + level));
            }
            rows.add(Relationship.parse("group:g0#member@user:top"));
            rows.add(Relationship.parse("project:deep#namespace@group:g19"));
            store.bulkImport("t", rows.iterator());
            revision = store.headRevision("t");
            cached = new GraphCheckEngine(store, EngineOptions.DEFAULTS);
            uncached = new GraphCheckEngine(store,
                    EngineOptions.DEFAULTS.withCacheSize(0).withRelationshipCacheSize(0));
            cached.checkNow("t", revision, has);
        }

        @TearDown
        public void tearDown() {
            cached.close();
            uncached.close();
            store.close();
        }
    }

    /** The same HAS check again: answered from the sub-result cache. */
    @Benchmark
    public CheckResult cachedCheck(DeepChain chain) {
        return chain.cached.checkNow("t", chain.revision, chain.has);
    }

    /** HAS through 20 levels with both caches off: every level is read from the memory store. */
    @Benchmark
    public CheckResult uncachedDepth20Has(DeepChain chain) {
        return chain.uncached.checkNow("t", chain.revision, chain.has);
    }

    /** NO through 20 levels with both caches off: the whole chain is walked. */
    @Benchmark
    public CheckResult uncachedDepth20No(DeepChain chain) {
        return chain.uncached.checkNow("t", chain.revision, chain.no);
    }

    /** A token codec and a token it made. */
    @State(Scope.Thread)
    public static class Tokens {
        ZookieCodec codec;
        String token;
        long next = 1;

        @Setup(Level.Trial)
        public void setUp() {
            codec = new ZookieCodec("benchmark-secret-0123456789abcdef");
            token = codec.encode("tenant-a", Revision.of(123_456_789L));
        }
    }

    /** Encodes a revision as a signed token. */
    @Benchmark
    public String encodeToken(Tokens t) {
        return t.codec.encode("tenant-a", Revision.of(t.next++));
    }

    /** Decodes and verifies a token. */
    @Benchmark
    public Revision decodeToken(Tokens t) {
        return t.codec.decode("tenant-a", t.token);
    }
}
