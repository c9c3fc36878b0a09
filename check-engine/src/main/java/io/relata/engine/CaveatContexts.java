package io.relata.engine;

import io.relata.schema.CaveatDefinition;
import java.util.Map;

/** Checks caveat contexts against caveat parameter types, for writes that store them. */
public final class CaveatContexts {

    private CaveatContexts() {}

    /**
     * @throws EngineException INVALID_ARGUMENT when a value does not fit its parameter's type, or
     *         the caveat has no such parameter
     */
    public static void check(CaveatDefinition caveat, Map<String, Object> context) {
        CaveatEvaluator.checkContext(caveat, context);
    }
}
