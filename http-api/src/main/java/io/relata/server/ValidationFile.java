package io.relata.server;

import io.relata.store.Relationship;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The schema and relationships of a validation file in the YAML format of SpiceDB's
 * {@code zed validate}: {@code schema:} (inline) or {@code schemaFile:} (relative to the
 * file), and {@code relationships:} (one {@code type:id#rel@type:id[#rel]} per line,
 * optionally {@code [caveat:{json}]}). Used by {@code relata serve --bootstrap}.
 *
 * @param schema         the schema text
 * @param relationships  the relationships, in file order
 */
record ValidationFile(String schema, List<Relationship> relationships) {

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException with the file, the line and what is wrong
     */
    static ValidationFile read(Path file) throws IOException {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
        } catch (YAMLException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(file + ": expected a YAML mapping with `schema:` and `relationships:`");
        }
        String schema;
        if (map.get("schema") instanceof String inline) {
            schema = inline;
        } else if (map.get("schemaFile") instanceof String path) {
            schema = Files.readString(file.toAbsolutePath().getParent().resolve(path), StandardCharsets.UTF_8);
        } else {
            throw new IllegalArgumentException(file + ": needs `schema:` (the schema text) or `schemaFile:` (a path)");
        }
        List<Relationship> relationships = new ArrayList<>();
        Object rels = map.get("relationships");
        if (rels != null && !(rels instanceof String)) {
            throw new IllegalArgumentException(file + ": `relationships:` must be a block of lines, one relationship each");
        }
        String text = rels == null ? "" : (String) rels;
        int lineNumber = 0;
        for (String line : text.split("\n", -1)) {
            lineNumber++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("//")) {
                continue;
            }
            try {
                relationships.add(Relationship.parse(trimmed));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": relationship " + lineNumber + " of `relationships:`: "
                        + e.getMessage(), e);
            }
        }
        return new ValidationFile(schema, relationships);
    }
}
