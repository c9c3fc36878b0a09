/**
 * The PostgreSQL {@link io.relata.store.TupleStore}: partitioned tables, MVCC revisions
 * serialized per tenant, batched queries, COPY for bulk import.
 */
package io.relata.store.postgres;
