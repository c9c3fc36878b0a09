package io.relata.engine;

import java.util.List;
import java.util.Objects;

/**
 * The answer to a check.
 *
 * @param permissionship  HAS, NO or CONDITIONAL
 * @param missingContext  for CONDITIONAL, the caveat parameters whose values would decide it, sorted
 */
public record CheckResult(Permissionship permissionship, List<String> missingContext) {

    public static final CheckResult HAS = new CheckResult(Permissionship.HAS, List.of());
    public static final CheckResult NO = new CheckResult(Permissionship.NO, List.of());

    public CheckResult {
        Objects.requireNonNull(permissionship, "permissionship");
        missingContext = List.copyOf(missingContext);
    }

    static CheckResult of(Truth truth) {
        return switch (truth.kind) {
            case TRUE -> HAS;
            case FALSE -> NO;
            case UNKNOWN -> new CheckResult(Permissionship.CONDITIONAL, truth.missingSorted());
        };
    }
}
