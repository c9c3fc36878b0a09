/**
 * The syntax tree of a schema file: immutable records that keep where each element was
 * written and the comments attached to it. Produced by
 * {@link io.relata.schema.SchemaCompiler#parse(String)}; printed back by
 * {@link io.relata.schema.SchemaFormatter}. The engine never sees these nodes, only the
 * compiled {@link io.relata.schema.Schema}.
 */
package io.relata.schema.ast;
