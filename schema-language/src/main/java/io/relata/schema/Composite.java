package io.relata.schema;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Relata's composite principal, compiled: a chain of principal types (a job token and the user
 * who triggered the job; an agent and the human it acts for) and, for each permission asked of
 * the chain on a resource type, the permission or relation each link must hold on that resource.
 * A chain holds a permission only where every link holds its own; asking a chain for a
 * permission its composite does not list is refused, never answered NO.
 *
 * <p>Written in the schema as (SpiceDB has no such block):
 * <pre>
 * composite job_token = ci_job &gt; user where ci_job#triggered_by {
 *     permission project#read_packages = job_read_packages &gt; read_packages
 * }
 * </pre>
 *
 * @param name   the composite's name
 * @param chain  the principal types, first link first (at least two)
 * @param bindings  by link index i (from 1): the relation of link i-1 that link i must be (a job's
 *                  {@code triggered_by}, a token's {@code owner}); links without one are unbound
 * @param rules  per resource type, per permission asked, the permission each link must hold (one per link)
 * @param doc    its doc comment, or ""
 */
public record Composite(String name, List<String> chain, Map<Integer, String> bindings,
        Map<String, Map<String, List<String>>> rules, String doc) {

    public Composite {
        chain = List.copyOf(chain);
        bindings = Map.copyOf(bindings);
        Map<String, Map<String, List<String>>> frozen = new LinkedHashMap<>();
        rules.forEach((type, byPermission) -> {
            Map<String, List<String>> copy = new LinkedHashMap<>();
            byPermission.forEach((permission, links) -> copy.put(permission, List.copyOf(links)));
            frozen.put(type, Collections.unmodifiableMap(copy));
        });
        rules = Collections.unmodifiableMap(frozen);
    }

    /** The permission each link must hold when the chain is asked for {@code permission} on a {@code resourceType}. */
    public Optional<List<String>> links(String resourceType, String permission) {
        return Optional.ofNullable(rules.getOrDefault(resourceType, Map.of()).get(permission));
    }

    /** The relation of link {@code link - 1} that link {@code link} must be, if the chain binds them. */
    public Optional<String> binding(int link) {
        return Optional.ofNullable(bindings.get(link));
    }

    /** The permissions this composite may be asked for on a {@code resourceType} (empty when none). */
    public Set<String> permissions(String resourceType) {
        return rules.getOrDefault(resourceType, Map.of()).keySet();
    }

    /** The chain as written: {@code ci_job > user}. */
    public String chainText() {
        return String.join(" > ", chain);
    }
}
