package io.relata.schema.parser;

import io.relata.schema.Diagnostic;
import io.relata.schema.SourceText;
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
import io.relata.schema.ast.Span;
import io.relata.schema.ast.TopLevel;
import io.relata.schema.ast.TypeExprNode;
import io.relata.schema.ast.TypeRefNode;
import io.relata.schema.ast.UseDirective;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BufferedTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.Interval;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Builds the syntax tree from ANTLR's parse tree, attaching each comment to the element it
 * belongs to. Comments are claimed in source order: an element takes the comments before it
 * and inside it (leading) and those after its last token on the same line (trailing); what
 * is left before a closing brace or the end of the file closes the definition or the file.
 */
final class AstBuilder {

    private final BufferedTokenStream tokens;
    private final SourceText source;
    private final List<Diagnostic> diagnostics;
    /** Index of the first token whose comments have not been claimed yet. */
    private int cursor;

    AstBuilder(BufferedTokenStream tokens, SourceText source, List<Diagnostic> diagnostics) {
        this.tokens = tokens;
        this.source = source;
        this.diagnostics = diagnostics;
    }

    SchemaFile file(SchemaDslParser.SchemaContext ctx) {
        List<TopLevel> items = new ArrayList<>();
        for (SchemaDslParser.TopLevelContext top : ctx.topLevel()) {
            TopLevel item = topLevel(top);
            if (item != null) {
                items.add(item);
            }
        }
        List<Comment> closing = claimUpTo(tokens.size());
        return new SchemaFile(items, closing);
    }

    private TopLevel topLevel(SchemaDslParser.TopLevelContext ctx) {
        if (ctx.definition() != null) {
            return definition(ctx.definition());
        }
        if (ctx.caveat() != null) {
            return caveat(ctx.caveat());
        }
        if (ctx.composite() != null) {
            return composite(ctx.composite());
        }
        if (ctx.useDirective() != null) {
            SchemaDslParser.UseDirectiveContext use = ctx.useDirective();
            if (use.name() == null) {
                return null;
            }
            List<Comment> leading = claimUpTo(use.getStop().getTokenIndex() + 1);
            return new UseDirective(use.name().getText(), new Comments(leading, trailing(use.getStop())), span(use),
                    span(use.name()));
        }
        SchemaDslParser.ImportDirectiveContext imp = ctx.importDirective();
        if (imp == null || imp.STRING() == null) {
            return null;
        }
        List<Comment> leading = claimUpTo(imp.getStop().getTokenIndex() + 1);
        String quoted = imp.STRING().getText();
        return new ImportDirective(unquote(quoted), new Comments(leading, trailing(imp.getStop())), span(imp));
    }

    private DefinitionNode definition(SchemaDslParser.DefinitionContext ctx) {
        int bodyStart = ctx.LBRACE() != null ? ctx.LBRACE().getSymbol().getTokenIndex() : ctx.getStop().getTokenIndex();
        List<Comment> leading = claimUpTo(bodyStart);
        List<MemberNode> members = new ArrayList<>();
        for (SchemaDslParser.MemberContext member : ctx.member()) {
            MemberNode node = member(member);
            if (node != null) {
                members.add(node);
            }
        }
        int closeIndex = ctx.RBRACE() != null ? ctx.RBRACE().getSymbol().getTokenIndex() : ctx.getStop().getTokenIndex();
        List<Comment> closing = claimUpTo(closeIndex);
        List<Comment> trailing = trailing(ctx.getStop());
        String name = typePath(ctx.typePath());
        return new DefinitionNode(name, members, new Comments(leading, trailing), closing, span(ctx),
                span(ctx.typePath()));
    }

