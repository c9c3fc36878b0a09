package io.relata.schema.ast;

/** {@code import "path"}: includes another schema file, resolved relative to this one. */
public record ImportDirective(String path, Comments comments, Span span) implements TopLevel {}
