package io.relata.benchmarks;

import io.relata.store.Relationship;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A GitLab-shaped data set for the {@code examples/gitlab} schema, the same for the same size
 * and seed. What it holds, at scale {@code f} (small 0.02, medium 1, large 10):
 *
 * <ul>
 *   <li>{@code 100,000·f} users; the last tenth ({@link #outsiders}) belong to nothing, so
 *       checks for them on private projects are NO by construction;</li>
 *   <li>the instance {@code instance:gitlab} with every user internal but 1 % external;</li>
 *   <li>{@code 100,000·f} groups: a fifth top-level, the rest subgroups nested under a top-level
 *       group chosen with a power-law skew, mostly one to three levels deep; each group has
 *       one to five members in all six roles, some top-level groups grant minimal access;</li>
 *   <li>the top-level group {@code g0} with {@code min(50,000, 50,000·f)} projects and
 *       {@code min(10,000, 10,000·f)} members, and a chain of 20 subgroups below it ending in
 *       the project {@code p-deep} (the deepest project of the group);</li>
 *   <li>{@link #chains} chains of 20 nested groups each, each shared at its top
 *       (a {@code group_share} capped at developer) with a group of five developers, with a
 *       project at the bottom: checks there walk 20 levels and a share;</li>
 *   <li>{@code 100,000·f} more projects in skewed namespaces, with direct members, a tenth
 *       public and a fifth internal; group shares and project shares with caps; issues (some
 *       confidential); CI jobs with job-token allowlists; personal access tokens;</li>
 *   <li>users in 10, 1,000 and {@code min(100,000, groups)} groups ({@code u-lr10},
 *       {@code u-lr1k}, {@code u-lr100k}).</li>
 * </ul>
 */
public final class GitLabDataSet {

    /** Sizes by name. */
    public enum Size {
        SMALL(0.02), MEDIUM(1), LARGE(10);

        final double scale;

        Size(double scale) {
            this.scale = scale;
        }

        public static Size parse(String name) {
            try {
                return valueOf(name.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown size " + name + "; expected small, medium or large");
            }
        }
    }

    private static final String[] ROLES = {"owner", "maintainer", "developer", "reporter", "planner", "guest"};
    /** Cumulative role weights: owner 5 %, maintainer 10 %, developer 40 %, reporter 20 %, planner 5 %, guest 20 %. */
    private static final double[] ROLE_CDF = {0.05, 0.15, 0.55, 0.75, 0.80, 1.0};

    public final Size size;
    public final long seed;
    public final List<Relationship> relationships = new ArrayList<>();
    public final int users;
    public final int groups;
    public final int projects;
    /** Users that belong to nothing. */
    public final List<String> outsiders = new ArrayList<>();
    /** (project, user) pairs where the user is a direct project member with reporter or more. */
    public final List<String[]> directMembers = new ArrayList<>();
    /** Private projects whose namespace is a top-level group. */
    public final List<String> shallowPrivateProjects = new ArrayList<>();
    /** Projects at the bottom of a 20-level chain that is shared at its top. */
    public final List<String> deepProjects = new ArrayList<>();
    /** For each deep project, the developers of the group shared into its chain. */
    public final Map<String, List<String>> deepProjectSharedUsers = new LinkedHashMap<>();
    public final int chains;
    /** Users in 10, 1k and "100k" groups, by label. */
    public final Map<String, Integer> lookupUsers = new LinkedHashMap<>();
    /** A project of g0 (about min(10,000, 10,000·f) members). */
    public final String bigProject = "p-g0-0";
    /** The deepest project below g0. */
    public final String g0DeepProject = "p-deep";

    private final SplittableRandom random;

    public GitLabDataSet(Size size, long seed) {
        this.size = size;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        double f = size.scale;
        users = (int) Math.round(100_000 * f);
        groups = (int) Math.round(100_000 * f);
        projects = (int) Math.round(100_000 * f);
        chains = Math.max(10, (int) Math.round(100 * Math.min(1, f * 5)));
        generate(f);
        seen.clear();
    }

    private final java.util.Set<String> seen = new java.util.HashSet<>();

    /** Adds a relationship once (random picks may repeat one). */
    private void add(String text) {
        if (seen.add(text)) {
            relationships.add(Relationship.parse(text));
        }
    }

    private String role() {
        double r = random.nextDouble();
        for (int i = 0; i < ROLES.length; i++) {
            if (r < ROLE_CDF[i]) {
                return ROLES[i];
            }
        }
        return "guest";
    }

    /** A user that is not an outsider. */
    private String insider() {
        return "u" + random.nextInt(users - users / 10);
    }

    /** Skewed toward small indexes (power law). */
    private int skewed(int n) {
        return Math.min(n - 1, (int) (n * Math.pow(random.nextDouble(), 3)));
    }

    private void generate(double f) {
        int insiders = users - users / 10;
        for (int u = insiders; u < users; u++) {
            outsiders.add("u" + u);
        }
        // The instance: everyone internal, 1 % external.
        add("instance:gitlab#member@user:*");
        for (int i = 0; i < users / 100; i++) {
            add("instance:gitlab#external@user:" + insider());
        }

        // Groups: g0 .. g{top-1} are top-level, the rest subgroups.
        int top = groups / 5;
        int[] depth = new int[groups];
        int[] root = new int[groups];
        List<List<Integer>> shallowByRoot = new ArrayList<>();
        for (int g = 0; g < top; g++) {
            root[g] = g;
            shallowByRoot.add(new ArrayList<>(List.of(g)));
        }
        for (int g = top; g < groups; g++) {
            int r = skewed(top);
            List<Integer> tree = shallowByRoot.get(r);
            int parent = random.nextDouble() < 0.6 ? r : tree.get(random.nextInt(tree.size()));
            depth[g] = depth[parent] + 1;
            root[g] = r;
            if (depth[g] < 3) {
                tree.add(g);
            }
            add("group:g" + g + "#parent@group:g" + parent);
        }
        for (int g = 0; g < groups; g++) {
            int n = 1 + random.nextInt(5);
            for (int i = 0; i < n; i++) {
                add("group:g" + g + "#" + role() + "@user:" + insider());
            }
            if (g < top && random.nextDouble() < 0.05) {
                add("group:g" + g + "#minimal_access@user:" + insider());
            }
        }

        // g0: the big top-level group, its projects and members, and its 20-level chain.
        int bigProjects = (int) Math.min(50_000, Math.round(50_000 * f));
        int bigMembers = (int) Math.min(10_000, Math.round(10_000 * f));
        for (int i = 0; i < bigMembers; i++) {
            add("group:g0#" + role() + "@user:" + insider());
        }
        for (int i = 0; i < bigProjects; i++) {
            add("project:p-g0-" + i + "#namespace@group:g0");
        }
        String previous = "g0";
        for (int level = 1; level <= 20; level++) {
            String g = "g0-d" + level;
            add("group:" + g + "#parent@group:" + previous);
            add("group:" + g + "#developer@user:" + insider());
            previous = g;
        }
        add("project:" + g0DeepProject + "#namespace@group:" + previous);

        // Chains of 20 levels, each shared at its top with a group of five developers.
        for (int c = 0; c < chains; c++) {
            String prefix = "chain" + c;
            for (int level = 1; level < 20; level++) {
                add("group:" + prefix + "-" + level + "#parent@group:" + prefix + "-" + (level - 1));
                add("group:" + prefix + "-" + level + "#" + role() + "@user:" + insider());
            }
            add("group:" + prefix + "-0#owner@user:" + insider());
            String share = prefix + "-share";
            add("group:" + prefix + "-0#shared_in@group_share:" + share);
            add("group_share:" + share + "#invited@group:" + prefix + "-src");
            add("group_share:" + share + "#cap_developer@user:*");
            List<String> shared = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String u = insider();
                add("group:" + prefix + "-src#developer@user:" + u);
                shared.add(u);
            }
            String project = "p-" + prefix;
            add("project:" + project + "#namespace@group:" + prefix + "-19");
            deepProjects.add(project);
            deepProjectSharedUsers.put(project, shared);
        }

        // Projects in skewed namespaces.
        for (int p = 0; p < projects; p++) {
            String project = "p" + p;
            int ns = random.nextDouble() < 0.5 ? skewed(top) : top + skewed(groups - top);
            if (ns >= groups) {
                ns = groups - 1;
            }
            add("project:" + project + "#namespace@group:g" + ns);
            double visibility = random.nextDouble();
            boolean isPrivate = visibility >= 0.3;
            if (visibility < 0.1) {
                add("project:" + project + "#public_visibility@user:*");
            } else if (visibility < 0.3) {
                add("project:" + project + "#internal_visibility@instance:gitlab");
            }
            int members = random.nextInt(3);
            for (int i = 0; i < members; i++) {
                String r = role();
                String u = insider();
                add("project:" + project + "#" + r + "@user:" + u);
                if (isPrivate && (r.equals("owner") || r.equals("maintainer") || r.equals("developer")
                        || r.equals("reporter"))) {
                    directMembers.add(new String[] {project, u});
                }
            }
            if (isPrivate && ns < top && ns != 0) {
                shallowPrivateProjects.add(project);
            }
            if (random.nextDouble() < 0.1) {
                for (int i = 0; i < 3; i++) {
                    String issue = project + "-i" + i;
                    add("issue:" + issue + "#project@project:" + project);
                    add("issue:" + issue + "#author@user:" + insider());
                    if (random.nextDouble() < 0.2) {
                        add("issue:" + issue + "#confidential@user:*");
                    }
                }
            }
            if (random.nextDouble() < 0.01) {
                String job = project + "-job";
                add("ci_job:" + job + "#project@project:" + project);
                add("ci_job:" + job + "#triggered_by@user:" + insider());
                add("project:" + project + "#running_job@ci_job:" + job);
                // An allowlist entry of another project admitting this project's jobs to read packages.
                String entry = project + "-allow";
                add("job_token_entry:" + entry + "#source@project:" + project + "#running_job");
                add("job_token_entry:" + entry + "#scope_read_packages@ci_job:*");
                add("project:p" + random.nextInt(projects) + "#job_token_allowlist@job_token_entry:" + entry);
            }
            if (random.nextDouble() < 0.01) {
                String token = project + "-pat";
                add("access_token:" + token + "#owner@user:" + insider());
                add("project:" + project + "#token_read_code@access_token:" + token);
            }
        }

        // Group shares and project shares, with caps.
        String[] caps = {"maintainer", "developer", "reporter", "planner", "guest"};
        for (int s = 0; s < groups / 50; s++) {
            String share = "gs" + s;
            add("group:g" + random.nextInt(groups) + "#shared_in@group_share:" + share);
            add("group_share:" + share + "#invited@group:g" + random.nextInt(groups));
            add("group_share:" + share + "#cap_" + caps[random.nextInt(caps.length)] + "@user:*");
        }
        for (int s = 0; s < projects / 50; s++) {
            String share = "ps" + s;
            add("project:p" + random.nextInt(projects) + "#shared_with@project_share:" + share);
            add("project_share:" + share + "#invited@group:g" + random.nextInt(groups));
            add("project_share:" + share + "#cap_" + caps[random.nextInt(caps.length)] + "@user:*");
        }

        // Users for lookups with about 10, 1,000 and 100,000 results (guests of that many groups).
        int[] counts = {10, Math.min(1_000, groups), Math.min(100_000, groups)};
        String[] labels = {"u-lr10", "u-lr1k", "u-lr100k"};
        for (int i = 0; i < counts.length; i++) {
            int n = counts[i];
            int step = Math.max(1, groups / n);
            for (int k = 0; k < n; k++) {
                add("group:g" + ((k * step) % groups) + "#guest@user:" + labels[i]);
            }
            lookupUsers.put(labels[i], n);
        }
    }

    /** Writes {@code schema.zed}, {@code relationships.txt} (one per line) and {@code workload.txt} to {@code dir}. */
    public void emit(Path dir, String schema, List<String> workload) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("schema.zed"), schema);
            try (Writer w = Files.newBufferedWriter(dir.resolve("relationships.txt"), StandardCharsets.UTF_8)) {
                for (Relationship r : relationships) {
                    w.write(r.toString());
                    w.write('\n');
                }
            }
            Files.write(dir.resolve("workload.txt"), workload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The GitLab example schema, read from the repository ({@code examples/gitlab/gitlab.zed}). */
    public static String schema() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("examples/gitlab/gitlab.zed");
            if (Files.exists(candidate)) {
                try {
                    return Files.readString(candidate);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("examples/gitlab/gitlab.zed not found above " + Path.of("").toAbsolutePath()
                + "; run from the Relata repository");
    }
}