    private CompositeNode composite(SchemaDslParser.CompositeContext ctx) {
        int bodyStart = ctx.LBRACE() != null ? ctx.LBRACE().getSymbol().getTokenIndex() : ctx.getStop().getTokenIndex();
        List<Comment> leading = claimUpTo(bodyStart);
        List<CompositeNode.Named> chain = new ArrayList<>();
        for (SchemaDslParser.TypePathContext type : ctx.typePath()) {
            chain.add(new CompositeNode.Named(typePath(type), span(type)));
        }
        List<CompositeNode.Binding> bindings = new ArrayList<>();
        for (SchemaDslParser.BindingContext b : ctx.binding()) {
            if (b.typePath() != null && b.name() != null) {
                bindings.add(new CompositeNode.Binding(new CompositeNode.Named(typePath(b.typePath()), span(b.typePath())),
                        new CompositeNode.Named(text(b.name()), span(b.name())), span(b)));
            }
        }
        List<CompositeRuleNode> rules = new ArrayList<>();
        for (SchemaDslParser.CompositeRuleContext rule : ctx.compositeRule()) {
            List<Comment> ruleLeading = claimUpTo(rule.getStop().getTokenIndex() + 1);
            List<SchemaDslParser.NameContext> names = rule.name();
            if (rule.typePath() == null || names.size() < 2) {
                continue; // a syntax error, already reported
            }
            List<CompositeNode.Named> links = new ArrayList<>();
            for (SchemaDslParser.NameContext link : names.subList(1, names.size())) {
                links.add(new CompositeNode.Named(text(link), span(link)));
            }
            rules.add(new CompositeRuleNode(new CompositeNode.Named(typePath(rule.typePath()), span(rule.typePath())),
                    new CompositeNode.Named(text(names.get(0)), span(names.get(0))), links,
                    new Comments(ruleLeading, trailing(rule.getStop())), span(rule)));
        }
        int closeIndex = ctx.RBRACE() != null ? ctx.RBRACE().getSymbol().getTokenIndex() : ctx.getStop().getTokenIndex();
        List<Comment> closing = claimUpTo(closeIndex);
        String name = ctx.name() == null ? "" : text(ctx.name());
        return new CompositeNode(name, chain, bindings, rules, new Comments(leading, trailing(ctx.getStop())), closing, span(ctx),
                ctx.name() == null ? span(ctx) : span(ctx.name()));
    }

    private MemberNode member(SchemaDslParser.MemberContext ctx) {
        List<Comment> leading = claimUpTo(ctx.getStop().getTokenIndex() + 1);
        if (ctx.relation() != null) {
            SchemaDslParser.RelationContext rel = ctx.relation();
            List<TypeRefNode> types = new ArrayList<>();
            for (SchemaDslParser.AllowedTypeContext type : rel.allowedType()) {
                types.add(allowedType(type));
            }
            Comments comments = new Comments(leading, trailing(ctx.getStop()));
            return new RelationNode(text(rel.name()), types, comments, span(rel), span(rel.name()));
        }
        SchemaDslParser.PermissionContext perm = ctx.permission();
        ExprNode expression = perm.expr() == null ? new NilNode(span(perm)) : expr(perm.expr());
        Comments comments = new Comments(leading, trailing(ctx.getStop()));
        return new PermissionNode(text(perm.name()), expression, comments, span(perm), span(perm.name()));
    }

    private TypeRefNode allowedType(SchemaDslParser.AllowedTypeContext ctx) {
        String type = typePath(ctx.typePath());
        String relation = ctx.name() != null ? text(ctx.name()) : null;
        boolean wildcard = ctx.STAR() != null;
        String caveat = null;
        boolean expiration = false;
        Span traitsSpan = Span.NONE;
        SchemaDslParser.TraitsContext traits = ctx.traits();
        if (traits instanceof SchemaDslParser.ExpirationOnlyContext) {
            expiration = true;
            traitsSpan = span(traits);
        } else if (traits instanceof SchemaDslParser.CaveatTraitContext caveatTrait) {
            caveat = typePath(caveatTrait.typePath());
            expiration = caveatTrait.EXPIRATION() != null;
            traitsSpan = span(traits);
        }
        Span relationSpan = ctx.name() != null ? span(ctx.name()) : Span.NONE;
        return new TypeRefNode(type, relation, wildcard, caveat, expiration, span(ctx), span(ctx.typePath()),
                relationSpan, traitsSpan);
    }

    private static BinaryNode.Operator operator(SchemaDslParser.ExprContext ctx) {
        if (ctx instanceof SchemaDslParser.UnionExprContext) {
            return BinaryNode.Operator.UNION;
        }
        if (ctx instanceof SchemaDslParser.IntersectionExprContext) {
            return BinaryNode.Operator.INTERSECTION;
        }
        if (ctx instanceof SchemaDslParser.ExclusionExprContext) {
            return BinaryNode.Operator.EXCLUSION;
        }
        return null;
    }

