/**
 * The ANTLR 4 grammar's runtime side: the lexer's newline rule
 * ({@code NewlineSemicolons}), error messages written for people ({@code SyntaxErrors}), and
 * the builder of the syntax tree ({@code AstBuilder}), behind {@link io.relata.schema.parser.SchemaSyntax}.
 */
package io.relata.schema.parser;
