/**
 * The nested-group index: an in-memory copy, per tenant, of the relationships of every
 * recursive relation a schema declares (a relation that allows its own type's subject set,
 * such as {@code group#member} in {@code group#member}), built from the store at one revision
 * and kept up to date from the store's change log. The engine asks it "is this subject,
 * possibly through nested groups, in {@code group:g#member}?" and gets an answer without a
 * store read, or "unknown" whenever the index cannot prove that its answer is the graph
 * walk's: at a revision it does not hold, under a caveated, expiring or non-indexed
 * relationship, or deeper than the depth limit. The engine then walks the graph as before.
 *
 * <p>It also holds the relations self-typed arrows follow ({@code group#parent} under
 * {@code permission view = member + parent->view}) and gives the groups reached through them
 * at a revision ({@link io.relata.engine.index.GroupIndexes#reach}), from which the engine
 * evaluates such a permission in one batch.
 */
package io.relata.engine.index;