    private ExprNode expr(SchemaDslParser.ExprContext ctx) {
        if (operator(ctx) != null) {
            // Operators are left-associative, so long chains nest to the left: walk that
            // spine with a loop, not recursion, however many terms there are.
            java.util.ArrayDeque<SchemaDslParser.ExprContext> spine = new java.util.ArrayDeque<>();
            SchemaDslParser.ExprContext current = ctx;
            while (operator(current) != null) {
                spine.push(current);
                current = current.getChild(SchemaDslParser.ExprContext.class, 0);
            }
            ExprNode node = current == null ? new NilNode(span(ctx)) : expr(current);
            while (!spine.isEmpty()) {
                SchemaDslParser.ExprContext level = spine.pop();
                SchemaDslParser.ExprContext right = level.getChild(SchemaDslParser.ExprContext.class, 1);
                node = new BinaryNode(operator(level), node, right == null ? new NilNode(span(level)) : expr(right),
                        span(level));
            }
            return node;
        }
        if (ctx instanceof SchemaDslParser.ParenExprContext p) {
            return p.expr() == null ? new NilNode(span(ctx)) : expr(p.expr());
        }
        if (ctx instanceof SchemaDslParser.NilExprContext) {
            return new NilNode(span(ctx));
        }
        if (ctx instanceof SchemaDslParser.SelfExprContext) {
            return new SelfNode(span(ctx));
        }
        if (ctx instanceof SchemaDslParser.ArrowExprContext a) {
            List<SchemaDslParser.NameContext> names = a.name();
            if (names.size() > 2) {
                Token second = a.ARROW(1).getSymbol();
                diagnostics.add(source.error(SyntaxErrors.spanOf(second),
                        "chained arrows (`" + a.getText() + "`) are not supported; define a permission on the "
                                + "intermediate type and arrow to that permission instead"));
            }
            SchemaDslParser.NameContext right = names.size() > 1 ? names.get(1) : names.get(0);
            return new ArrowNode(text(names.get(0)), text(right), ArrowNode.Function.ARROW, span(ctx),
                    span(names.get(0)), span(right));
        }
        if (ctx instanceof SchemaDslParser.ArrowFunctionExprContext f) {
            ArrowNode.Function function = f.arrowFunction() != null && f.arrowFunction().ALL() != null
                    ? ArrowNode.Function.ALL
                    : ArrowNode.Function.ANY;
            SchemaDslParser.NameContext right = f.name().size() > 1 ? f.name(1) : f.name(0);
            return new ArrowNode(text(f.name(0)), text(right), function, span(ctx), span(f.name(0)), span(right));
        }
        if (ctx instanceof SchemaDslParser.ReferenceExprContext r) {
            return new ReferenceNode(text(r.name()), span(ctx));
        }
        // A subtree that failed to parse; its syntax error is already reported.
        return new NilNode(span(ctx));
    }

    private CaveatNode caveat(SchemaDslParser.CaveatContext ctx) {
        List<Comment> leading = claimUpTo(ctx.getStop().getTokenIndex() + 1);
        List<ParameterNode> parameters = new ArrayList<>();
        for (SchemaDslParser.ParameterContext p : ctx.parameter()) {
            if (p.name() != null && p.typeExpr() != null) {
                parameters.add(new ParameterNode(text(p.name()), typeExpr(p.typeExpr()), span(p)));
            }
        }
        String expression = "";
        Span expressionSpan = ctx.LBRACE() != null ? SyntaxErrors.spanOf(ctx.LBRACE().getSymbol()) : span(ctx);
        List<Integer> lineColumns = List.of();
        SchemaDslParser.CelBodyContext celBody = ctx.celBody();
        if (celBody != null && celBody.getChildCount() > 0 && celBody.getStop() != null) {
            Token body = celBody.getStart();
            String raw = body.getInputStream().getText(
                    Interval.of(body.getStartIndex(), celBody.getStop().getStopIndex()));
            CelText cel = CelText.of(raw, body.getLine(), body.getCharPositionInLine() + 1);
            if (cel.expression().isEmpty()) {
                return new CaveatNode(typePath(ctx.typePath()), parameters, "",
                        new Comments(leading, trailing(ctx.getStop())), span(ctx), span(ctx.typePath()),
                        expressionSpan, List.of());
            }
            expression = cel.expression();
            lineColumns = cel.lineColumns();
            expressionSpan = new Span(cel.firstLine(), lineColumns.isEmpty() ? 1 : lineColumns.get(0),
                    cel.firstLine() + Math.max(0, lineColumns.size() - 1), 0, body.getStartIndex(),
                    celBody.getStop().getStopIndex() + 1);
        }
        Comments comments = new Comments(leading, trailing(ctx.getStop()));
        return new CaveatNode(typePath(ctx.typePath()), parameters, expression, comments, span(ctx),
                span(ctx.typePath()), expressionSpan, lineColumns);
    }

    private TypeExprNode typeExpr(SchemaDslParser.TypeExprContext ctx) {
        List<TypeExprNode> args = new ArrayList<>();
        for (SchemaDslParser.TypeExprContext arg : ctx.typeExpr()) {
            args.add(typeExpr(arg));
        }
        return new TypeExprNode(text(ctx.name()), args, span(ctx));
    }

