package io.relata.schema.caveat;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes a parsed CEL expression back as text the way cel-go's {@code parser.Unparse} does
 * with its default options, which is what SpiceDB's schema reflection gives as a caveat's
 * expression ({@code cel.AstToString}): operators spaced, parentheses only where precedence
 * needs them, strings quoted as Go's {@code strconv.Quote}, doubles in Go's shortest
 * {@code %g} (and {@code .0} appended when that has no point, so {@code 1e+10.0}), bytes as
 * octal escapes, and a line break after an {@code &&} or {@code ||} that ends a line of 80
 * bytes or more. Macros are written as called, from the calls the parser recorded.
 */
final class CaveatUnparser {

    private static final String CONDITIONAL = "_?_:_";
    private static final String INDEX = "_[_]";
    private static final String LOGICAL_AND = "_&&_";
    private static final String LOGICAL_OR = "_||_";
    private static final String LOGICAL_NOT = "!_";
    private static final String NEGATE = "-_";
    private static final int WRAP_ON_COLUMN = 80;

    /** cel-go's {@code reverseOperators}. */
    private static final Map<String, String> OPERATORS = Map.ofEntries(
            Map.entry("_+_", "+"), Map.entry("_/_", "/"), Map.entry("_==_", "=="), Map.entry("_>_", ">"),
            Map.entry("_>=_", ">="), Map.entry("@in", "in"), Map.entry("_<_", "<"), Map.entry("_<=_", "<="),
            Map.entry(LOGICAL_AND, "&&"), Map.entry(LOGICAL_NOT, "!"), Map.entry(LOGICAL_OR, "||"),
            Map.entry("_%_", "%"), Map.entry("_*_", "*"), Map.entry(NEGATE, "-"), Map.entry("_!=_", "!="),
            Map.entry("in", "in"), Map.entry("_-_", "-"));

    /** cel-go's {@code precedence}: a higher number for an operator that binds less tightly; 0 for the rest. */
    private static final Map<String, Integer> PRECEDENCE = Map.ofEntries(
            Map.entry(CONDITIONAL, 8), Map.entry(LOGICAL_OR, 7), Map.entry(LOGICAL_AND, 6), Map.entry("_==_", 5),
            Map.entry("_>_", 5), Map.entry("_>=_", 5), Map.entry("@in", 5), Map.entry("_<_", 5),
            Map.entry("_<=_", 5), Map.entry("_!=_", 5), Map.entry("in", 5), Map.entry("_+_", 4),
            Map.entry("_-_", 4), Map.entry("_/_", 3), Map.entry("_%_", 3), Map.entry("_*_", 3),
            Map.entry(LOGICAL_NOT, 2), Map.entry(NEGATE, 2), Map.entry(INDEX, 1));

    private final Map<Long, CelExpr> macroCalls;
    private final StringBuilder out = new StringBuilder();
    /** Bytes written so far (cel-go measures lines in bytes), and where the last wrapped line began. */
    private int length;
    private int lastWrapped;

    private CaveatUnparser(Map<Long, CelExpr> macroCalls) {
        this.macroCalls = macroCalls;
    }

    /**
     * {@code ast} as text.
     *
     * @throws IllegalArgumentException for an expression cel-go cannot write back (such as a
     *         comprehension the parser did not record as a macro call)
     */
    static String unparse(CelAbstractSyntaxTree ast) {
        CaveatUnparser unparser = new CaveatUnparser(ast.getSource().getMacroCalls());
        unparser.visit(ast.getExpr());
        return unparser.out.toString();
    }

    private void write(String s) {
        out.append(s);
        length += s.getBytes(StandardCharsets.UTF_8).length;
    }

    private void visit(CelExpr expr) {
        CelExpr macro = macroCalls.get(expr.id());
        if (macro != null) {
            visit(macro);
            return;
        }
        switch (expr.getKind()) {
            case CALL -> visitCall(expr);
            case CONSTANT -> visitConstant(expr.constant());
            case IDENT -> write(expr.ident().name());
            case LIST -> visitList(expr.list());
            case MAP -> visitMap(expr.map());
            case SELECT -> visitSelect(expr.select().operand(), expr.select().testOnly(), expr.select().field());
            case STRUCT -> visitStruct(expr.struct());
            default -> throw new IllegalArgumentException("unsupported expression: " + expr.getKind());
        }
    }

