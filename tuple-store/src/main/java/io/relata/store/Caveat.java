package io.relata.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A caveat on a relationship: its name and the context stored with it (JSON values:
 * strings, numbers, booleans, lists, maps, null). The relationship counts only where the
 * caveat's expression holds.
 */
public record Caveat(String name, Map<String, Object> context) {

    public Caveat {
        Names.caveat(name);
        context = context == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(context));
        Names.noNul("the context of caveat `" + name + "`", context);
    }

    public static Caveat of(String name) {
        return new Caveat(name, Map.of());
    }

    @Override
    public String toString() {
        return context.isEmpty() ? name : name + ":" + Json.write(context);
    }
}
