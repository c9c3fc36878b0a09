/** The in-memory {@link io.relata.store.TupleStore}: same behaviour as PostgreSQL, nothing kept on exit. */
package io.relata.store.memory;
