package io.relata.schema;

import io.relata.schema.ast.ArrowNode;
import io.relata.schema.ast.BinaryNode;
import io.relata.schema.ast.CaveatNode;
import io.relata.schema.ast.Comment;
import io.relata.schema.ast.Comments;
import io.relata.schema.ast.CompositeNode;
import io.relata.schema.ast.CompositeRuleNode;
import io.relata.schema.ast.DefinitionNode;
import io.relata.schema.ast.ExprNode;
import io.relata.schema.ast.ImportDirective;
import io.relata.schema.ast.MemberNode;
import io.relata.schema.ast.NilNode;
import io.relata.schema.ast.ParameterNode;
import io.relata.schema.ast.PermissionNode;
import io.relata.schema.ast.ReferenceNode;
import io.relata.schema.ast.RelationNode;
import io.relata.schema.ast.SchemaFile;
import io.relata.schema.ast.SelfNode;
import io.relata.schema.ast.TopLevel;
import io.relata.schema.ast.TypeRefNode;
import io.relata.schema.ast.UseDirective;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Prints schemas in one canonical layout: tab indentation, one blank line between top-level
 * items, one member per line, a blank line before a commented member, single spaces around
 * operators, and parentheses wherever operators of different kinds (or a right-nested one of
 * the same kind) meet. Comments are kept where they were attached.
 *
 * <p>{@code format} is idempotent, and parsing its output gives a tree equal to the tree it
 * printed.
 */
public final class SchemaFormatter {

    private static final String INDENT = "\t";

    private SchemaFormatter() {}

    /**
     * Formats schema text.
     *
     * @throws SchemaException when the text has syntax errors (semantic errors do not stop formatting)
     */
    public static String format(String text) {
        SchemaCompiler.Parsed parsed = SchemaCompiler.parse(text);
        if (!parsed.ok()) {
            throw new SchemaException(parsed.errors());
        }
        return format(parsed.file());
    }

    /**
     * {@code text} as SpiceDB reads it: formatted, with Relata's {@code composite} blocks left
     * out (SpiceDB has no such block); every definition and caveat means what it meant.
     *
     * @throws SchemaException when the text has syntax errors
     */
    public static String withoutComposites(String text) {
        SchemaCompiler.Parsed parsed = SchemaCompiler.parse(text);
        if (!parsed.ok()) {
            throw new SchemaException(parsed.errors());
        }
        SchemaFile file = parsed.file();
        return format(new SchemaFile(file.items().stream().filter(i -> !(i instanceof CompositeNode)).toList(),
                file.closingComments()));
    }

    /** Prints a syntax tree. */
    public static String format(SchemaFile file) {
        StringBuilder out = new StringBuilder();
        TopLevel previous = null;
        for (TopLevel item : file.items()) {
            if (previous != null) {
                boolean useAfterUse = previous instanceof UseDirective && item instanceof UseDirective
                        && item.comments().leading().isEmpty();
                out.append(useAfterUse ? "\n" : "\n\n");
            }
            topLevel(out, item);
            previous = item;
        }
        if (!file.closingComments().isEmpty()) {
            if (previous != null) {
                out.append("\n\n");
            }
            comments(out, file.closingComments(), "");
            out.append('\n');
        } else if (previous != null) {
            out.append('\n');
        }
        return out.toString();
    }

    private static void topLevel(StringBuilder out, TopLevel item) {
        leading(out, item.comments(), "");
        if (item instanceof UseDirective use) {
            out.append("use ").append(use.flag());
        } else if (item instanceof ImportDirective imp) {
            out.append("import \"").append(imp.path()).append('"');
        } else if (item instanceof DefinitionNode definition) {
            definition(out, definition);
        } else if (item instanceof CompositeNode composite) {
            composite(out, composite);
        } else {
            caveat(out, (CaveatNode) item);
        }
        trailing(out, item.comments());
    }

    private static void definition(StringBuilder out, DefinitionNode definition) {
        out.append("definition ").append(definition.name()).append(" {");
        if (definition.members().isEmpty() && definition.closingComments().isEmpty()) {
            out.append('}');
            return;
        }
        out.append('\n');
        boolean first = true;
        for (MemberNode member : definition.members()) {
            if (!first && !member.comments().leading().isEmpty()) {
                out.append('\n');
            }
            leading(out, member.comments(), INDENT);
            out.append(INDENT);
            if (member instanceof RelationNode relation) {
                out.append("relation ").append(relation.name()).append(": ")
                        .append(relation.types().stream().map(SchemaFormatter::typeRef).collect(Collectors.joining(" | ")));
            } else {
                PermissionNode permission = (PermissionNode) member;
                out.append("permission ").append(permission.name()).append(" = ")
                        .append(expression(permission.expression(), null, false));
            }
            trailing(out, member.comments());
            out.append('\n');
            first = false;
        }
        if (!definition.closingComments().isEmpty()) {
            if (!definition.members().isEmpty()) {
                out.append('\n');
            }
            comments(out, definition.closingComments(), INDENT);
            out.append('\n');
        }
        out.append('}');
    }

