package io.relata.store;

/**
 * What a delete did.
 *
 * @param revision  the revision it committed at
 * @param deleted   how many relationships it deleted (expired ones included)
 * @param complete  false when a limit stopped it with matching relationships left
 */
public record DeleteResult(Revision revision, long deleted, boolean complete) {}
