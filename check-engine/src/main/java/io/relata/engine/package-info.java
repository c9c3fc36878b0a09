/**
 * The check engine: check, bulk check, expand, lookup resources and lookup subjects over a
 * compiled {@link io.relata.schema.Schema} and the relationships of a
 * {@link io.relata.store.TupleStore} at one revision. {@link io.relata.engine.GraphCheckEngine}
 * is the implementation; it never sees SQL, only the store's batched queries.
 */
package io.relata.engine;
