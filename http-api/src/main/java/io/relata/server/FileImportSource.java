package io.relata.server;

import io.relata.store.Relationship;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The relationships of a file for {@code relata import}, read a batch of lines at a time:
 *
 * <ul>
 *   <li>a validation file's ({@code .yaml}, {@code .yml}) {@code relationships:};
 *   <li>otherwise NDJSON, one JSON object a line, each either a relationship in the HTTP API's
 *       shape ({@code {"resource": ..., "relation": ..., "subject": ...}}) or an
 *       {@code ImportBulkRelationshipsRequest} message ({@code {"relationships": [...]}}, the
 *       HTTP import's body); blank lines are skipped.
 * </ul>
 *
 * Errors name the file and line.
 */
final class FileImportSource implements ImportSource, AutoCloseable {

    private static final int LINES_PER_BATCH = 1_000;

    private final Path path;
    private final BufferedReader ndjson;
    private final ValidationFile yaml;
    private int yamlNext;
    private long line;

    private FileImportSource(Path path, BufferedReader ndjson, ValidationFile yaml) {
        this.path = path;
        this.ndjson = ndjson;
        this.yaml = yaml;
    }

    /** Whether {@code path} is read as a validation file (by its extension). */
    static boolean isValidationFile(Path path) {
        String name = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    /** @throws ValidationFile.Unreadable for a validation file that cannot be read */
    static FileImportSource open(Path path) throws IOException {
        if (isValidationFile(path)) {
            return new FileImportSource(path, null, ValidationFile.read(path));
        }
        return new FileImportSource(path, Files.newBufferedReader(path, StandardCharsets.UTF_8), null);
    }

    /** The validation file read, or null for NDJSON. */
    ValidationFile validationFile() {
        return yaml;
    }

    @Override
    public Batch next() {
        return yaml != null ? nextOfYaml() : nextOfNdjson();
    }

    private Batch nextOfYaml() {
        int from = yamlNext;
        int to = Math.min(yaml.relationships().size(), from + LINES_PER_BATCH);
        if (from >= to) {
            return null;
        }
        yamlNext = to;
        List<Integer> lines = yaml.relationshipLines();
        return new Batch(yaml.relationships().subList(from, to), i -> path + ":" + lines.get(from + i));
    }

    private Batch nextOfNdjson() {
        Origins origins = new Origins();
        try {
            String text;
            while (origins.size < LINES_PER_BATCH && (text = ndjson.readLine()) != null) {
                long n = ++line;
                if (text.isBlank()) {
                    continue;
                }
                JsonObject object;
                try {
                    object = new JsonObject(text);
                } catch (DecodeException e) {
                    throw ApiException.invalid(path + ":" + n + ": not a JSON object; write one relationship (or one"
                            + " {\"relationships\": [...]} message) a line");
                }
                if (object.containsKey("relationships")) {
                    JsonArray message = Json.array(object, "relationships");
                    for (int i = 0; i < message.size(); i++) {
                        origins.add(relationship(message.getValue(i), n, i), n, i);
                    }
                } else {
                    origins.add(relationship(object, n, -1), n, -1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot read: " + e.getMessage(), e);
        }
        return origins.size == 0 ? null : new Batch(origins.relationships, i -> where(origins.lines[i], origins.items[i]));
    }

    /** A batch's relationships with the line of each and its index in the line's message (-1 for a line of one). */
    private static final class Origins {
        final List<Relationship> relationships = new ArrayList<>();
        long[] lines = new long[LINES_PER_BATCH];
        int[] items = new int[LINES_PER_BATCH];
        int size;

        void add(Relationship r, long line, int item) {
            if (size == lines.length) {
                lines = java.util.Arrays.copyOf(lines, size * 2);
                items = java.util.Arrays.copyOf(items, size * 2);
            }
            lines[size] = line;
            items[size] = item;
            relationships.add(r);
            size++;
        }
    }

    private Relationship relationship(Object item, long line, int index) {
        try {
            return JsonImportSource.relationship(item);
        } catch (ApiException | IllegalArgumentException | io.relata.engine.EngineException e) {
            throw ImportSource.refused(where(line, index), e);
        }
    }

    private String where(long line, int item) {
        return item < 0 ? path + ":" + line : path + ":" + line + ", relationships[" + item + "]";
    }

    @Override
    public void close() throws IOException {
        if (ndjson != null) {
            ndjson.close();
        }
    }
}
