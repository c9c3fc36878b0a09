package io.relata.engine.index;

/** What the nested-group index knows of one membership question. */
public enum IndexAnswer {
    /** The subject is a member (through uncaveated, non-expiring relationships only). */
    MEMBER,
    /** The subject is not a member, and nothing the index left out could make it one. */
    NOT_MEMBER,
    /** The index cannot tell: the engine evaluates the question itself. */
    UNKNOWN
}
