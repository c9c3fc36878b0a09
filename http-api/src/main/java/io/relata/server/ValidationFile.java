package io.relata.server;

import io.relata.store.Relationship;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A validation file in the YAML format of SpiceDB's {@code zed validate}: {@code schema:}
 * (inline) or {@code schemaFile:} (relative to the file), {@code relationships:} (one
 * {@code type:id#rel@type:id[#rel]} per line, optionally {@code [caveat:{json}]}),
 * {@code assertions:} ({@code assertTrue}, {@code assertFalse}, {@code assertCaveated}; each
 * line optionally {@code with {json context}}; Relata's extension: {@code type:id#permission@p1>p2}
 * asserts the composite answer for a chain of principals) and {@code validation:} (the expected subjects
 * of {@code type:id#permission}, as {@code [subject] is <type:id#relation>}). Every item keeps
 * its line in the file, for messages.
 *
 * @param path           the file
 * @param schema         the schema text
 * @param schemaLine     the file line the schema's first line is on (0 when it is another file)
 * @param schemaIndent   how many columns the schema's lines are indented by in the file
 * @param relationships  the relationships, in file order
 * @param relationshipLines  the file line of each relationship
 * @param assertions     the assertions, in file order
 * @param validations    the expected subjects, by resource and permission
 */
record ValidationFile(Path path, String schema, int schemaLine, int schemaIndent, List<Relationship> relationships,
        List<Integer> relationshipLines, List<Assertion> assertions, List<Expected> validations) {

    /** One assertion line. */
    record Assertion(String kind, String text, int line) {}

    /** The expected subjects of one {@code type:id#permission}. */
    record Expected(String resource, List<String> subjects, int line) {}

    /** A file that cannot be read or parsed (exit 2). */
    static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unreadable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Reads a validation file; a {@code schemaFile:} is read relative to it. */
    static ValidationFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Unreadable(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, file, true);
    }

    /**
     * A validation file's text that came from a client (the name only labels messages): the
     * same format, except that {@code schemaFile:} is refused, since a server reads no files
     * for its clients.
     *
     * @throws Unreadable when the text is not a validation file, naming the line
     */
    static ValidationFile parseText(String text, Path name) {
        return parse(text, name, false);
    }

    private static ValidationFile parse(String text, Path file, boolean schemaFiles) {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
        } catch (YAMLException e) {
            throw new Unreadable(file + ": not valid YAML: " + e.getMessage(), e);
        }
        if (!(root instanceof MappingNode map)) {
            throw new Unreadable(file + ": expected a YAML mapping with `schema:` and `relationships:`", null);
        }
        String schema = null;
        int schemaLine = 0;
        List<Relationship> relationships = new ArrayList<>();
        List<Integer> relationshipLines = new ArrayList<>();
        List<Assertion> assertions = new ArrayList<>();
        List<Expected> validations = new ArrayList<>();
        for (NodeTuple entry : map.getValue()) {
            String key = scalar(file, entry.getKeyNode());
            Node value = entry.getValueNode();
            switch (key) {
                case "schema" -> {
                    schema = scalar(file, value);
                    Character style = ((ScalarNode) value).getScalarStyle().getChar();
                    boolean block = style != null && (style == '|' || style == '>');
                    schemaLine = line(value) + (block ? 1 : 0);
                }
                case "schemaFile" -> {
                    if (!schemaFiles) {
                        throw new Unreadable(file + ":" + line(value) + ": `schemaFile:` is not read here; put the"
                                + " schema inline under `schema:`", null);
                    }
                    Path schemaFile = file.toAbsolutePath().getParent().resolve(scalar(file, value));
                    try {
                        schema = Files.readString(schemaFile, StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new Unreadable(file + ":" + line(value) + ": cannot read schemaFile " + schemaFile, e);
                    }
                }
                case "relationships" -> {
                    int first = line(value) + 1;
                    String[] lines = scalar(file, value).split("\n", -1);
                    for (int i = 0; i < lines.length; i++) {
                        String trimmed = lines[i].strip();
                        if (trimmed.isEmpty() || trimmed.startsWith("//")) {
                            continue;
                        }
                        try {
                            relationships.add(Relationship.parse(trimmed));
                            relationshipLines.add(first + i);
                        } catch (IllegalArgumentException e) {
                            throw new Unreadable(file + ":" + (first + i) + ": " + e.getMessage(), e);
                        }
                    }
                }
                case "assertions" -> {
                    if (value instanceof MappingNode kinds) {
                        for (NodeTuple kind : kinds.getValue()) {
                            String name = scalar(file, kind.getKeyNode());
                            if (!List.of("assertTrue", "assertFalse", "assertCaveated").contains(name)) {
                                throw new Unreadable(file + ":" + line(kind.getKeyNode()) + ": unknown assertion kind `"
                                        + name + "`; use assertTrue, assertFalse or assertCaveated", null);
                            }
                            for (Node item : items(file, kind.getValueNode())) {
                                assertions.add(new Assertion(name, scalar(file, item).strip(), line(item)));
                            }
                        }
                    }
                }
                case "validation" -> {
                    if (value instanceof MappingNode expected) {
                        for (NodeTuple e : expected.getValue()) {
                            List<String> subjects = new ArrayList<>();
                            for (Node item : items(file, e.getValueNode())) {
                                subjects.add(scalar(file, item).strip());
                            }
                            validations.add(new Expected(scalar(file, e.getKeyNode()).strip(), subjects,
                                    line(e.getKeyNode())));
                        }
                    }
                }
                default -> {
                    // Other keys (such as zed's `schemaFile` siblings) are not used here.
                }
            }
        }
        if (schema == null) {
            throw new Unreadable(file + ": needs `schema:` (the schema text) or `schemaFile:` (a path)", null);
        }
        int schemaIndent = 0;
        String[] fileLines = text.split("\n", -1);
        if (schemaLine > 0 && schemaLine <= fileLines.length) {
            String first = fileLines[schemaLine - 1];
            schemaIndent = first.length() - first.stripLeading().length();
        }
        return new ValidationFile(file, schema, schemaLine, schemaIndent, relationships, relationshipLines, assertions,
                validations);
    }

    private static List<Node> items(Path file, Node node) {
        if (node instanceof SequenceNode seq) {
            return seq.getValue();
        }
        if (node instanceof ScalarNode s && s.getValue().isEmpty()) {
            return List.of();
        }
        throw new Unreadable(file + ":" + line(node) + ": expected a list", null);
    }

    private static String scalar(Path file, Node node) {
        if (node instanceof ScalarNode s) {
            return s.getValue();
        }
        throw new Unreadable(file + ":" + line(node) + ": expected text here", null);
    }

    /** 1-based line of a node. */
    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }
}