    private String typePath(SchemaDslParser.TypePathContext ctx) {
        if (ctx == null) {
            return "";
        }
        if (ctx.exception != null || ctx.name().stream().anyMatch(n -> n.exception != null)) {
            return ctx.getText();
        }
        List<SchemaDslParser.NameContext> names = ctx.name();
        Token previous = null;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < ctx.getChildCount(); i++) {
            if (ctx.getChild(i) instanceof TerminalNode terminal) {
                Token slash = terminal.getSymbol();
                if (previous != null && slash.getStartIndex() != previous.getStopIndex() + 1) {
                    spaceInPath(slash);
                }
                previous = slash;
                out.append('/');
            } else {
                SchemaDslParser.NameContext name = (SchemaDslParser.NameContext) ctx.getChild(i);
                if (previous != null && name.getStart().getStartIndex() != previous.getStopIndex() + 1) {
                    spaceInPath(name.getStart());
                }
                previous = name.getStop();
                out.append(name.getText());
            }
        }
        return names.isEmpty() ? "" : out.toString();
    }

    private void spaceInPath(Token at) {
        diagnostics.add(source.error(SyntaxErrors.spanOf(at),
                "a type path is written without spaces, as `prefix/name`"));
    }

    /** Comments from the cursor up to (not including) token index {@code end}; moves the cursor. */
    private List<Comment> claimUpTo(int end) {
        List<Comment> out = new ArrayList<>();
        int stop = Math.min(end, tokens.size());
        int previousEndLine = -1;
        for (int i = cursor; i < stop; i++) {
            Token t = tokens.get(i);
            if (t.getChannel() == SchemaDslLexer.COMMENTS) {
                boolean blankLine = previousEndLine > 0 && t.getLine() - previousEndLine >= 2;
                out.add(comment(t, blankLine));
                previousEndLine = t.getLine() + (int) t.getText().chars().filter(c -> c == '\n').count();
            }
        }
        cursor = Math.max(cursor, stop);
        return out;
    }

    /** Comments after {@code last} on the same line, with any `;` among them; moves the cursor. */
    private List<Comment> trailing(Token last) {
        List<Comment> out = new ArrayList<>();
        int line = last.getLine();
        int i = Math.max(cursor, last.getTokenIndex() + 1);
        while (i < tokens.size()) {
            Token t = tokens.get(i);
            boolean sameLine = t.getLine() == line;
            if (t.getChannel() == SchemaDslLexer.COMMENTS && sameLine) {
                out.add(comment(t, false));
            } else if (!(t.getType() == SchemaDslLexer.SEMI && sameLine)) {
                break;
            }
            i++;
        }
        if (!out.isEmpty()) {
            cursor = i;
        }
        return out;
    }

    private static Comment comment(Token t, boolean blankLineBefore) {
        Comment.Kind kind = switch (t.getType()) {
            case SchemaDslLexer.DOC_COMMENT -> Comment.Kind.DOC;
            case SchemaDslLexer.BLOCK_COMMENT -> Comment.Kind.BLOCK;
            default -> Comment.Kind.LINE;
        };
        String text = t.getText().replace("\r\n", "\n").replace('\r', '\n');
        if (kind == Comment.Kind.LINE) {
            text = text.stripTrailing();
        } else {
            text = blockCommentText(text);
        }
        return new Comment(kind, text, SyntaxErrors.spanOf(t), blankLineBefore);
    }

    /**
     * A block comment with the indentation its continuation lines share removed (their
     * relative indentation kept), trailing spaces removed; the formatter indents it again.
     */
    static String blockCommentText(String text) {
        String[] lines = text.split("\n", -1);
        String common = null;
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String indent = lines[i].substring(0, lines[i].length() - lines[i].stripLeading().length());
            int n = 0;
            if (common != null) {
                while (n < common.length() && n < indent.length() && common.charAt(n) == indent.charAt(n)) {
                    n++;
                }
            }
            common = common == null ? indent : common.substring(0, n);
        }
        StringBuilder out = new StringBuilder(lines[0].stripTrailing());
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].isBlank() ? "" : lines[i].substring(common.length()).stripTrailing();
            out.append('\n').append(line);
        }
        return out.toString();
    }

    private static String text(SchemaDslParser.NameContext name) {
        return name == null ? "" : name.getText();
    }

    private static String unquote(String quoted) {
        return quoted.length() >= 2 ? quoted.substring(1, quoted.length() - 1) : quoted;
    }

    static Span span(ParserRuleContext ctx) {
        if (ctx == null || ctx.getStart() == null) {
            return Span.NONE;
        }
        Token start = ctx.getStart();
        Token stop = ctx.getStop() != null && ctx.getStop().getTokenIndex() >= start.getTokenIndex() ? ctx.getStop() : start;
        Span first = SyntaxErrors.spanOf(start);
        Span last = SyntaxErrors.spanOf(stop);
        return first.to(last);
    }
}