    private void visitCall(CelExpr expr) {
        CelExpr.CelCall call = expr.call();
        String function = call.function();
        switch (function) {
            case CONDITIONAL -> visitConditional(call.args());
            case INDEX -> {
                List<CelExpr> args = call.args();
                visitMaybeNested(args.get(0), isBinaryOrTernaryOperator(args.get(0)));
                write("[");
                visit(args.get(1));
                write("]");
            }
            case LOGICAL_NOT, NEGATE -> {
                write(OPERATORS.get(function));
                visitMaybeNested(call.args().get(0), isComplexOperator(call.args().get(0)));
            }
            default -> {
                if (binaryOperator(function) != null) {
                    visitBinary(function, call.args());
                } else {
                    visitFunction(call);
                }
            }
        }
    }

    private void visitBinary(String function, List<CelExpr> args) {
        CelExpr lhs = args.get(0);
        CelExpr rhs = args.get(1);
        boolean lhsParen = isComplexOperatorWithRespectTo(function, lhs);
        boolean rhsParen = isComplexOperatorWithRespectTo(function, rhs);
        if (!rhsParen && isLeftRecursive(function)) {
            rhsParen = isSamePrecedence(function, rhs);
        }
        visitMaybeNested(lhs, lhsParen);
        writeOperator(function, binaryOperator(function));
        visitMaybeNested(rhs, rhsParen);
    }

    private void visitConditional(List<CelExpr> args) {
        visitMaybeNested(args.get(0), isSamePrecedence(CONDITIONAL, args.get(0)) || isComplexOperator(args.get(0)));
        writeOperator(CONDITIONAL, "?");
        visitMaybeNested(args.get(1), isSamePrecedence(CONDITIONAL, args.get(1)) || isComplexOperator(args.get(1)));
        write(" : ");
        visitMaybeNested(args.get(2), isSamePrecedence(CONDITIONAL, args.get(2)) || isComplexOperator(args.get(2)));
    }

    private void visitFunction(CelExpr.CelCall call) {
        if (call.target().isPresent()) {
            visitMaybeNested(call.target().get(), isBinaryOrTernaryOperator(call.target().get()));
            write(".");
        }
        write(call.function());
        write("(");
        List<CelExpr> args = call.args();
        for (int i = 0; i < args.size(); i++) {
            visit(args.get(i));
            if (i < args.size() - 1) {
                write(", ");
            }
        }
        write(")");
    }

    private void visitConstant(CelConstant constant) {
        switch (constant.getKind()) {
            case BOOLEAN_VALUE -> write(Boolean.toString(constant.booleanValue()));
            case BYTES_VALUE -> {
                StringBuilder b = new StringBuilder("b\"");
                for (byte x : constant.bytesValue().toByteArray()) {
                    b.append(String.format("\\%03o", x & 0xff));
                }
                write(b.append('"').toString());
            }
            case DOUBLE_VALUE -> {
                String d = goShortestG(constant.doubleValue());
                write(d.contains(".") ? d : d + ".0");
            }
            case INT64_VALUE -> write(Long.toString(constant.int64Value()));
            case NULL_VALUE -> write("null");
            case STRING_VALUE -> write(goQuote(constant.stringValue()));
            case UINT64_VALUE -> write(constant.uint64Value().toString() + "u");
            default -> throw new IllegalArgumentException("unsupported constant: " + constant.getKind());
        }
    }

    private void visitList(CelExpr.CelList list) {
        write("[");
        List<CelExpr> elements = list.elements();
        for (int i = 0; i < elements.size(); i++) {
            if (list.optionalIndices().contains(i)) {
                write("?");
            }
            visit(elements.get(i));
            if (i < elements.size() - 1) {
                write(", ");
            }
        }
        write("]");
    }

    private void visitSelect(CelExpr operand, boolean testOnly, String field) {
        if (testOnly) {
            write("has(");
        }
        visitMaybeNested(operand, !testOnly && isBinaryOrTernaryOperator(operand));
        write(".");
        write(field);
        if (testOnly) {
            write(")");
        }
    }

