package io.relata.engine;

import java.util.List;

/**
 * A subject lookup subjects found.
 *
 * @param id              the subject id, or {@code *} for every subject of the type
 * @param permissionship  HAS or CONDITIONAL
 * @param missingContext  for CONDITIONAL, the caveat parameters that would decide it
 * @param excluded        for {@code *}: the subjects it leaves out, each HAS (surely left out) or
 *                        CONDITIONAL (left out unless a caveat says otherwise); empty otherwise
 */
public record SubjectResult(String id, Permissionship permissionship, List<String> missingContext,
        List<LookupResult> excluded) {

    public SubjectResult {
        missingContext = List.copyOf(missingContext);
        excluded = List.copyOf(excluded);
    }
}
