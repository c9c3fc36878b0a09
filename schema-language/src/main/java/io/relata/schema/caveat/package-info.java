/**
 * Caveat parameter types and the type-checking of caveat expressions with {@code dev.cel}:
 * which types SpiceDB allows, how each maps to a CEL type, and which parameters an
 * expression uses.
 */
package io.relata.schema.caveat;
