package io.relata.engine.index;

/**
 * The state of one tenant's nested-group index.
 *
 * @param tenant          the tenant
 * @param state           {@code building}, {@code ready} or {@code disabled}
 * @param appliedUpTo     the newest revision the index holds (-1 before the first build)
 * @param lagRevisions    revisions the store had, when the indexer last looked, that the index has not applied
 * @param lagSeconds      seconds since the index last held the newest revision the change log showed
 * @param relationships   relationship versions the index holds (live, and replaced ones kept for the history window)
 * @param lastBuildMillis how long the last full build took (-1 before it finished)
 */
public record GroupIndexStats(String tenant, String state, long appliedUpTo, long lagRevisions, double lagSeconds,
        long relationships, long lastBuildMillis) {
}
