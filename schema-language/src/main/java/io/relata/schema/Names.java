package io.relata.schema;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.regex.Pattern;

/** SpiceDB's naming rules, and the "did you mean" suggestions of error messages. */
final class Names {

    private static final String SEGMENT = "[a-z][a-z0-9_]{1,62}[a-z0-9]";
    private static final String PREFIX_SEGMENT = "[a-z][a-z0-9_]{1,61}[a-z0-9]";
    private static final Pattern DEFINITION = Pattern.compile("(" + PREFIX_SEGMENT + "/)*" + SEGMENT);
    private static final Pattern RELATION = Pattern.compile(SEGMENT);
    private static final Pattern CAVEAT = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9/_|-]{0,127}");
    private static final Pattern PARAMETER = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    static final String RULE = "3 to 64 characters: lowercase letters, digits and `_`, starting with a letter"
            + " and not ending with `_`";

    private Names() {}

    /** Why {@code name} is not a valid definition name, or null when it is. */
    static String definitionProblem(String name) {
        if (DEFINITION.matcher(name).matches() && name.getBytes(StandardCharsets.UTF_8).length <= 128) {
            return null;
        }
        return "`" + name + "` is not a valid definition name: a name is " + RULE
                + ", optionally after `prefix/` parts that follow the same rule (128 bytes in all)";
    }

    /** Why {@code name} is not a valid relation or permission name, or null when it is. */
    static String relationProblem(String kind, String name) {
        if (RELATION.matcher(name).matches()) {
            return null;
        }
        return "`" + name + "` is not a valid " + kind + " name: a name is " + RULE;
    }

    static String caveatProblem(String name) {
        if (CAVEAT.matcher(name).matches()) {
            return null;
        }
        return "`" + name + "` is not a valid caveat name: use letters, digits and `_`, up to 128 characters";
    }

    static String parameterProblem(String name) {
        if (PARAMETER.matcher(name).matches()) {
            return null;
        }
        return "`" + name + "` is not a valid caveat parameter name: use ASCII letters, digits and `_`,"
                + " starting with a letter";
    }

    /** " (did you mean `x`?)" for the closest candidate within a small edit distance, else "". */
    static String suggestion(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int limit = Math.max(1, Math.min(3, name.length() / 3));
        for (String candidate : candidates) {
            int d = distance(name, candidate);
            if (d <= limit && d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean `" + best + "`?)";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
