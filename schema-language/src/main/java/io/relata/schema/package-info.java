/**
 * SpiceDB's schema language: {@link io.relata.schema.SchemaCompiler} parses and checks a
 * schema and builds the immutable {@link io.relata.schema.Schema} the engine evaluates
 * (definitions, relations with their allowed subject types, permissions as
 * {@link io.relata.schema.Rewrite} trees, caveats with checked CEL expressions);
 * {@link io.relata.schema.SchemaFormatter} prints a schema canonically. Errors and warnings
 * are {@link io.relata.schema.Diagnostic}s with line, column and the offending line.
 */
package io.relata.schema;
