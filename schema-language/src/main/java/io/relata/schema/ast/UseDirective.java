package io.relata.schema.ast;

/** {@code use <flag>}: turns on a language feature, such as {@code use expiration}. */
public record UseDirective(String flag, Comments comments, Span span, Span flagSpan) implements TopLevel {}
