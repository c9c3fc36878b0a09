package io.relata.schema.caveat;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelTypes;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelParser;
import dev.cel.parser.CelParserFactory;
import dev.cel.parser.CelStandardMacro;
import io.relata.schema.CaveatParameterType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses and type-checks caveat expressions with the {@code dev.cel} library, against the
 * caveat's declared parameters, with CEL's standard macros and SpiceDB's {@code in_cidr} and {@code isSubtreeOf}.
 */
public final class CaveatExpressions {

    private CaveatExpressions() {}

    /** A problem in an expression; line is 1-based and column 0-based, relative to the expression. */
    public record Problem(int line, int column, String message) {}

    /**
     * The outcome of checking one expression: the checked tree and the parameters it uses,
     * or the problems found.
     */
    public record Checked(CelAbstractSyntaxTree ast, Set<String> referencedParameters, List<Problem> problems) {

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Checks {@code expression} against {@code parameters} (all valid types). Problems are
     * CEL's syntax and type errors, or a result type other than bool.
     */
    public static Checked check(String expression, Map<String, CaveatParameterType> parameters) {
        CelCompilerBuilder builder = CelCompilerFactory.standardCelCompilerBuilder()
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addFunctionDeclarations(CaveatTypes.IN_CIDR, CaveatTypes.IS_SUBTREE_OF);
        parameters.forEach((name, type) -> builder.addVar(name, CaveatTypes.celType(type)));
        CelCompiler compiler = builder.build();
        CelValidationResult result = compiler.compile(expression);
        if (result.hasError()) {
            List<Problem> problems = new ArrayList<>();
            for (CelIssue issue : result.getErrors()) {
                problems.add(new Problem(Math.max(1, issue.getSourceLocation().getLine()),
                        Math.max(0, issue.getSourceLocation().getColumn()), cleanMessage(issue.getMessage())));
            }
            return new Checked(null, Set.of(), problems);
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = result.getAst();
        } catch (CelValidationException e) {
            return new Checked(null, Set.of(), List.of(new Problem(1, 0, cleanMessage(e.getMessage()))));
        }
        if (!ast.getResultType().equals(SimpleType.BOOL)) {
            return new Checked(null, Set.of(), List.of(new Problem(1, 0,
                    "a caveat expression must result in a bool, but this one results in `"
                            + CelTypes.format(ast.getResultType()) + "`")));
        }
        return new Checked(ast, referenced(ast, parameters.keySet()), List.of());
    }

    /** Parses for {@link #unparse}: macro calls are recorded so that the unparser can write them back. */
    private static final CelParser RENDERING_PARSER = CelParserFactory.standardCelParserBuilder()
            .setOptions(CelOptions.current().populateMacroCalls(true).build())
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .build();

    /**
     * {@code expression} (one that {@link #check} accepted) written back from its syntax
     * tree as SpiceDB's schema reflection gives a caveat's expression, by cel-go's unparser
     * ({@link CaveatUnparser}): operators spaced and parenthesized only where needed, strings
     * in double quotes, no comments, a line break after an {@code &&} or {@code ||} that ends
     * an 80-byte line. SpiceDB fails to write back the comprehension macros ({@code all},
     * {@code exists}, {@code exists_one}, {@code map}, {@code filter}), which it parses
     * without recording macro calls; here they are written as called.
     *
     * @throws IllegalArgumentException if the expression does not parse
     */
    public static String unparse(String expression) {
        CelValidationResult parsed = RENDERING_PARSER.parse(expression);
        try {
            return CaveatUnparser.unparse(parsed.getAst());
        } catch (CelValidationException e) {
            throw new IllegalArgumentException("the caveat expression does not parse: " + e.getMessage(), e);
        }
    }

    /** dev.cel lists every overload candidate; people need the first sentence. */
    private static String cleanMessage(String message) {
        int candidates = message.indexOf(" (candidates:");
        return candidates > 0 ? message.substring(0, candidates) : message;
    }

    /**
     * Declared parameters the expression names. As in SpiceDB, an identifier counts even
     * where a comprehension variable of the same name shadows the parameter.
     */
    private static Set<String> referenced(CelAbstractSyntaxTree ast, Set<String> declared) {
        Set<String> out = new TreeSet<>();
        CelNavigableAst.fromAst(ast).getRoot().allNodes()
                .filter(n -> n.expr().getKind() == CelExpr.ExprKind.Kind.IDENT)
                .map(n -> n.expr().ident().name())
                .filter(declared::contains)
                .forEach(out::add);
        return out;
    }
}
