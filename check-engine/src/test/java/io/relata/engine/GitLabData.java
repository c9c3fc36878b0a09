package io.relata.engine;

import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.TupleStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A small, seeded GitLab-shaped world on the corpus's GitLab schema, for engine tests. */
final class GitLabData {

    static final int USERS = 24;
    static final int GROUPS = 12;
    static final int PROJECTS = 16;
    static final int ISSUES = 20;
    static final String[] ROLES = {"owner", "maintainer", "developer", "reporter", "planner", "guest"};

    private GitLabData() {}

    static String schema() {
        try (InputStream in = GitLabData.class.getResourceAsStream("/gitlab/schema.zed")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the schema and the relationships; returns the revision. */
    static Revision load(TupleStore store, String tenant, long seed) {
        store.createTenant(tenant);
        store.writeSchema(tenant, schema());
        Random random = new Random(seed);
        List<String> rels = new ArrayList<>();
        for (int g = 1; g < GROUPS; g++) {
            if (g % 4 != 0) {
                rels.add("group:g" + g + "#parent@group:g" + random.nextInt(g));
            }
        }
        for (int i = 0; i < 40; i++) {
            rels.add("group:g" + random.nextInt(GROUPS) + "#" + ROLES[random.nextInt(ROLES.length)] + "@user:u"
                    + random.nextInt(USERS));
        }
        for (int l = 0; l < 6; l++) {
            rels.add("group_link:l" + l + "#shared_group@group:g" + random.nextInt(GROUPS));
            rels.add("group_link:l" + l + "#max_role_" + ROLES[1 + random.nextInt(ROLES.length - 1)] + "@user:*");
            String target = random.nextBoolean() ? "group:g" + random.nextInt(GROUPS) : "project:p" + random.nextInt(PROJECTS);
            rels.add(target + "#shared_with@group_link:l" + l);
        }
        for (int p = 0; p < PROJECTS; p++) {
            rels.add("project:p" + p + "#namespace@group:g" + random.nextInt(GROUPS));
            if (random.nextInt(4) == 0) {
                rels.add("project:p" + p + "#public_visibility@user:*");
            }
            if (random.nextInt(5) == 0) {
                rels.add("project:p" + p + "#internal_visibility@user:*");
            }
            if (random.nextInt(6) == 0) {
                rels.add("project:p" + p + "#issues_members_only@user:*");
            }
        }
        for (int i = 0; i < 30; i++) {
            rels.add("project:p" + random.nextInt(PROJECTS) + "#" + ROLES[random.nextInt(ROLES.length)] + "@user:u"
                    + random.nextInt(USERS));
        }
        for (int i = 0; i < ISSUES; i++) {
            rels.add("issue:i" + i + "#project@project:p" + random.nextInt(PROJECTS));
            rels.add("issue:i" + i + "#author@user:u" + random.nextInt(USERS));
            if (random.nextInt(3) == 0) {
                rels.add("issue:i" + i + "#confidential@user:*");
            }
            if (random.nextBoolean()) {
                rels.add("issue:i" + i + "#assignee@user:u" + random.nextInt(USERS));
            }
        }
        List<RelationshipUpdate> updates = new ArrayList<>();
        for (String r : new java.util.LinkedHashSet<>(rels)) {
            updates.add(RelationshipUpdate.touch(Relationship.parse(r)));
        }
        Revision revision = Revision.ZERO;
        for (int i = 0; i < updates.size(); i += 500) {
            revision = store.write(tenant, updates.subList(i, Math.min(updates.size(), i + 500)));
        }
        return revision;
    }
}
