package io.relata.schema.parser;

import java.util.ArrayDeque;
import java.util.Deque;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;

/**
 * Makes newlines end statements the way SpiceDB's lexer does: a newline right after a
 * token that can end a statement (a name, {@code nil}, {@code *}, {@code )}, <code>}</code>)
 * becomes a {@code SEMI}; every other newline is dropped (there is no exception inside
 * parentheses). So an expression may continue on
 * the next line after an operator or {@code (}, but not before one. A block comment that
 * spans lines counts as a newline, as in Go.
 */
final class NewlineSemicolons implements TokenSource {

    /** Text of a SEMI made from a newline, so messages can say "end of line". */
    static final String SYNTHETIC = "\n";

    private final SchemaDslLexer lexer;
    private final Deque<Token> pending = new ArrayDeque<>();
    private int lastType = Token.INVALID_TYPE;

    NewlineSemicolons(SchemaDslLexer lexer) {
        this.lexer = lexer;
    }

    @Override
    public Token nextToken() {
        if (!pending.isEmpty()) {
            return pending.poll();
        }
        while (true) {
            Token token = lexer.nextToken();
            int type = token.getType();
            boolean multiLineComment = token.getChannel() == SchemaDslLexer.COMMENTS
                    && type != SchemaDslLexer.LINE_COMMENT
                    && token.getText().indexOf('\n') >= 0;
            if (type == SchemaDslLexer.NEWLINE || multiLineComment) {
                Token semicolon = null;
                if (endsStatement(lastType)) {
                    semicolon = semicolonAt(token);
                    lastType = SchemaDslLexer.SEMI;
                }
                if (type == SchemaDslLexer.NEWLINE) {
                    if (semicolon != null) {
                        return semicolon;
                    }
                    continue;
                }
                if (semicolon != null) {
                    pending.add(token);
                    return semicolon;
                }
                return token;
            }
            if (token.getChannel() == Token.DEFAULT_CHANNEL) {
                lastType = type;
            }
            return token;
        }
    }

    /** SpiceDB's "synthetic predecessors": names, keywords, `}`, `)` and `*`. */
    private static boolean endsStatement(int type) {
        boolean keyword = type >= SchemaDslLexer.DEFINITION && type <= SchemaDslLexer.SELF;
        return keyword
                || type == SchemaDslLexer.IDENT
                || type == SchemaDslLexer.NUMBER
                || type == SchemaDslLexer.STAR
                || type == SchemaDslLexer.RPAREN
                || type == SchemaDslLexer.RBRACE
                || type == SchemaDslLexer.CEL_RBRACE;
    }

    private static Token semicolonAt(Token newline) {
        CommonToken semicolon = new CommonToken(newline);
        semicolon.setType(SchemaDslLexer.SEMI);
        semicolon.setChannel(Token.DEFAULT_CHANNEL);
        semicolon.setText(SYNTHETIC);
        if (newline.getType() != SchemaDslLexer.NEWLINE) {
            // A multi-line comment: the statement ends where the comment starts.
            semicolon.setStopIndex(newline.getStartIndex() - 1);
        }
        return semicolon;
    }

    @Override
    public int getLine() {
        return lexer.getLine();
    }

    @Override
    public int getCharPositionInLine() {
        return lexer.getCharPositionInLine();
    }

    @Override
    public CharStream getInputStream() {
        return lexer.getInputStream();
    }

    @Override
    public String getSourceName() {
        return lexer.getSourceName();
    }

    @Override
    public void setTokenFactory(TokenFactory<?> factory) {
        lexer.setTokenFactory(factory);
    }

    @Override
    public TokenFactory<?> getTokenFactory() {
        return lexer.getTokenFactory();
    }
}
