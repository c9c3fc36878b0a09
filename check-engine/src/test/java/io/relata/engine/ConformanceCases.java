package io.relata.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The conformance cases SpiceDB answered ({@code conformance/cases}, {@code conformance/deep} and
 * {@code conformance/relata} on the test class path; see {@code conformance/README.md}), and how an
 * answer is compared with what a case expects. Shared by the engine's runner and by the server's runs
 * over HTTP and gRPC (this module publishes its test classes as a test-jar).
 *
 * <p>An answer to a lookup is compared as a set of descriptions, one per result: {@code id:PERMISSIONSHIP}
 * (permissionship {@code HAS} or {@code CONDITIONAL}), then {@code missing [names]} where the case records
 * missing context, {@code excluding [ids]} for a wildcard's exclusions and {@code conditionally [ids]} for
 * those of them whose exclusion is itself conditional.
 */
public final class ConformanceCases {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private ConformanceCases() {}

    /**
     * One case file.
     *
     * @param name {@code dir/file.json}, e.g. {@code cases/case-001.json}
     * @param json the whole case: {@code schema}, {@code relationships}, {@code checks}, {@code lookups}
     */
    public record Case(String name, JsonNode json) {

        /** The schema text. */
        public String schema() {
            return json.get("schema").asText();
        }

        /** The relationships in their text form ({@code io.relata.store.Relationship#parse} reads them). */
        public List<String> relationships() {
            List<String> out = new ArrayList<>();
            json.get("relationships").forEach(r -> out.add(r.asText()));
            return out;
        }

        /** The checks, each with {@code resource}, {@code permission}, {@code subject}, {@code context}?, {@code expected}. */
        public List<JsonNode> checks() {
            List<JsonNode> out = new ArrayList<>();
            json.get("checks").forEach(out::add);
            return out;
        }

        /** The lookups, each with {@code kind} ({@code resources} or {@code subjects}) and {@code expected}. */
        public List<JsonNode> lookups() {
            List<JsonNode> out = new ArrayList<>();
            json.path("lookups").forEach(out::add);
            return out;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Every case: all of {@code cases/} (at least 60), {@code deep/} (at least 7) and {@code relata/}. */
    public static List<Case> all() {
        List<Case> out = new ArrayList<>();
        out.addAll(read("cases", 60));
        out.addAll(read("deep", 7));
        out.addAll(read("relata", 1));
        return out;
    }

    /** The cases of one directory, sorted by file name; fails if there are fewer than {@code atLeast}. */
    public static List<Case> read(String dir, int atLeast) {
        URL url = ConformanceCases.class.getResource("/conformance/" + dir);
        if (url == null) {
            throw new IllegalStateException("no conformance/" + dir + " on the test class path");
        }
        List<Case> out = new ArrayList<>();
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                FileSystem fs;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                readAll(fs.provider().getPath(uri), dir, out);
            } else {
                readAll(Path.of(uri), dir, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (out.size() < atLeast) {
            throw new IllegalStateException("conformance/" + dir + " holds " + out.size() + " cases, expected at least "
                    + atLeast);
        }
        return out;
    }

    private static void readAll(Path path, String dir, List<Case> out) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(path)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path p : files) {
            out.add(new Case(dir + "/" + p.getFileName(), JSON.readTree(Files.readString(p))));
        }
    }

    /** The request context of a check or lookup: its {@code context} object, or empty. */
    public static Map<String, Object> context(JsonNode question) {
        return question.has("context") ? JSON.convertValue(question.get("context"), MAP) : Map.of();
    }

    /** What a lookup expects, as the set of descriptions its answer must equal. */
    public static SortedSet<String> expected(JsonNode lookup) {
        SortedSet<String> out = new TreeSet<>();
        for (JsonNode e : lookup.get("expected")) {
            out.add(describe(lookup, e.get("id").asText(), e.get("permissionship").asText(),
                    strings(e.path("missingContext")), strings(e.path("excludedIds")),
                    strings(e.path("excludedConditionalIds"))));
        }
        return out;
    }

    /**
     * The description of one result of {@code lookup}.
     *
     * @param permissionship {@code HAS} or {@code CONDITIONAL}
     * @param missing        the missing caveat parameters reported (compared only where the case records them)
     * @param excluded       the ids a wildcard excludes
     * @param conditionally  those of {@code excluded} whose exclusion is conditional
     */
    public static String describe(JsonNode lookup, String id, String permissionship, Collection<String> missing,
            Collection<String> excluded, Collection<String> conditionally) {
        StringBuilder out = new StringBuilder(id).append(':').append(permissionship);
        if (recordsMissingContext(lookup) && !missing.isEmpty()) {
            out.append(" missing ").append(new TreeSet<>(missing));
        }
        if (!excluded.isEmpty()) {
            out.append(" excluding ").append(new TreeSet<>(excluded));
        }
        if (!conditionally.isEmpty()) {
            out.append(" conditionally ").append(new TreeSet<>(conditionally));
        }
        return out.toString();
    }

    /**
     * Whether the case recorded the missing caveat parameters SpiceDB reported for this lookup
     * ({@code missingContext} on some expected entry): only then are they compared.
     */
    public static boolean recordsMissingContext(JsonNode lookup) {
        for (JsonNode e : lookup.get("expected")) {
            if (e.has("missingContext")) {
                return true;
            }
        }
        return false;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }
}
