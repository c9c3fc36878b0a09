package io.relata.engine;

/**
 * One item of a bulk check: its request, and its result or the error it got.
 *
 * @param request  the item as asked
 * @param result   the answer, or null when {@code error} is set
 * @param error    why this item could not be answered, or null
 */
public record BulkCheckResult(CheckRequest request, CheckResult result, EngineException error) {}
