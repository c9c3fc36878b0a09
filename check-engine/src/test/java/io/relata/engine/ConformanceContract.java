package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance cases of {@code conformance/cases}, answered by a real SpiceDB: each case's
 * schema and relationships are written to a fresh tenant, then every check and lookup must
 * give SpiceDB's answer. Each store implementation runs this through its subclass.
 */
public abstract class ConformanceContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    protected abstract TupleStore store();

    /** True to ask checks one by one, false to ask them in bulk. */
    protected abstract boolean oneByOne();

    static Stream<Arguments> cases() throws IOException, URISyntaxException {
        Path dir = Path.of(ConformanceContract.class.getResource("/conformance/cases").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            assertThat(list).hasSizeGreaterThanOrEqualTo(60);
            return list.stream().map(p -> Arguments.of(Named.of(p.getFileName().toString(), p)));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesSpiceDb(Path file) throws Exception {
        JsonNode c = JSON.readTree(file.toFile());
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
        try (GraphCheckEngine engine = new GraphCheckEngine(store)) {
            List<CheckRequest> requests = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (JsonNode check : c.get("checks")) {
                requests.add(new CheckRequest(ObjectRef.parse(check.get("resource").asText()),
                        check.get("permission").asText(), SubjectRef.parse(check.get("subject").asText()),
                        context(check)));
                expected.add(check.get("expected").asText());
            }
            List<Permissionship> actual = new ArrayList<>();
            if (oneByOne()) {
                for (CheckRequest r : requests) {
                    actual.add(engine.check(tenant, revision, r).get().permissionship());
                }
            } else {
                for (BulkCheckResult r : engine.checkBulk(tenant, revision, requests).get()) {
                    assertThat(r.error()).as("bulk item %s", r.request()).isNull();
                    actual.add(r.result().permissionship());
                }
            }
            for (int i = 0; i < requests.size(); i++) {
                if (!actual.get(i).name().equals(expected.get(i))) {
                    mismatches.add("check " + requests.get(i) + ": expected " + expected.get(i) + ", got " + actual.get(i));
                }
            }
            for (JsonNode lookup : c.path("lookups")) {
                String kind = lookup.get("kind").asText();
                List<String> want = new ArrayList<>();
                List<String> got = new ArrayList<>();
                if (kind.equals("resources")) {
                    lookup.get("expected").forEach(e -> want.add(e.get("id").asText() + ":" + e.get("permissionship").asText()));
                    engine.lookupResources(tenant, revision, lookup.get("resourceType").asText(),
                            lookup.get("permission").asText(), SubjectRef.parse(lookup.get("subject").asText()),
                            context(lookup), null, 0).get().results()
                            .forEach(r -> got.add(r.id() + ":" + r.permissionship()));
                } else {
                    lookup.get("expected").forEach(e -> want.add(describe(e)));
                    String relation = lookup.has("optionalSubjectRelation")
                            ? lookup.get("optionalSubjectRelation").asText() : null;
                    engine.lookupSubjects(tenant, revision, ObjectRef.parse(lookup.get("resource").asText()),
                            lookup.get("permission").asText(), lookup.get("subjectType").asText(), relation,
                            context(lookup)).get().forEach(s -> got.add(describe(s)));
                }
                if (!new TreeSet<>(want).equals(new TreeSet<>(got))) {
                    mismatches.add("lookup " + lookup + ":\n    expected " + new TreeSet<>(want) + "\n    got      "
                            + new TreeSet<>(got));
                }
            }
        }
        assertThat(mismatches).as("%s: %d mismatches", file.getFileName(), mismatches.size()).isEmpty();
    }

    private static Map<String, Object> context(JsonNode node) {
        return node.has("context") ? JSON.convertValue(node.get("context"), MAP) : Map.of();
    }

    private static String describe(JsonNode e) {
        StringBuilder out = new StringBuilder(e.get("id").asText()).append(':').append(e.get("permissionship").asText());
        if (e.has("excludedIds")) {
            List<String> ids = new ArrayList<>();
            e.get("excludedIds").forEach(x -> ids.add(x.asText()));
            out.append(" excluding ").append(new TreeSet<>(ids));
        }
        if (e.has("excludedConditionalIds")) {
            List<String> ids = new ArrayList<>();
            e.get("excludedConditionalIds").forEach(x -> ids.add(x.asText()));
            out.append(" conditionally ").append(new TreeSet<>(ids));
        }
        return out.toString();
    }

    private static String describe(SubjectResult s) {
        StringBuilder out = new StringBuilder(s.id()).append(':').append(s.permissionship());
        if (!s.excluded().isEmpty()) {
            out.append(" excluding ").append(new TreeSet<>(s.excluded().stream().map(LookupResult::id).toList()));
            List<String> conditional = s.excluded().stream()
                    .filter(x -> x.permissionship() == Permissionship.CONDITIONAL).map(LookupResult::id).toList();
            if (!conditional.isEmpty()) {
                out.append(" conditionally ").append(new TreeSet<>(conditional));
            }
        }
        return out.toString();
    }
}