    private static void composite(StringBuilder out, CompositeNode composite) {
        out.append("composite ").append(composite.name()).append(" = ")
                .append(composite.chain().stream().map(CompositeNode.Named::name).collect(Collectors.joining(" > ")));
        if (!composite.bindings().isEmpty()) {
            out.append(" where ").append(composite.bindings().stream()
                    .map(b -> b.type().name() + "#" + b.relation().name()).collect(Collectors.joining(", ")));
        }
        out.append(" {");
        if (composite.rules().isEmpty() && composite.closingComments().isEmpty()) {
            out.append('}');
            return;
        }
        out.append('\n');
        boolean first = true;
        for (CompositeRuleNode rule : composite.rules()) {
            if (!first && !rule.comments().leading().isEmpty()) {
                out.append('\n');
            }
            leading(out, rule.comments(), INDENT);
            out.append(INDENT).append("permission ").append(rule.resourceType().name()).append('#')
                    .append(rule.permission().name()).append(" = ")
                    .append(rule.links().stream().map(CompositeNode.Named::name).collect(Collectors.joining(" > ")));
            trailing(out, rule.comments());
            out.append('\n');
            first = false;
        }
        if (!composite.closingComments().isEmpty()) {
            if (!composite.rules().isEmpty()) {
                out.append('\n');
            }
            comments(out, composite.closingComments(), INDENT);
            out.append('\n');
        }
        out.append('}');
    }

    private static String typeRef(TypeRefNode ref) {
        StringBuilder out = new StringBuilder(ref.type());
        if (ref.wildcard()) {
            out.append(":*");
        } else if (ref.relation() != null) {
            out.append('#').append(ref.relation());
        }
        if (ref.caveat() != null) {
            out.append(" with ").append(ref.caveat());
            if (ref.expiration()) {
                out.append(" and expiration");
            }
        } else if (ref.expiration()) {
            out.append(" with expiration");
        }
        return out.toString();
    }

    /** Prints {@code expr}; {@code parent} is the operator it is an operand of, if any. */
    static String expression(ExprNode expr, BinaryNode.Operator parent, boolean rightOperand) {
        if (expr instanceof BinaryNode binary) {
            // Walk the left spine with a loop: long chains nest to the left.
            java.util.ArrayDeque<BinaryNode> spine = new java.util.ArrayDeque<>();
            ExprNode current = binary;
            while (current instanceof BinaryNode b) {
                spine.push(b);
                current = b.left();
            }
            BinaryNode deepest = spine.peek();
            StringBuilder text = new StringBuilder(expression(current, deepest.operator(), false));
            BinaryNode below = null;
            while (!spine.isEmpty()) {
                BinaryNode level = spine.pop();
                if (below != null && below.operator() != level.operator()) {
                    text.insert(0, '(').append(')');
                }
                text.append(' ').append(level.operator().symbol()).append(' ')
                        .append(expression(level.right(), level.operator(), true));
                below = level;
            }
            boolean parenthesize = parent != null && (parent != binary.operator() || rightOperand);
            return parenthesize ? "(" + text + ")" : text.toString();
        }
        if (expr instanceof ReferenceNode reference) {
            return reference.name();
        }
        if (expr instanceof NilNode) {
            return "nil";
        }
        if (expr instanceof SelfNode) {
            return "self";
        }
        ArrowNode arrow = (ArrowNode) expr;
        switch (arrow.function()) {
            case ANY:
                return arrow.left() + ".any(" + arrow.right() + ")";
            case ALL:
                return arrow.left() + ".all(" + arrow.right() + ")";
            default:
                return arrow.left() + "->" + arrow.right();
        }
    }

    private static void caveat(StringBuilder out, CaveatNode caveat) {
        out.append("caveat ").append(caveat.name()).append('(');
        out.append(caveat.parameters().stream()
                .map((ParameterNode p) -> p.name() + " " + p.type().text())
                .collect(Collectors.joining(", ")));
        out.append(") {\n");
        // Inside a multi-line string literal, indentation is part of the value: print as is.
        String expression = caveat.expression();
        boolean verbatim = expression.contains("'''") || expression.contains("\"\"\"");
        for (String line : expression.split("\n", -1)) {
            if (!line.isEmpty() && !verbatim) {
                out.append(INDENT);
            }
            out.append(line).append('\n');
        }
        out.append('}');
    }

    private static void leading(StringBuilder out, Comments comments, String indent) {
        if (!comments.leading().isEmpty()) {
            comments(out, comments.leading(), indent);
            out.append('\n');
        }
    }

    private static void trailing(StringBuilder out, Comments comments) {
        for (Comment comment : comments.trailing()) {
            out.append(' ').append(reindent(comment, ""));
        }
    }

    /** Comments one per line at {@code indent}, without a final newline. */
    private static void comments(StringBuilder out, List<Comment> comments, String indent) {
        for (int i = 0; i < comments.size(); i++) {
            if (i > 0) {
                out.append(comments.get(i).blankLineBefore() ? "\n\n" : "\n");
            }
            out.append(indent).append(reindent(comments.get(i), indent));
        }
    }

    /**
     * A comment's continuation lines at {@code indent}: when every one starts with {@code *}
     * (the javadoc layout) they get one more space so the stars line up under {@code /**}.
     */
    private static String reindent(Comment comment, String indent) {
        String[] lines = comment.text().split("\n", -1);
        boolean stars = true;
        for (int i = 1; i < lines.length; i++) {
            stars &= lines[i].isEmpty() || lines[i].startsWith("*");
        }
        StringBuilder out = new StringBuilder(lines[0]);
        for (int i = 1; i < lines.length; i++) {
            out.append('\n');
            if (!lines[i].isEmpty()) {
                out.append(indent).append(stars ? " " : "").append(lines[i]);
            }
        }
        return out.toString();
    }
}
