package io.relata.benchmarks;

import io.relata.store.Relationship;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Writes the deep-chain data set ({@link DeepChainBenchmark#generate}) as files that a load
 * generator in another process (benchmarks/spicedb/pg-compare.mjs) sends to Relata and to
 * SpiceDB alike: {@code schema.zed}, {@code relationships.txt} (one {@code
 * type:id#relation@type:id} a line), {@code no.txt} and {@code has.txt} (distinct checks,
 * {@code project:P read user:U}: random users, almost never members, so NO after a walk up
 * the whole chain; and members of the chain), and {@code lookup.txt} (the user who belongs to
 * the most groups, whose readable projects a lookup resources lists).
 *
 * <pre>
 * java -cp ... io.relata.benchmarks.DeepChainFiles --groups 200 --pool 20000 --dir D
 * </pre>
 */
public final class DeepChainFiles {

    private static final int USERS = 20_000;

    private DeepChainFiles() {}

    public static void main(String[] args) throws IOException {
        int groups = 200;
        int pool = 20_000;
        Path dir = Path.of("benchmarks/target/compare-pg");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--groups" -> groups = Integer.parseInt(args[++i]);
                case "--pool" -> pool = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; expected --groups N --pool N --dir DIR");
            }
        }
        List<String> members = new ArrayList<>();
        List<String> projects = new ArrayList<>();
        List<Relationship> rows = DeepChainBenchmark.generate(groups, members, projects);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("schema.zed"), DeepChainBenchmark.SCHEMA);
        Files.write(dir.resolve("relationships.txt"), rows.stream().map(Relationship::toString).toList());
        Random random = new Random(7);
        List<String> has = new ArrayList<>();
        Map<String, Integer> groupsOf = new HashMap<>();
        for (String m : new LinkedHashSet<>(members)) {
            int colon = m.indexOf(':');
            String user = m.substring(colon + 1);
            groupsOf.merge(user, 1, Integer::sum);
            for (int p = 0; p < 5; p++) {
                has.add("project:p" + m.substring(0, colon) + "_" + p + " read user:" + user);
            }
        }
        Collections.shuffle(has, random);
        Files.write(dir.resolve("has.txt"), has.subList(0, Math.min(pool, has.size())));
        Set<String> no = new LinkedHashSet<>();
        int wanted = (int) Math.min(pool, (long) projects.size() * USERS / 2);
        while (no.size() < wanted) {
            no.add("project:" + projects.get(random.nextInt(projects.size())) + " read user:u" + random.nextInt(USERS));
        }
        Files.write(dir.resolve("no.txt"), new ArrayList<>(no));
        String busiest = Collections.max(groupsOf.entrySet(), Map.Entry.comparingByValue()).getKey();
        Files.write(dir.resolve("lookup.txt"), List.of("project read user:" + busiest));
        System.out.printf("DATA|%d|%d|%d|%d|%s%n", groups, rows.size(), Math.min(pool, has.size()), no.size(), busiest);
    }
}
