package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.ObjectRef;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On the GitLab schema of the corpus, with seeded data: expand, lookup resources and lookup
 * subjects must agree with a check of every candidate, and many checks at once must give
 * the answers one at a time gives.
 */
class GitLabLookupsTest {

    private static TupleStore store;
    private static GraphCheckEngine engine;
    private static Revision revision;

    private static final String[][] QUESTIONS = {
        {"project", "push_code"}, {"project", "read_issues"}, {"project", "view_project"}, {"project", "delete_project"},
        {"group", "manage_members"}, {"group", "view"}, {"issue", "view"}, {"issue", "close"},
        {"merge_request", "approve"}, {"project", "create_issue"}};

    @BeforeAll
    static void load() {
        store = new MemoryTupleStore();
        engine = new GraphCheckEngine(store);
        revision = GitLabData.load(store, "gitlab", 7);
    }

    @AfterAll
    static void close() {
        engine.close();
        store.close();
    }

    private static int count(String type) {
        return switch (type) {
            case "project" -> GitLabData.PROJECTS;
            case "group" -> GitLabData.GROUPS;
            case "issue" -> GitLabData.ISSUES;
            default -> 4;
        };
    }

    private static String prefix(String type) {
        return switch (type) {
            case "project" -> "p";
            case "group" -> "g";
            case "issue" -> "i";
            default -> "m";
        };
    }

    private static Permissionship check(String resource, String permission, String subject) {
        return engine.checkNow("gitlab", revision, CheckRequest.of(resource, permission, subject)).permissionship();
    }

    @Test
    void lookupResources_returnsExactlyWhatChecksAllow() throws Exception {
        int nonEmpty = 0;
        for (String[] q : QUESTIONS) {
            for (int u = 0; u < GitLabData.USERS; u++) {
                String user = "user:u" + u;
                Set<String> expected = new TreeSet<>();
                for (int i = 0; i < count(q[0]); i++) {
                    if (check(q[0] + ":" + prefix(q[0]) + i, q[1], user) != Permissionship.NO) {
                        expected.add(prefix(q[0]) + i);
                    }
                }
                Set<String> found = new TreeSet<>();
                engine.lookupResources("gitlab", revision, q[0], q[1], SubjectRef.parse(user), Map.of(), null, 0).get()
                        .results().forEach(r -> found.add(r.id()));
                assertThat(found).as("%s#%s for %s", q[0], q[1], user).isEqualTo(expected);
                nonEmpty += expected.isEmpty() ? 0 : 1;
            }
        }
        assertThat(nonEmpty).as("the data gives lookups something to find").isGreaterThan(50);
    }

    @Test
    void lookupResources_pagesWithACursor() throws Exception {
        List<String> all = new ArrayList<>();
        engine.lookupResources("gitlab", revision, "project", "view_project", SubjectRef.parse("user:u3"), Map.of(), null, 0)
                .get().results().forEach(r -> all.add(r.id()));
        List<String> paged = new ArrayList<>();
        String cursor = null;
        do {
            LookupPage page = engine.lookupResources("gitlab", revision, "project", "view_project",
                    SubjectRef.parse("user:u3"), Map.of(), cursor, 2).get();
            page.results().forEach(r -> paged.add(r.id()));
            cursor = page.next();
        } while (cursor != null);
        assertThat(all).isNotEmpty();
        assertThat(paged).isEqualTo(all);
    }

    @Test
    void lookupSubjects_matchesChecksOfEveryUser() throws Exception {
        for (String[] q : QUESTIONS) {
            for (int i = 0; i < count(q[0]); i++) {
                String resource = q[0] + ":" + prefix(q[0]) + i;
                List<SubjectResult> subjects = engine.lookupSubjects("gitlab", revision, ObjectRef.parse(resource), q[1],
                        "user", null, Map.of()).get();
                for (int u = 0; u < GitLabData.USERS; u++) {
                    String id = "u" + u;
                    boolean listed = subjects.stream().anyMatch(s -> s.id().equals(id));
                    boolean viaWildcard = subjects.stream().anyMatch(s -> s.id().equals("*")
                            && s.excluded().stream().noneMatch(x -> x.id().equals(id)));
                    boolean allowed = check(resource, q[1], "user:" + id) == Permissionship.HAS;
                    assertThat(listed || viaWildcard).as("%s#%s@user:%s", resource, q[1], id).isEqualTo(allowed);
                }
            }
        }
    }

    @Test
    void expand_evaluatesToWhatChecksSay() throws Exception {
        for (String[] q : QUESTIONS) {
            for (int i = 0; i < count(q[0]); i += 3) {
                String resource = q[0] + ":" + prefix(q[0]) + i;
                ExpandTree tree = engine.expand("gitlab", revision, ObjectRef.parse(resource), q[1]).get();
                for (int u = 0; u < GitLabData.USERS; u++) {
                    String user = "user:u" + u;
                    assertThat(holds(tree, user)).as("%s#%s for %s", resource, q[1], user)
                            .isEqualTo(check(resource, q[1], user) == Permissionship.HAS);
                }
            }
        }
    }

    /** Evaluates an expand tree for a user; userset leaves are asked with a check. */
    private static boolean holds(ExpandTree tree, String user) {
        if (tree instanceof ExpandTree.Leaf leaf) {
            for (SubjectRef s : leaf.subjects()) {
                if (s.toString().equals(user) || (s.isWildcard() && user.startsWith(s.type() + ":"))) {
                    return true;
                }
                if (s.relation() != null
                        && check(s.type() + ":" + s.id(), s.relation(), user) == Permissionship.HAS) {
                    return true;
                }
            }
            return false;
        }
        ExpandTree.Operation op = (ExpandTree.Operation) tree;
        return switch (op.kind()) {
            case UNION -> op.children().stream().anyMatch(c -> holds(c, user));
            case INTERSECTION -> !op.children().isEmpty() && op.children().stream().allMatch(c -> holds(c, user));
            case EXCLUSION -> holds(op.children().get(0), user) && !holds(op.children().get(1), user);
        };
    }

    @Test
    void manyChecksAtOnce_answerAsOneAtATime() throws Exception {
        List<CheckRequest> requests = new ArrayList<>();
        java.util.Random random = new java.util.Random(3);
        for (int n = 0; n < 1500; n++) {
            String[] q = QUESTIONS[random.nextInt(QUESTIONS.length)];
            requests.add(CheckRequest.of(q[0] + ":" + prefix(q[0]) + random.nextInt(count(q[0])), q[1],
                    "user:u" + random.nextInt(GitLabData.USERS)));
        }
        List<Permissionship> sequential = new ArrayList<>();
        try (GraphCheckEngine fresh = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withCacheSize(0))) {
            for (CheckRequest r : requests) {
                sequential.add(fresh.checkNow("gitlab", revision, r).permissionship());
            }
        }
        try (GraphCheckEngine concurrent = new GraphCheckEngine(store)) {
            List<CompletableFuture<CheckResult>> futures = requests.stream()
                    .map(r -> concurrent.check("gitlab", revision, r)).toList();
            List<Permissionship> together = futures.stream().map(f -> f.join().permissionship()).toList();
            assertThat(together).isEqualTo(sequential);
            List<Permissionship> bulk = concurrent.checkBulk("gitlab", revision, requests).get().stream()
                    .map(b -> b.result().permissionship()).toList();
            assertThat(bulk).isEqualTo(sequential);
            assertThat(concurrent.cacheStats().hitCount()).as("shared sub-results were reused").isPositive();
        }
        assertThat(sequential).contains(Permissionship.HAS, Permissionship.NO);
    }
}
