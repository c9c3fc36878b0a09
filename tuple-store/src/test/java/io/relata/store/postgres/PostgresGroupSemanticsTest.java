package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.Caveat;
import io.relata.store.Cursor;
import io.relata.store.Precondition;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipPage;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.WriteValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A group of writes committed together ({@link PostgresWrites}) ends as the same writes one
 * after another would: random groups of TOUCH, CREATE and DELETE over a few relationships of
 * two resource types, with caveats, expirations in the past and future, preconditions and
 * refusing validators, are compared with a model that applies each write on its own, with
 * its own success or failure.
 */
class PostgresGroupSemanticsTest {

    private static final Instant PAST = Instant.parse("2001-01-01T00:00:00Z");
    private static final Instant FUTURE = Instant.parse("2101-01-01T00:00:00Z");
    /** An expiration PostgreSQL refuses ({@code +10000-01-01T00:00:00Z}): the statement inserting it fails. */
    private static final Instant UNSTORABLE = Instant.ofEpochSecond(253_402_300_800L);

    private PostgresTupleStore store;
    private PostgresWrites writes;
    private String tenant;
    private long tenantId;

    private void open() {
        store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
        writes = new PostgresWrites(TestDatabase.pool(), StoreOptions.DEFAULTS);
        tenant = "t-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, "definition user {}\ndefinition doc {\n  relation viewer: user\n}\n"
                + "definition folder {\n  relation viewer: user\n}");
        tenantId = store.tenantId(tenant);
    }

    private void close() {
        store.close();
    }

    /** Thrown by a validator that refuses its write. */
    private static final class Refused extends RuntimeException {
        Refused() {
            super("refused");
        }
    }

    private record Write(GroupCommit.Pending pending, boolean refuse, boolean unstorable) {}

    @Test
    void randomGroups_endAsTheirWritesOneAfterAnother() {
        for (long seed = 1; seed <= 3; seed++) {
            open();
            run(new Random(seed), 120);
            close();
        }
    }

    private void run(Random random, int rounds) {
        Map<Relationship, Relationship> model = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            List<Write> group = new ArrayList<>();
            int size = 1 + random.nextInt(10);
            for (int i = 0; i < size; i++) {
                group.add(randomWrite(random));
            }
            List<GroupCommit.Pending> pending = group.stream().map(Write::pending).toList();
            try {
                writes.commit(tenantId, pending, () -> {});
            } catch (RuntimeException e) {
                // As GroupCommit does: what the committer throws fails the writes not yet answered.
                pending.forEach(p -> p.result.completeExceptionally(e));
            }
            Instant now = Instant.now();
            List<String> expectedOutcomes = new ArrayList<>();
            List<String> outcomes = new ArrayList<>();
            for (Write w : group) {
                String expected = applyToModel(model, w, now);
                String actual = outcome(w.pending());
                if (w.unstorable) {
                    // Fails on a statement; which error it reports when it would fail anyway does not matter.
                    expected = "failed";
                    actual = actual.equals("ok") ? "ok" : "failed";
                }
                expectedOutcomes.add(expected);
                outcomes.add(actual);
            }
            assertThat(outcomes).as("round %d: each write's own outcome, writes %s", round, describe(group))
                    .isEqualTo(expectedOutcomes);
            Revision head = store.headRevision(tenant);
            for (Write w : group) {
                if (w.pending().result.isDone() && !w.pending().result.isCompletedExceptionally()) {
                    assertThat(w.pending().result.join()).as("a committed write's revision is the head").isEqualTo(head);
                }
            }
            TreeSet<String> expected = new TreeSet<>();
            model.values().stream().filter(r -> !r.isExpiredAt(now)).forEach(r -> expected.add(r.toString()));
            assertThat(readAll(head)).as("round %d: state after writes %s", round, describe(group)).isEqualTo(expected);
        }
    }

    private static String describe(List<Write> group) {
        List<String> out = new ArrayList<>();
        for (Write w : group) {
            out.add((w.refuse ? "refused " : "") + (w.unstorable ? "unstorable " : "") + w.pending().updates + " if " + w.pending().preconditions);
        }
        return String.join("; ", out);
    }

    private static String outcome(GroupCommit.Pending p) {
        try {
            p.result.join();
            return "ok";
        } catch (CompletionException e) {
            return e.getCause().getClass().getSimpleName();
        }
    }

    /** Applies one write to the model, as a store applying writes one at a time would; returns its outcome. */
    private static String applyToModel(Map<Relationship, Relationship> model, Write w, Instant now) {
        if (w.refuse) {
            return "Refused";
        }
        if (w.unstorable) {
            return "failed";
        }
        for (Precondition p : w.pending().preconditions) {
            boolean matched = model.values().stream().anyMatch(r -> !r.isExpiredAt(now) && p.filter().matches(r));
            if (matched != (p.kind() == Precondition.Kind.MUST_MATCH)) {
                return "PreconditionFailedException";
            }
        }
        Map<Relationship, Relationship> next = new LinkedHashMap<>(model);
        for (RelationshipUpdate u : w.pending().updates) {
            Relationship key = u.relationship().key();
            switch (u.operation()) {
                case CREATE -> {
                    Relationship existing = next.get(key);
                    if (existing != null && !existing.isExpiredAt(now)) {
                        return "AlreadyExistsException";
                    }
                    next.put(key, u.relationship());
                }
                case TOUCH -> next.put(key, u.relationship());
                case DELETE -> next.remove(key);
            }
        }
        model.clear();
        model.putAll(next);
        return "ok";
    }

    private Write randomWrite(Random random) {
        List<RelationshipUpdate> updates = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>();
        int size = 1 + random.nextInt(3);
        while (keys.size() < size) {
            keys.add((random.nextBoolean() ? "doc" : "folder") + ":r" + random.nextInt(3) + "#viewer@user:u"
                    + random.nextInt(2));
        }
        for (String key : keys) {
            Relationship r = Relationship.parse(key);
            int e = random.nextInt(4);
            if (e == 1) {
                r = r.withExpiration(PAST);
            } else if (e == 2) {
                r = r.withExpiration(FUTURE);
            }
            if (random.nextInt(3) == 0) {
                r = r.withCaveat(new Caveat("c", Map.of("v", "x" + random.nextInt(100))));
            }
            int op = random.nextInt(8);
            updates.add(op < 4 ? RelationshipUpdate.touch(r)
                    : op < 6 ? RelationshipUpdate.delete(r.key()) : RelationshipUpdate.create(r));
        }
        boolean unstorable = random.nextInt(20) == 0;
        if (unstorable) {
            updates.add(RelationshipUpdate.touch(Relationship.parse("doc:unstorable#viewer@user:u0")
                    .withExpiration(UNSTORABLE)));
        }
        List<Precondition> preconditions = new ArrayList<>();
        if (random.nextInt(4) == 0) {
            RelationshipFilter f = RelationshipFilter.of(random.nextBoolean() ? "doc" : "folder", "r" + random.nextInt(3),
                    "viewer");
            preconditions.add(random.nextBoolean() ? Precondition.mustMatch(f) : Precondition.mustNotMatch(f));
        }
        boolean refuse = random.nextInt(10) == 0;
        int kind = random.nextInt(4);
        WriteValidator validator = context -> {
            if (kind == 1) {
                context.head();
            } else if (kind == 2) {
                context.schema().orElseThrow();
            }
            if (refuse) {
                throw new Refused();
            }
        };
        return new Write(new GroupCommit.Pending(updates, preconditions, Map.of(), validator), refuse, unstorable);
    }

    private TreeSet<String> readAll(Revision at) {
        TreeSet<String> out = new TreeSet<>();
        for (String type : List.of("doc", "folder")) {
            Cursor cursor = null;
            do {
                RelationshipPage page = store.read(tenant, RelationshipFilter.ofType(type), at, cursor, 500);
                page.relationships().forEach(r -> out.add(r.toString()));
                cursor = page.next();
            } while (cursor != null);
        }
        return out;
    }
}
