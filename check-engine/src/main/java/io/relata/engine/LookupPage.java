package io.relata.engine;

import java.util.List;

/**
 * A page of lookup results, in the lookup's order (see {@link CheckEngine#streamResources}).
 *
 * @param results  the resources found, each once
 * @param next     the cursor after the last result when the page is full (more may follow), or null
 */
public record LookupPage(List<LookupResult> results, String next) {

    public LookupPage {
        results = List.copyOf(results);
    }
}
