package io.relata.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresConfig;
import io.relata.store.postgres.PostgresTupleStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Bulk import (COPY) into a fresh database: tuples per second, and the size on disk of
 * relation_tuples (all partitions, with their indexes) per tuple.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am install -DskipTests
 * mvn -B -q -pl benchmarks exec:java -Dexec.args="--count 1000000 --url postgresql://postgres@127.0.0.1:5432/relata_bench"
 * </pre>
 *
 * The database named in the URL is dropped and created again.
 */
public final class BulkImportBenchmark {

    public static void main(String[] args) throws Exception {
        int count = 1_000_000;
        String url = "postgresql://postgres@127.0.0.1:5432/relata_bench";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--count" -> count = Integer.parseInt(args[++i].replace("_", ""));
                case "--url" -> url = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; expected --count N --url postgresql://...");
            }
        }
        try (HikariDataSource pool = BenchDatabase.fresh(PostgresConfig.fromUrl(url))) {
            PostgresTupleStore store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS);
            store.createTenant("bench");
            long start = System.nanoTime();
            Revision revision = store.bulkImport("bench", generate(count));
            double seconds = (System.nanoTime() - start) / 1e9;
            BenchDatabase.analyze(pool);
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                long tables = size(s, "pg_table_size");
                long indexes = size(s, "pg_indexes_size");
                long rows = store.read("bench", RelationshipFilter.ofType("doc"), revision, null, 1).relationships().size();
                System.out.printf("imported %,d relationships at revision %s in %.1f s: %,.0f tuples/s%n", count,
                        revision, seconds, count / seconds);
                System.out.printf("relation_tuples on disk: %,.1f MiB tables + %,.1f MiB indexes = %,.1f MiB"
                        + " (%.0f bytes per tuple)%n", tables / 1048576.0, indexes / 1048576.0,
                        (tables + indexes) / 1048576.0, (tables + indexes) / (double) count);
                if (rows != 1) {
                    throw new IllegalStateException("the imported relationships are not readable");
                }
            }
        }
    }

    /** GitLab-shaped rows: project members, group members (usersets), parents; ids like real ones. */
    static Iterator<Relationship> generate(int count) {
        SplittableRandom random = new SplittableRandom(42);
        List<String> roles = List.of("guest", "reporter", "developer", "maintainer", "owner");
        return new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < count;
            }

            @Override
            public Relationship next() {
                int n = i++;
                String role = roles.get(random.nextInt(roles.size()));
                return switch (n % 4) {
                    case 0 -> Relationship.parse("project:p" + n + "#" + role + "@user:u" + random.nextInt(200_000));
                    case 1 -> Relationship.parse("group:g" + n + "#" + role + "@user:u" + random.nextInt(200_000));
                    case 2 -> Relationship.parse("project:p" + n + "#" + role + "@group:g" + random.nextInt(50_000)
                            + "#member");
                    default -> Relationship.parse("doc:d" + n + "#parent@project:p" + random.nextInt(100_000));
                };
            }
        };
    }

    private static long size(Statement s, String function) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT coalesce(sum(" + function + "(inhrelid)), 0) FROM pg_inherits"
                + " WHERE inhparent = 'relation_tuples'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
