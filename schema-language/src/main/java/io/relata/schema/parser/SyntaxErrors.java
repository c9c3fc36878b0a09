package io.relata.schema.parser;

import io.relata.schema.Diagnostic;
import io.relata.schema.SourceText;
import io.relata.schema.ast.Span;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.FailedPredicateException;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Turns ANTLR's syntax errors into diagnostics a person can act on: what was found, in
 * words ("end of line", "name `banana`"), what the grammar allows there, and a hint for the
 * mistakes people make most.
 */
final class SyntaxErrors extends DefaultErrorStrategy {

    private final SourceText source;
    /** Past this many syntax errors the rest are noise; the first ones are what to fix. */
    static final int MAX_ERRORS = 100;

    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final java.util.Set<Long> positions = new java.util.HashSet<>();

    SyntaxErrors(SourceText source) {
        this.source = source;
    }

    List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /** Collects the errors of the lexer (characters it cannot place in any token). */
    BaseErrorListener lexerListener() {
        return new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> recognizer, Object symbol, int line, int column, String msg,
                    RecognitionException e) {
                Span span = new Span(line, column + 1, line, column + 1, 0, 0);
                diagnostics.add(source.error(span, "cannot read the text here: " + msg));
            }
        };
    }

    @Override
    protected void reportNoViableAlternative(Parser parser, NoViableAltException e) {
        report(parser, e.getOffendingToken(), expected(parser, e));
    }

    @Override
    protected void reportInputMismatch(Parser parser, InputMismatchException e) {
        report(parser, e.getOffendingToken(), e.getExpectedTokens());
    }

    @Override
    protected void reportFailedPredicate(Parser parser, FailedPredicateException e) {
        report(parser, e.getOffendingToken(), parser.getExpectedTokens());
    }

    /**
     * A statement not ended before `}`: the end of the statement is what is missing, so
     * recovery supplies it instead of dropping the `}`, and the definition still closes.
     */
    @Override
    protected Token singleTokenDeletion(Parser parser) {
        if (parser.getCurrentToken().getType() == SchemaDslLexer.RBRACE
                && getExpectedTokens(parser).contains(SchemaDslLexer.SEMI)) {
            return null;
        }
        return super.singleTokenDeletion(parser);
    }

    @Override
    protected void reportUnwantedToken(Parser parser) {
        if (inErrorRecoveryMode(parser)) {
            return;
        }
        beginErrorCondition(parser);
        report(parser, parser.getCurrentToken(), getExpectedTokens(parser));
    }

    @Override
    protected void reportMissingToken(Parser parser) {
        if (inErrorRecoveryMode(parser)) {
            return;
        }
        beginErrorCondition(parser);
        report(parser, parser.getCurrentToken(), getExpectedTokens(parser));
    }

    private static IntervalSet expected(Parser parser, RecognitionException e) {
        IntervalSet set = e.getExpectedTokens();
        return set == null || set.isNil() ? parser.getExpectedTokens() : set;
    }

    private void report(Parser parser, Token found, IntervalSet expected) {
        if (diagnostics.size() >= MAX_ERRORS) {
            return;
        }
        boolean closing = found.getType() == Token.EOF || found.getType() == SchemaDslLexer.RBRACE;
        if (closing && !diagnostics.isEmpty()) {
            // After an error, a stray `}` or end of file is the parser catching up, not news.
            return;
        }
        if (found.getType() == SchemaDslLexer.UNTERMINATED_COMMENT) {
            diagnostics.add(source.error(spanOf(found), "this comment is never closed; end it with `*/`"));
            return;
        }
        String message = "unexpected " + describe(found);
        String allowed = describeExpected(expected);
        if (!allowed.isEmpty()) {
            message += "; expected " + allowed;
        }
        String hint = unendedStatement(parser, found, expected);
        if (hint.isEmpty()) {
            hint = hint(found, expected, inPermission(parser, found));
        }
        if (!hint.isEmpty()) {
            message += " (" + hint + ")";
        }
        Span span = spanOf(found);
        // One error per position: recovery may report the same spot twice.
        if (!positions.add(((long) span.line() << 32) | span.column())) {
            return;
        }
        diagnostics.add(source.error(span, message));
    }

    static Span spanOf(Token token) {
        int line = token.getLine();
        int column = token.getCharPositionInLine() + 1;
        String text = token.getType() == Token.EOF ? "" : token.getText();
        int length = text == null || text.equals(NewlineSemicolons.SYNTHETIC) ? 1 : Math.max(1, firstLine(text).length());
        return new Span(line, column, line, column + length - 1, token.getStartIndex(), token.getStopIndex() + 1);
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    static String describe(Token token) {
        int type = token.getType();
        String text = token.getText();
        switch (type) {
            case Token.EOF:
                return "end of file";
            case SchemaDslLexer.SEMI:
                return NewlineSemicolons.SYNTHETIC.equals(text) ? "end of line" : "`;`";
            case SchemaDslLexer.IDENT:
                return "name `" + text + "`";
            case SchemaDslLexer.NUMBER:
                return "number `" + text + "`";
            case SchemaDslLexer.STRING:
                return "string " + text;
            case SchemaDslLexer.UNEXPECTED_CHAR:
                return "character `" + text + "`";
            case SchemaDslLexer.CEL_BODY:
                return "caveat expression";
            default:
                if (isKeyword(type)) {
                    return "keyword `" + text + "`";
                }
                return "`" + text + "`";
        }
    }

    /** The words that are always keywords; the others are names where no keyword fits. */
    private static boolean isKeyword(int type) {
        return type >= SchemaDslLexer.DEFINITION && type <= SchemaDslLexer.WITH;
    }

    private static String describeExpected(IntervalSet expected) {
        if (expected == null) {
            return "";
        }
        Set<String> words = new LinkedHashSet<>();
        boolean names = expected.contains(SchemaDslLexer.IDENT);
        for (int type : expected.toList()) {
            if (names && type >= SchemaDslLexer.USE && type <= SchemaDslLexer.SELF) {
                continue;
            }
            words.add(expectedWord(type));
        }
        words.remove("");
        List<String> list = new ArrayList<>(words);
        if (list.isEmpty()) {
            return "";
        }
        if (list.size() == 1) {
            return list.get(0);
        }
        return String.join(", ", list.subList(0, list.size() - 1)) + " or " + list.get(list.size() - 1);
    }

    private static String expectedWord(int type) {
        switch (type) {
            case Token.EOF:
                return "end of file";
            case SchemaDslLexer.SEMI:
                return "end of line";
            case SchemaDslLexer.IDENT:
                return "a name";
            case SchemaDslLexer.STRING:
                return "a quoted path";
            case SchemaDslLexer.CEL_BODY:
                return "a caveat expression";
            case SchemaDslLexer.CEL_RBRACE:
                return "`}`";
            default:
                String literal = SchemaDslLexer.VOCABULARY.getLiteralName(type);
                return literal == null ? "" : "`" + literal.substring(1, literal.length() - 1) + "`";
        }
    }

    /** True when {@code found} is in a permission's expression: the statement it is in starts with `permission`. */
    private static boolean inPermission(Parser parser, Token found) {
        org.antlr.v4.runtime.TokenStream tokens = parser.getInputStream();
        for (int i = found.getTokenIndex() - 1; i >= 0; i--) {
            int type = tokens.get(i).getType();
            if (type == SchemaDslLexer.PERMISSION) {
                return true;
            }
            if (type == SchemaDslLexer.SEMI || type == SchemaDslLexer.RELATION || type == SchemaDslLexer.LBRACE) {
                return false;
            }
        }
        return false;
    }

    /**
     * The hint for a statement that has not ended where a `}` or the next statement starts:
     * after `type#...` a line break does not end it (as in SpiceDB, where `...` is not among the
     * tokens a newline ends a statement after), and `}` never does.
     */
    private static String unendedStatement(Parser parser, Token found, IntervalSet expected) {
        if (expected == null || !expected.contains(SchemaDslLexer.SEMI)) {
            return "";
        }
        org.antlr.v4.runtime.TokenStream tokens = parser.getInputStream();
        int previous = previousOnDefaultChannel(tokens, found.getTokenIndex());
        if (previous >= 0 && tokens.get(previous).getType() == SchemaDslLexer.ELLIPSIS
                && tokens.get(previous).getLine() < found.getLine()) {
            String type = typeBefore(tokens, previous);
            return "a line break does not end a statement after `" + type + "#...`; write `" + type
                    + "`, which means the same, or end the statement with `;`";
        }
        if (found.getType() == SchemaDslLexer.RBRACE) {
            return "a statement ends at a line break or `;`, not at `}`; put `}` on a line of its own";
        }
        return "";
    }

    private static int previousOnDefaultChannel(org.antlr.v4.runtime.TokenStream tokens, int index) {
        for (int i = index - 1; i >= 0; i--) {
            if (tokens.get(i).getChannel() == Token.DEFAULT_CHANNEL) {
                return i;
            }
        }
        return -1;
    }

    /** The type path written before the `#` that precedes {@code ellipsis}, e.g. `acme/user`. */
    private static String typeBefore(org.antlr.v4.runtime.TokenStream tokens, int ellipsis) {
        int hash = previousOnDefaultChannel(tokens, ellipsis);
        if (hash < 0 || tokens.get(hash).getType() != SchemaDslLexer.HASH) {
            return "type";
        }
        StringBuilder path = new StringBuilder();
        int i = previousOnDefaultChannel(tokens, hash);
        boolean wantName = true;
        while (i >= 0) {
            Token token = tokens.get(i);
            boolean slash = token.getType() == SchemaDslLexer.SLASH;
            if (wantName == slash || (wantName && !isName(token.getType()))) {
                break;
            }
            path.insert(0, token.getText());
            wantName = !wantName;
            i = previousOnDefaultChannel(tokens, i);
        }
        return path.length() == 0 || path.charAt(0) == '/' ? "type" : path.toString();
    }

    private static boolean isName(int type) {
        return type == SchemaDslLexer.IDENT || (type >= SchemaDslLexer.USE && type <= SchemaDslLexer.SELF);
    }

    private static String hint(Token found, IntervalSet expected, boolean inPermission) {
        int type = found.getType();
        String text = found.getText();
        if (type == SchemaDslLexer.SEMI && NewlineSemicolons.SYNTHETIC.equals(text)) {
            return "a line break ends a statement here; continue a line only after an operator, `(`, `|` or `,`";
        }
        boolean statementStart = expected.contains(SchemaDslLexer.RELATION) || expected.contains(SchemaDslLexer.DEFINITION);
        if ("#".equals(text) && statementStart) {
            return "comments start with `//` or `/*`";
        }
        if (type == SchemaDslLexer.PIPE && inPermission) {
            return "permissions combine with `+` (union), `&` (intersection) and `-` (exclusion)";
        }
        if (type == SchemaDslLexer.ARROW) {
            return "chained arrows are not supported; define a permission on the intermediate type and arrow to it";
        }
        if (type == SchemaDslLexer.HASH && inPermission) {
            return "`type#relation` belongs in a relation's types, not in a permission";
        }
        if (isKeyword(type) && expected.contains(SchemaDslLexer.IDENT)) {
            return "`" + text + "` is a keyword and cannot be used as a name";
        }
        return "";
    }
}
