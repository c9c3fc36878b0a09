package io.relata.schema.ast;

/** {@code left + right}, {@code left & right} or {@code left - right}. */
public record BinaryNode(Operator operator, ExprNode left, ExprNode right, Span span) implements ExprNode {

    /** The set operators, from the tightest binding to the loosest, as in SpiceDB. */
    public enum Operator {
        UNION("+"),
        INTERSECTION("&"),
        EXCLUSION("-");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        /** Higher binds tighter. */
        public int precedence() {
            return 3 - ordinal();
        }
    }
}
