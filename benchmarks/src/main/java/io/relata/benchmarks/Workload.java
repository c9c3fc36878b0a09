package io.relata.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The questions a benchmark asks of a {@link GitLabDataSet}, drawn with a seed so that every
 * side of a comparison asks the same ones.
 */
public final class Workload {

    /** One check: {@code resource#permission@subject}, of a kind, with the answer its construction gives. */
    public record Check(String kind, String resource, String permission, String subject, boolean holds) {

        public String line() {
            return "check " + kind + " " + resource + " " + permission + " " + subject;
        }
    }

    /** One lookup: resources of {@code type} the subject may {@code permission}, or subjects of a resource. */
    public record Lookup(String label, boolean resources, String typeOrResource, String permission, String subject) {

        public String line() {
            return (resources ? "lookup-resources " : "lookup-subjects ") + label + " " + typeOrResource + " "
                    + permission + " " + subject;
        }
    }

    private final GitLabDataSet data;

    private final List<Check> cachedPool = new ArrayList<>();

    public Workload(GitLabDataSet data) {
        this.data = data;
        SplittableRandom random = new SplittableRandom(data.seed + 7);
        for (int i = 0; i < 1_000; i++) {
            cachedPool.add(mixed(i % 2 == 0 ? "shallow" : "deep", random));
        }
    }

    public GitLabDataSet data() {
        return data;
    }

    /**
     * A check of one kind: {@code shallow-has} (a direct project member), {@code shallow-no} (a
     * user who belongs to nothing, on a private project of a top-level group), {@code deep-has}
     * (a developer of the group shared into a 20-level chain, on the project at its bottom),
     * {@code deep-no} (a user who belongs to nothing, on the same projects).
     */
    public Check check(String kind, SplittableRandom random) {
        return switch (kind) {
            case "shallow-has" -> {
                String[] pair = data.directMembers.get(random.nextInt(data.directMembers.size()));
                yield new Check(kind, "project:" + pair[0], "read_code", "user:" + pair[1], true);
            }
            case "shallow-no" -> new Check(kind,
                    "project:" + data.shallowPrivateProjects.get(random.nextInt(data.shallowPrivateProjects.size())),
                    "read_code", "user:" + outsider(random), false);
            case "deep-has" -> {
                String project = data.deepProjects.get(random.nextInt(data.deepProjects.size()));
                List<String> users = data.deepProjectSharedUsers.get(project);
                yield new Check(kind, "project:" + project, "push_code", "user:" + users.get(random.nextInt(users.size())),
                        true);
            }
            case "deep-no" -> new Check(kind,
                    "project:" + data.deepProjects.get(random.nextInt(data.deepProjects.size())), "push_code",
                    "user:" + outsider(random), false);
            default -> throw new IllegalArgumentException("unknown check kind " + kind);
        };
    }

    /**
     * 70 % checks that hold, 30 % that do not, of one depth ({@code shallow} or {@code deep});
     * or ({@code cached}) one of a fixed 1,000 such checks, half shallow and half deep, asked again and again.
     */
    public Check mixed(String depth, SplittableRandom random) {
        if (depth.equals("cached")) {
            return cachedPool.get(random.nextInt(cachedPool.size()));
        }
        return check(depth + (random.nextDouble() < 0.7 ? "-has" : "-no"), random);
    }

    private String outsider(SplittableRandom random) {
        return data.outsiders.get(random.nextInt(data.outsiders.size()));
    }

    /** {@code n} checks of each kind, in a fixed order. */
    public List<Check> checks(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Check> out = new ArrayList<>();
        for (String kind : List.of("shallow-has", "shallow-no", "deep-has", "deep-no")) {
            for (int i = 0; i < n; i++) {
                out.add(check(kind, random));
            }
        }
        return out;
    }

    /**
     * Lookups: the groups each of the users in 10, 1k and "100k" groups may view, and the users
     * who may see a project of {@code g0}.
     */
    public List<Lookup> lookups() {
        List<Lookup> out = new ArrayList<>();
        data.lookupUsers.forEach((user, n) -> out.add(new Lookup("resources-" + n, true, "group", "view_group",
                "user:" + user)));
        out.add(new Lookup("subjects-" + data.bigProject, false, "project:" + data.bigProject, "visible", "user"));
        return out;
    }
}
