/**
 * Relationships and their history: the value types ({@link io.relata.store.Relationship},
 * {@link io.relata.store.RelationshipFilter}, {@link io.relata.store.Revision}, ...), the
 * {@link io.relata.store.TupleStore} interface, and the errors a store reports. The
 * PostgreSQL and memory implementations live in sub-packages and pass one contract suite.
 */
package io.relata.store;
