package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.index.GroupIndexOptions;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GitLab example's schema ({@code examples/gitlab/gitlab.zed}: role levels through
 * {@code parent->...}, each with another such permission inside and group shares after the
 * arrow) on random seeded worlds (subgroup trees, one cycle, roles, custom roles, group and
 * project shares), then the parent of some groups moved: every check of the group and project
 * permissions is the same with the group index on as off, at depth limits 50 and 8, errors
 * included, and the index answered arrow questions (Memory store).
 */
class GitLabArrowIndexTest {

    private static final String[] ROLES = {"owner", "maintainer", "developer", "reporter", "planner", "guest"};
    private static final List<String> GROUP_PERMISSIONS = List.of("guest_level", "developer_level", "owner_level",
            "inherited_guest", "inherited_maintainer", "view_group", "custom_read_code", "token_read_code_within");
    private static final List<String> PROJECT_PERMISSIONS = List.of("visible", "read_code", "push_code",
            "delete_project", "read_vulnerability");

    @ParameterizedTest(name = "max depth {0}")
    @ValueSource(ints = {50, 8})
    void checksAnswerAsWithoutTheIndex(int maxDepth) throws Exception {
        String schema = Files.readString(Path.of("..", "examples", "gitlab", "gitlab.zed"));
        EngineOptions base = EngineOptions.DEFAULTS.withMaxDepth(maxDepth).withCacheSize(0)
                .withRelationshipCacheSize(0);
        long answered = 0;
        int compared = 0;
        for (int seed = 0; seed < 4; seed++) {
            TupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
            String tenant = "gl-" + UUID.randomUUID();
            store.createTenant(tenant);
            store.writeSchema(tenant, schema);
            Random random = new Random(seed);
            int groups = 16;
            List<Revision> revisions = new ArrayList<>();
            revisions.add(write(store, tenant, world(random, groups)));
            // Move some subtrees, and close a cycle.
            List<RelationshipUpdate> moves = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int g = 1 + random.nextInt(groups - 1);
                moves.add(RelationshipUpdate.touch(Relationship.parse("group:g" + g + "#parent@group:g"
                        + random.nextInt(g))));
            }
            moves.add(RelationshipUpdate.touch(Relationship.parse("group:g0#parent@group:g" + (groups - 1))));
            revisions.add(store.write(tenant, moves));
            try (GraphCheckEngine off = new GraphCheckEngine(store, base);
                    GraphCheckEngine on = new GraphCheckEngine(store, base.withGroupIndex(
                            GroupIndexOptions.ON.withCatchUpWait(Duration.ofSeconds(10))))) {
                for (Revision at : revisions) {
                    for (int u = 0; u < 8; u++) {
                        String user = "user:u" + u;
                        for (int g = 0; g < groups; g += 3) {
                            for (String p : GROUP_PERMISSIONS) {
                                CheckRequest q = CheckRequest.of("group:g" + g, p, user);
                                assertThat(ArrowIndexContract.answer(on, tenant, at, q)).as("seed %d: %s at %s", seed,
                                        q, at).isEqualTo(ArrowIndexContract.answer(off, tenant, at, q));
                                compared++;
                            }
                        }
                        for (int p = 0; p < 6; p++) {
                            for (String perm : PROJECT_PERMISSIONS) {
                                CheckRequest q = CheckRequest.of("project:p" + p, perm, user);
                                assertThat(ArrowIndexContract.answer(on, tenant, at, q)).as("seed %d: %s at %s", seed,
                                        q, at).isEqualTo(ArrowIndexContract.answer(off, tenant, at, q));
                                compared++;
                            }
                        }
                    }
                }
                answered += on.groupIndex().orElseThrow().reachAnswered();
            }
        }
        System.out.println("GitLab, max depth " + maxDepth + ": " + compared + " checks compared, " + answered
                + " arrow questions answered by the index");
        assertThat(answered).as("arrow questions the index answered").isPositive();
    }

    private static List<String> world(Random random, int groups) {
        Set<String> rels = new LinkedHashSet<>();
        for (int g = 1; g < groups; g++) {
            if (g % 5 != 0) {
                rels.add("group:g" + g + "#parent@group:g" + random.nextInt(g));
            }
        }
        for (int i = 0; i < 40; i++) {
            rels.add("group:g" + random.nextInt(groups) + "#" + ROLES[random.nextInt(ROLES.length)] + "@user:u"
                    + random.nextInt(10));
        }
        for (int s = 0; s < 4; s++) {
            rels.add("group:g" + random.nextInt(groups) + "#shared_in@group_share:s" + s);
            rels.add("group_share:s" + s + "#invited@group:g" + random.nextInt(groups));
            rels.add("group_share:s" + s + "#cap_" + ROLES[1 + random.nextInt(ROLES.length - 1)] + "@user:*");
        }
        for (int c = 0; c < 3; c++) {
            rels.add("custom_role:c" + c + "#base_" + ROLES[1 + random.nextInt(ROLES.length - 1)] + "@user:*");
            rels.add("custom_role:c" + c + "#adds_read_code@user:*");
            rels.add("role_assignment:a" + c + "#role@custom_role:c" + c);
            rels.add("role_assignment:a" + c + "#assignee@user:u" + random.nextInt(10));
            rels.add("group:g" + random.nextInt(groups) + "#custom_member@role_assignment:a" + c);
        }
        for (int t = 0; t < 3; t++) {
            rels.add("access_token:t" + t + "#owner@user:u" + random.nextInt(10));
            rels.add("group:g" + random.nextInt(groups) + "#token_read_code@access_token:t" + t);
        }
        for (int p = 0; p < 6; p++) {
            rels.add("project:p" + p + "#namespace@group:g" + random.nextInt(groups));
            if (random.nextInt(3) == 0) {
                rels.add("project:p" + p + "#" + ROLES[random.nextInt(ROLES.length)] + "@user:u" + random.nextInt(10));
            }
            if (random.nextInt(4) == 0) {
                rels.add("project:p" + p + "#shared_with@project_share:ps" + p);
                rels.add("project_share:ps" + p + "#invited@group:g" + random.nextInt(groups));
                rels.add("project_share:ps" + p + "#cap_developer@user:*");
            }
        }
        return new ArrayList<>(rels);
    }

    private static Revision write(TupleStore store, String tenant, List<String> relationships) {
        List<RelationshipUpdate> updates = new ArrayList<>();
        for (String r : relationships) {
            updates.add(RelationshipUpdate.touch(Relationship.parse(r)));
        }
        return store.write(tenant, updates);
    }
}
