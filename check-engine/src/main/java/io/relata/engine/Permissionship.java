package io.relata.engine;

/** The answer to a check. */
public enum Permissionship {
    /** The subject has the permission. */
    HAS,
    /** The subject does not have it. */
    NO,
    /** The subject has it if caveat parameters that were not given hold; see the missing context. */
    CONDITIONAL
}
