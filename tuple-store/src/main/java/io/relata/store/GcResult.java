package io.relata.store;

/**
 * What a garbage collection removed.
 *
 * @param deletedVersions  relationship versions deleted before the window
 * @param expired          relationships removed because they expired
 * @param revisions        revision records older than the window
 */
public record GcResult(long deletedVersions, long expired, long revisions) {

    public GcResult plus(GcResult o) {
        return new GcResult(deletedVersions + o.deletedVersions, expired + o.expired, revisions + o.revisions);
    }
}
