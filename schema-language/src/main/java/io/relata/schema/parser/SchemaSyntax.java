package io.relata.schema.parser;

import io.relata.schema.Diagnostic;
import io.relata.schema.SourceText;
import io.relata.schema.ast.SchemaFile;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;

/**
 * Reads schema text into a syntax tree. Entry point of this package; the public API is
 * {@link io.relata.schema.SchemaCompiler#parse(String)}.
 */
public final class SchemaSyntax {

    private SchemaSyntax() {}

    /** The tree of {@code text} and the syntax errors found in it (the tree is partial when there are any). */
    public record Result(SchemaFile file, List<Diagnostic> errors) {}

    public static Result parse(String text) {
        SourceText source = new SourceText(text);
        SyntaxErrors errors = new SyntaxErrors(source);
        // A lone carriage return ends a line, as in SpiceDB; ANTLR counts lines by \n only.
        // Same length, so offsets do not move.
        String lexed = text.replaceAll("\r(?!\n)", "\n");
        try {
            return parse(lexed, source, errors);
        } catch (StackOverflowError e) {
            Diagnostic tooDeep = source.error(io.relata.schema.ast.Span.NONE,
                    "the schema nests expressions too deeply to read; split long or deeply parenthesized"
                            + " expressions into several permissions");
            return new Result(new SchemaFile(List.of(), List.of()), List.of(tooDeep));
        }
    }

    private static Result parse(String text, SourceText source, SyntaxErrors errors) {
        SchemaDslLexer lexer = new SchemaDslLexer(CharStreams.fromString(text));
        lexer.removeErrorListeners();
        lexer.addErrorListener(errors.lexerListener());
        CommonTokenStream tokens = new CommonTokenStream(new NewlineSemicolons(lexer));
        SchemaDslParser parser = new SchemaDslParser(tokens);
        parser.removeErrorListeners();
        parser.setErrorHandler(errors);
        SchemaDslParser.SchemaContext tree = parser.schema();
        List<Diagnostic> diagnostics = new ArrayList<>(errors.diagnostics());
        SchemaFile file = new AstBuilder(tokens, source, diagnostics).file(tree);
        diagnostics.sort(java.util.Comparator.comparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column));
        return new Result(file, List.copyOf(diagnostics));
    }
}
