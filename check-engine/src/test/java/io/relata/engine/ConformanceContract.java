package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance cases of {@code conformance/cases}, {@code conformance/deep} and
 * {@code conformance/relata} (cases of our own, answered by {@code src/test/oracle/answer.mjs}),
 * all answered by a real SpiceDB: each case's schema and relationships are written to a fresh tenant, then
 * every check and lookup must give SpiceDB's answer, whatever order the questions come in.
 * Each case runs twice, each time on a fresh engine (empty caches): lookups first, then every
 * check one by one, then all of them in bulk; and bulk checks first, then checks one by one,
 * then lookups. An answer that depends on what an earlier question left in a cache fails one
 * of the two. Each store implementation runs this through its subclass.
 */
public abstract class ConformanceContract {

    protected abstract TupleStore store();

    /** The options of every engine this suite makes (a subclass turns the nested-group index on). */
    protected EngineOptions options() {
        return EngineOptions.DEFAULTS;
    }

    /** Makes each engine of this suite (a subclass may keep them to see what they did). */
    protected GraphCheckEngine newEngine(TupleStore store, EngineOptions options) {
        return new GraphCheckEngine(store, options);
    }

    /** The order in which one run asks a case's questions. */
    enum Order {
        LOOKUPS_FIRST,
        BULK_CHECKS_FIRST
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ConformanceCases.Case c : ConformanceCases.all()) {
            for (Order order : Order.values()) {
                out.add(Arguments.of(c, order));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesSpiceDb(ConformanceCases.Case conformanceCase, Order order) throws Exception {
        JsonNode c = conformanceCase.json();
        TupleStore store = store();
        String tenant = "conf-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, c.get("schema").asText());
        List<RelationshipUpdate> updates = new ArrayList<>();
        for (JsonNode r : c.get("relationships")) {
            updates.add(RelationshipUpdate.touch(Relationship.parse(r.asText())));
        }
        for (int i = 0; i < updates.size(); i += store.options().maxUpdatesPerWrite()) {
            store.write(tenant, updates.subList(i, Math.min(updates.size(), i + store.options().maxUpdatesPerWrite())));
        }
        Revision revision = store.headRevision(tenant);
        List<String> mismatches = new ArrayList<>();
        try (GraphCheckEngine engine = newEngine(store, options())) {
            Questions questions = new Questions(engine, tenant, revision, c, mismatches);
            if (order == Order.LOOKUPS_FIRST) {
                questions.lookups();
                questions.checksOneByOne();
                questions.checksInBulk();
            } else {
                questions.checksInBulk();
                questions.checksOneByOne();
                questions.lookups();
            }
        }
        assertThat(mismatches).as("%s (%s): %d mismatches", conformanceCase, order, mismatches.size()).isEmpty();
    }

    /** A case's questions, asked of one engine; every wrong answer is added to {@code mismatches}. */
    private record Questions(GraphCheckEngine engine, String tenant, Revision revision, JsonNode c,
            List<String> mismatches) {

        List<CheckRequest> requests() {
            List<CheckRequest> requests = new ArrayList<>();
            for (JsonNode check : c.get("checks")) {
                requests.add(new CheckRequest(ObjectRef.parse(check.get("resource").asText()),
                        check.get("permission").asText(), SubjectRef.parse(check.get("subject").asText()),
                        context(check)));
            }
            return requests;
        }

        void checksOneByOne() throws Exception {
            List<CheckRequest> requests = requests();
            List<Permissionship> actual = new ArrayList<>();
            for (CheckRequest r : requests) {
                actual.add(engine.check(tenant, revision, r).get().permissionship());
            }
            compare("check", requests, actual);
        }

        void checksInBulk() throws Exception {
            List<CheckRequest> requests = requests();
            List<Permissionship> actual = new ArrayList<>();
            for (BulkCheckResult r : engine.checkBulk(tenant, revision, requests).get()) {
                assertThat(r.error()).as("bulk item %s", r.request()).isNull();
                actual.add(r.result().permissionship());
            }
            compare("bulk check", requests, actual);
        }

        private void compare(String how, List<CheckRequest> requests, List<Permissionship> actual) {
            JsonNode checks = c.get("checks");
            for (int i = 0; i < requests.size(); i++) {
                String expected = checks.get(i).get("expected").asText();
                if (!actual.get(i).name().equals(expected)) {
                    mismatches.add(how + " " + requests.get(i) + ": expected " + expected + ", got " + actual.get(i));
                }
            }
        }

        void lookups() throws Exception {
            for (JsonNode lookup : c.path("lookups")) {
                String kind = lookup.get("kind").asText();
                List<String> got = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                SortedSet<String> want = ConformanceCases.expected(lookup);
                if (kind.equals("resources")) {
                    engine.lookupResources(tenant, revision, lookup.get("resourceType").asText(),
                            lookup.get("permission").asText(), SubjectRef.parse(lookup.get("subject").asText()),
                            context(lookup), null, 0).get().results().forEach(r -> {
                                ids.add(r.id());
                                got.add(ConformanceCases.describe(lookup, r.id(), r.permissionship().name(),
                                        r.missingContext(), List.of(), List.of()));
                            });
                } else {
                    String relation = lookup.has("optionalSubjectRelation")
                            ? lookup.get("optionalSubjectRelation").asText() : null;
                    engine.lookupSubjects(tenant, revision, ObjectRef.parse(lookup.get("resource").asText()),
                            lookup.get("permission").asText(), lookup.get("subjectType").asText(), relation,
                            context(lookup)).get().forEach(s -> {
                                ids.add(s.id());
                                got.add(describe(lookup, s));
                            });
                    // Streamed, whole and in pages of every concrete limit up to 3: the same answer.
                    for (int limit = 0; limit <= 3; limit++) {
                        List<String> paged = new ArrayList<>();
                        for (SubjectResult s : streamedSubjects(engine, tenant, revision, lookup, relation, limit,
                                mismatches)) {
                            paged.add(describe(lookup, s));
                        }
                        if (paged.size() != new TreeSet<>(paged).size() || !want.equals(new TreeSet<>(paged))) {
                            mismatches.add("streamed lookup (concrete limit " + limit + ") " + lookup
                                    + ":\n    expected " + want + "\n    got      " + paged);
                        }
                    }
                }
                if (ids.size() != new TreeSet<>(ids).size()) {
                    mismatches.add("lookup " + lookup + ": returned an id more than once: " + ids);
                }
                if (!want.equals(new TreeSet<>(got))) {
                    mismatches.add("lookup " + lookup + ":\n    expected " + want + "\n    got      "
                            + new TreeSet<>(got));
                }
            }
        }
    }

    /** Every page of a streamed lookup subjects, each page up to {@code limit} concrete subjects (0: one page). */
    static List<SubjectResult> streamedSubjects(GraphCheckEngine engine, String tenant, Revision revision,
            JsonNode lookup, String relation, int limit, List<String> mismatches) {
        List<SubjectResult> all = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 1_000; page++) {
            List<SubjectResult> got = new ArrayList<>();
            String[] last = new String[1];
            engine.streamSubjects(tenant, revision, ObjectRef.parse(lookup.get("resource").asText()),
                    lookup.get("permission").asText(), lookup.get("subjectType").asText(), relation, context(lookup),
                    cursor, limit, (s, c) -> {
                        got.add(s);
                        last[0] = c;
                        return true;
                    });
            long concrete = got.stream().filter(s -> !s.id().equals("*")).count();
            if (limit > 0 && concrete > limit) {
                mismatches.add("streamed lookup " + lookup + ": a page of limit " + limit + " held " + got);
            }
            all.addAll(got);
            if (limit == 0 || concrete < limit) {
                return all;
            }
            cursor = last[0];
        }
        mismatches.add("streamed lookup " + lookup + ": no end after 1,000 pages");
        return all;
    }

    private static Map<String, Object> context(JsonNode node) {
        return ConformanceCases.context(node);
    }

    private static String describe(JsonNode lookup, SubjectResult s) {
        return ConformanceCases.describe(lookup, s.id(), s.permissionship().name(), s.missingContext(),
                s.excluded().stream().map(LookupResult::id).toList(),
                s.excluded().stream().filter(x -> x.permissionship() == Permissionship.CONDITIONAL)
                        .map(LookupResult::id).toList());
    }
}
