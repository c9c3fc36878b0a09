package io.relata.engine;

import java.util.List;

/**
 * A page of lookup results, in id order.
 *
 * @param results  the resources found
 * @param next     the cursor for the next page (the last id), or null when this was the last page
 */
public record LookupPage(List<LookupResult> results, String next) {

    public LookupPage {
        results = List.copyOf(results);
    }
}
