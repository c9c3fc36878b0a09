package io.relata.schema.ast;

import java.util.List;

/**
 * The syntax tree of one schema file, in source order.
 *
 * @param items            use directives, imports, definitions and caveats
 * @param closingComments  comments after the last item
 */
public record SchemaFile(List<TopLevel> items, List<Comment> closingComments) {

    public SchemaFile {
        items = List.copyOf(items);
        closingComments = List.copyOf(closingComments);
    }
}