    private void visitStruct(CelExpr.CelStruct struct) {
        write(struct.messageName());
        write("{");
        List<CelExpr.CelStruct.Entry> entries = struct.entries();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).optionalEntry()) {
                write("?");
            }
            write(entries.get(i).fieldKey());
            write(": ");
            visit(entries.get(i).value());
            if (i < entries.size() - 1) {
                write(", ");
            }
        }
        write("}");
    }

    private void visitMap(CelExpr.CelMap map) {
        write("{");
        List<CelExpr.CelMap.Entry> entries = map.entries();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).optionalEntry()) {
                write("?");
            }
            visit(entries.get(i).key());
            write(": ");
            visit(entries.get(i).value());
            if (i < entries.size() - 1) {
                write(", ");
            }
        }
        write("}");
    }

    private void visitMaybeNested(CelExpr expr, boolean nested) {
        if (nested) {
            write("(");
        }
        visit(expr);
        if (nested) {
            write(")");
        }
    }

    /** cel-go's {@code writeOperatorWithWrapping}: {@code &&} and {@code ||} end a line once it reaches 80 bytes. */
    private void writeOperator(String function, String text) {
        boolean wraps = function.equals(LOGICAL_AND) || function.equals(LOGICAL_OR);
        if (wraps && length - lastWrapped + function.length() >= WRAP_ON_COLUMN) {
            lastWrapped = length;
            write(" " + text + "\n");
        } else {
            write(" " + text + " ");
        }
    }

    // ---- cel-go's precedence helpers ----------------------------------------------------------------

    private static String binaryOperator(String function) {
        return function.equals(LOGICAL_NOT) || function.equals(NEGATE) ? null : OPERATORS.get(function);
    }

    private static int precedence(String function) {
        return PRECEDENCE.getOrDefault(function, 0);
    }

    private static boolean isLeftRecursive(String function) {
        return !function.equals(LOGICAL_AND) && !function.equals(LOGICAL_OR);
    }

    private static boolean isSamePrecedence(String function, CelExpr expr) {
        return expr.getKind() == CelExpr.ExprKind.Kind.CALL && precedence(function) == precedence(expr.call().function());
    }

    private static boolean isComplexOperator(CelExpr expr) {
        return expr.getKind() == CelExpr.ExprKind.Kind.CALL && expr.call().args().size() >= 2;
    }

    private static boolean isComplexOperatorWithRespectTo(String function, CelExpr expr) {
        return isComplexOperator(expr) && precedence(function) < precedence(expr.call().function());
    }

    private static boolean isBinaryOrTernaryOperator(CelExpr expr) {
        return isComplexOperator(expr) && (binaryOperator(expr.call().function()) != null
                || isSamePrecedence(CONDITIONAL, expr));
    }

    // ---- Go's formatting of literals ----------------------------------------------------------------

    /** Go's {@code strconv.FormatFloat(d, 'g', -1, 64)}. */
    static String goShortestG(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        String sign = d < 0 || (d == 0 && 1 / d < 0) ? "-" : "";
        if (d == 0) {
            return sign + "0";
        }
        BigDecimal shortest = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int point = digits.length() - shortest.scale(); // the value is 0.digits × 10^point
        int exponent = point - 1;
        if (exponent < -4 || exponent >= 6) {
            String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
            int e = Math.abs(exponent);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + e;
        }
        if (point <= 0) {
            return sign + "0." + "0".repeat(-point) + digits;
        }
        if (point >= digits.length()) {
            return sign + digits + "0".repeat(point - digits.length());
        }
        return sign + digits.substring(0, point) + "." + digits.substring(point);
    }

    /** Go's {@code strconv.Quote}. */
    static String goQuote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case 0x07 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case 0x0b -> b.append("\\v");
                default -> {
                    if (isGoPrintable(c)) {
                        b.appendCodePoint(c);
                    } else if (c < 0x80) {
                        b.append(String.format("\\x%02x", c));
                    } else if (c < 0x10000) {
                        b.append(String.format("\\u%04x", c));
                    } else {
                        b.append(String.format("\\U%08x", c));
                    }
                }
            }
        });
        return b.append('"').toString();
    }

    /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean isGoPrintable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
                    Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
                    Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                    Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }
}
