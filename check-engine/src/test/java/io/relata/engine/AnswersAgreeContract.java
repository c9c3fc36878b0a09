package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A property: for random group and folder hierarchies (group chains up to 44 deep, folder
 * chains up to 12 over groups up to 30 deep, 2-wide lattices, cross links and cycles, bans), every way of asking a question gives the same answer, and
 * that answer is the one a plain reachability model of the schema gives. Each check, each
 * bulk check, lookup resources and lookup subjects are asked on fresh engines and on warm
 * ones, in a random order each time. Seeded, so a failure names the seed that reproduces it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AnswersAgreeContract {

    protected abstract TupleStore store();

    /** The options of every engine this suite makes (a subclass turns the nested-group index on). */
    protected EngineOptions options() {
        return EngineOptions.DEFAULTS;
    }

    /** Makes each engine of this suite (a subclass may keep them to see what they did). */
    protected GraphCheckEngine newEngine(TupleStore store, EngineOptions options) {
        return new GraphCheckEngine(store, options);
    }

    /** How many random data sets one run tries. */
    protected abstract int seeds();

    static final String SCHEMA = """
            definition user {}
            definition group {
                relation member: user | group#member
                relation banned: user
                permission allowed = member - banned
            }
            definition folder {
                relation parent: folder
                relation viewer: user | group#member
                relation banned: user
                permission view = viewer + parent->view
                permission visible = view - banned
            }
            """;

    private static final List<String> USERS = List.of("u0", "u1", "u2", "u3");

    /** One random data set and the answers the model gives for it. */
    private static final class World {
        final List<String> relationships = new ArrayList<>();
        final int chain;
        final List<String> groups = new ArrayList<>();
        final List<String> folders = new ArrayList<>();
        final Map<String, Set<String>> groupUsers = new HashMap<>();
        final Map<String, Set<String>> subgroups = new HashMap<>();
        final Map<String, Set<String>> bannedFromGroup = new HashMap<>();
        final Map<String, String> parent = new HashMap<>();
        final Map<String, Set<String>> folderUsers = new HashMap<>();
        final Map<String, Set<String>> folderGroups = new HashMap<>();
        final Map<String, Set<String>> bannedFromFolder = new HashMap<>();

        World(long seed) {
            // Mixed, because java.util.Random's first draws from nearby seeds are nearly equal.
            Random random = new Random(seed * 0x9E3779B97F4A7C15L);
            // A chain of groups as deep as 44 with cycles back into it, a 2-wide lattice of up
            // to 12 layers, and loose groups that link into the lattice and the chain's lower
            // 30 groups; folders name only those: no path nests deeper than the depth limit
            // (50), so every way of asking must answer.
            chain = 2 + random.nextInt(43);
            for (int i = 0; i < chain; i++) {
                groups.add("c" + i);
                if (i > 0) {
                    nest("c" + (i - 1), "c" + i);
                }
            }
            for (int i = 0; i < 3; i++) {
                int from = random.nextInt(chain);
                nest("c" + from, "c" + random.nextInt(from + 1));
            }
            int layers = 2 + random.nextInt(11);
            for (int layer = 0; layer < layers; layer++) {
                groups.add("a" + layer);
                groups.add("b" + layer);
                if (layer > 0) {
                    for (String from : List.of("a", "b")) {
                        for (String to : List.of("a", "b")) {
                            nest(from + (layer - 1), to + layer);
                        }
                    }
                }
            }
            List<String> shallow = new ArrayList<>(groups);
            int top = Math.max(0, chain - 30);
            shallow.removeIf(g -> g.startsWith("c") && Integer.parseInt(g.substring(1)) < top);
            List<String> linked = new ArrayList<>(shallow);
            for (int i = 0; i < 10; i++) {
                groups.add("x" + i);
                shallow.add("x" + i);
            }
            for (int i = 0; i < 15; i++) {
                nest("x" + random.nextInt(10), pick(random, linked));
            }
            for (String g : groups) {
                // Direct members only off the chain, so a chain's answers rest on its full depth.
                if (!g.startsWith("c") && random.nextInt(4) == 0) {
                    memberAt(g, pick(random, USERS));
                }
                if (random.nextInt(8) == 0) {
                    String u = pick(random, USERS);
                    add("group:" + g + "#banned@user:" + u);
                    bannedFromGroup.computeIfAbsent(g, k -> new TreeSet<>()).add(u);
                }
            }
            // The bottom of the chain and of the lattice always hold someone.
            memberAt("c" + (chain - 1), "u0");
            memberAt("a" + (layers - 1), "u1");
            // A chain of folders as deep as 12 and loose folders, with viewers and bans.
            int folderChain = 2 + random.nextInt(11);
            for (int i = 0; i < folderChain; i++) {
                folders.add("f" + i);
                if (i > 0) {
                    parentOf("f" + (i - 1), "f" + i);
                }
            }
            for (int i = 0; i < 8; i++) {
                folders.add("y" + i);
                if (random.nextBoolean()) {
                    parentOf("y" + i, "f" + random.nextInt(folderChain));
                }
            }
            for (String f : folders) {
                int roll = random.nextInt(6);
                if (roll == 0) {
                    String u = pick(random, USERS);
                    add("folder:" + f + "#viewer@user:" + u);
                    folderUsers.computeIfAbsent(f, k -> new TreeSet<>()).add(u);
                } else if (roll == 1) {
                    String g = pick(random, shallow);
                    add("folder:" + f + "#viewer@group:" + g + "#member");
                    folderGroups.computeIfAbsent(f, k -> new TreeSet<>()).add(g);
                }
                if (random.nextInt(8) == 0) {
                    String u = pick(random, USERS);
                    add("folder:" + f + "#banned@user:" + u);
                    bannedFromFolder.computeIfAbsent(f, k -> new TreeSet<>()).add(u);
                }
            }
            String last = "f" + (folderChain - 1);
            add("folder:" + last + "#viewer@group:c" + top + "#member");
            folderGroups.computeIfAbsent(last, k -> new TreeSet<>()).add("c" + top);
        }

        private void memberAt(String group, String user) {
            add("group:" + group + "#member@user:" + user);
            groupUsers.computeIfAbsent(group, k -> new TreeSet<>()).add(user);
        }

        private void nest(String outer, String inner) {
            if (subgroups.computeIfAbsent(outer, k -> new TreeSet<>()).add(inner)) {
                relationships.add("group:" + outer + "#member@group:" + inner + "#member");
            }
        }

        private void parentOf(String child, String parentFolder) {
            if (!child.equals(parentFolder) && !parent.containsKey(child)) {
                parent.put(child, parentFolder);
                relationships.add("folder:" + child + "#parent@folder:" + parentFolder);
            }
        }

        private void add(String relationship) {
            if (!relationships.contains(relationship)) {
                relationships.add(relationship);
            }
        }

        private static String pick(Random random, List<String> from) {
            return from.get(random.nextInt(from.size()));
        }

        /** The model: memberships as the least fixed point of plain set equations. */
        Map<String, Set<String>> members() {
            Map<String, Set<String>> members = new HashMap<>();
            groups.forEach(g -> members.put(g, new TreeSet<>(groupUsers.getOrDefault(g, Set.of()))));
            boolean changed = true;
            while (changed) {
                changed = false;
                for (String g : groups) {
                    for (String sub : subgroups.getOrDefault(g, Set.of())) {
                        changed |= members.get(g).addAll(members.get(sub));
                    }
                }
            }
            return members;
        }

        Map<String, Set<String>> viewers() {
            Map<String, Set<String>> members = members();
            Map<String, Set<String>> view = new HashMap<>();
            for (String f : folders) {
                Set<String> direct = new TreeSet<>(folderUsers.getOrDefault(f, Set.of()));
                folderGroups.getOrDefault(f, Set.of()).forEach(g -> direct.addAll(members.get(g)));
                view.put(f, direct);
            }
            boolean changed = true;
            while (changed) {
                changed = false;
                for (String f : folders) {
                    String p = parent.get(f);
                    if (p != null) {
                        changed |= view.get(f).addAll(view.get(p));
                    }
                }
            }
            return view;
        }

        /** Type, permission and object id to the users holding it. */
        Map<String, Map<String, Set<String>>> expected() {
            Map<String, Map<String, Set<String>>> out = new HashMap<>();
            out.put("group#member", members());
            Map<String, Set<String>> allowed = new HashMap<>();
            members().forEach((g, users) -> {
                Set<String> s = new TreeSet<>(users);
                s.removeAll(bannedFromGroup.getOrDefault(g, Set.of()));
                allowed.put(g, s);
            });
            out.put("group#allowed", allowed);
            out.put("folder#view", viewers());
            Map<String, Set<String>> visible = new HashMap<>();
            viewers().forEach((f, users) -> {
                Set<String> s = new TreeSet<>(users);
                s.removeAll(bannedFromFolder.getOrDefault(f, Set.of()));
                visible.put(f, s);
            });
            out.put("folder#visible", visible);
            return out;
        }

        List<String> ids(String type) {
            return type.equals("group") ? groups : folders;
        }
    }

    static List<Long> seedsFor(int count) {
        List<Long> out = new ArrayList<>();
        for (long s = 0; s < count; s++) {
            out.add(0x5eed0000L + s);
        }
        return out;
    }

    List<Long> seedList() {
        return seedsFor(seeds());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seedList")
    void everyWayOfAsking_givesTheModelsAnswer(long seed) throws Exception {
        World world = new World(seed);
        TupleStore store = store();
        String tenant = "agree-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        List<RelationshipUpdate> updates = world.relationships.stream()
                .map(r -> RelationshipUpdate.touch(Relationship.parse(r))).toList();
        Revision revision = store.write(tenant, updates);
        Map<String, Map<String, Set<String>>> expected = world.expected();
        Random order = new Random(seed * 0xC2B2AE3D27D4EB4FL);
        List<String> questions = new ArrayList<>(List.of("group#member", "group#allowed", "folder#view",
                "folder#visible"));
        try (GraphCheckEngine checksFirst = newEngine(store, options());
                GraphCheckEngine bulkFirst = newEngine(store, options());
                GraphCheckEngine lookupsFirst = newEngine(store, options())) {
            List<String> failures = new ArrayList<>();
            Collections.shuffle(questions, order);
            for (String question : questions) {
                Asker asker = new Asker(tenant, revision, question, world.ids(question.split("#")[0]),
                        expected.get(question), order, failures);
                asker.lookupResources(lookupsFirst, "lookup resources on a fresh engine");
                asker.checks(checksFirst, "checks on a fresh engine");
                asker.bulk(bulkFirst, "bulk checks on a fresh engine");
                asker.lookupSubjects(lookupsFirst, "lookup subjects after lookups");
                asker.checks(lookupsFirst, "checks after lookups");
                asker.bulk(checksFirst, "bulk checks after checks");
                asker.lookupResources(bulkFirst, "lookup resources after bulk checks");
                asker.lookupSubjects(checksFirst, "lookup subjects after checks");
            }
            assertThat(failures).as("seed %d: %d relationships, a chain of %d groups", seed,
                    world.relationships.size(), world.chain).isEmpty();
        }
    }

    /** Asks one question (type#permission, for every user and object) in one way of an engine. */
    private record Asker(String tenant, Revision revision, String question, List<String> ids,
            Map<String, Set<String>> expected, Random order, List<String> failures) {

        String type() {
            return question.split("#")[0];
        }

        String permission() {
            return question.split("#")[1];
        }

        void expect(String how, String user, String id, boolean has) {
            boolean want = expected.getOrDefault(id, Set.of()).contains(user);
            if (want != has) {
                failures.add(how + ": " + type() + ":" + id + "#" + permission() + "@user:" + user + " expected "
                        + (want ? "HAS" : "NO") + ", got " + (has ? "HAS" : "NO"));
            }
        }

        List<String> shuffled(List<String> items) {
            List<String> out = new ArrayList<>(items);
            Collections.shuffle(out, order);
            return out;
        }

        void checks(GraphCheckEngine engine, String how) throws Exception {
            for (String user : shuffled(USERS)) {
                for (String id : shuffled(ids)) {
                    CheckResult r = engine.check(tenant, revision,
                            CheckRequest.of(type() + ":" + id, permission(), "user:" + user)).get();
                    expect(how, user, id, r.permissionship() == Permissionship.HAS);
                }
            }
        }

        void bulk(GraphCheckEngine engine, String how) throws Exception {
            for (String user : shuffled(USERS)) {
                List<String> batch = shuffled(ids);
                List<CheckRequest> requests = batch.stream()
                        .map(id -> CheckRequest.of(type() + ":" + id, permission(), "user:" + user)).toList();
                List<BulkCheckResult> results = engine.checkBulk(tenant, revision, requests).get();
                for (int i = 0; i < batch.size(); i++) {
                    if (results.get(i).error() != null) {
                        failures.add(how + ": " + requests.get(i) + " failed: " + results.get(i).error().getMessage());
                    } else {
                        expect(how, user, batch.get(i), results.get(i).result().permissionship() == Permissionship.HAS);
                    }
                }
            }
        }

        void lookupResources(GraphCheckEngine engine, String how) throws Exception {
            for (String user : shuffled(USERS)) {
                List<String> found = engine.lookupResources(tenant, revision, type(), permission(),
                        SubjectRef.parse("user:" + user), Map.of(), null, 0).get().results().stream()
                        .map(LookupResult::id).toList();
                if (found.size() != new HashSet<>(found).size()) {
                    failures.add(how + ": " + question + " for " + user + " returned duplicates " + found);
                }
                for (String id : ids) {
                    expect(how, user, id, found.contains(id));
                }
            }
        }

        void lookupSubjects(GraphCheckEngine engine, String how) throws Exception {
            for (String id : shuffled(ids)) {
                List<String> found = engine.lookupSubjects(tenant, revision, ObjectRef.parse(type() + ":" + id),
                        permission(), "user", null, Map.of()).get().stream().map(SubjectResult::id).toList();
                for (String user : USERS) {
                    expect(how, user, id, found.contains(user));
                }
                // Streamed, in pages of two: the same subjects, each once.
                List<String> streamed = new ArrayList<>();
                String[] cursor = new String[1];
                int before;
                do {
                    before = streamed.size();
                    engine.streamSubjects(tenant, revision, ObjectRef.parse(type() + ":" + id), permission(), "user",
                            null, Map.of(), cursor[0], 2, (s, c) -> {
                                streamed.add(s.id());
                                cursor[0] = c;
                                return true;
                            });
                } while (streamed.size() - before == 2);
                if (streamed.size() != new HashSet<>(streamed).size()
                        || !new HashSet<>(streamed).equals(new HashSet<>(found))) {
                    failures.add(how + ": streamed lookup subjects of " + id + " gave " + streamed + ", not " + found);
                }
            }
        }
    }
}
