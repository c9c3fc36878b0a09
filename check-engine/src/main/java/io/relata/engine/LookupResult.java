package io.relata.engine;

import java.util.List;

/**
 * One resource (or subject) a lookup found.
 *
 * @param id              the object id
 * @param permissionship  HAS or CONDITIONAL
 * @param missingContext  for CONDITIONAL, the caveat parameters that would decide it
 */
public record LookupResult(String id, Permissionship permissionship, List<String> missingContext) {

    public LookupResult {
        missingContext = List.copyOf(missingContext);
    }
}
