package io.relata.schema.ast;

/**
 * One allowed subject type of a relation.
 *
 * @param type        the subject's object type
 * @param relation    the subject relation of {@code type#relation}, or null for plain objects
 * @param wildcard    true for {@code type:*}
 * @param caveat      the caveat of {@code with caveat}, or null
 * @param expiration  true for {@code with expiration} or {@code with caveat and expiration}
 */
public record TypeRefNode(String type, String relation, boolean wildcard, String caveat, boolean expiration,
        Span span, Span typeSpan, Span relationSpan, Span traitsSpan) {}
