package io.relata.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.relata.store.KeyAccess;
import io.relata.store.KeyAccess.Scope;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The one place a request's key is allowed or refused its operation, for every transport:
 * the key becomes a {@link Caller} ({@link Authenticator}), then the operation's scope
 * ({@link Operation}, and its second scope if it has one) must be among the key's, and, for a
 * key limited to resource types, every type the request names ({@link ResourceTypes}) among its
 * types. A check or bulk check with {@code withTracing} also needs {@code read} and a key not
 * limited to types, since its trace shows the whole schema and sub-problems of any type. A refusal is
 * PERMISSION_DENIED (HTTP 403) naming the missing scope or the type, counted in
 * {@code relata_auth_denied_total} (by {@code reason}: the scope, or {@code resource_type})
 * and logged with the key's id (never the key).
 */
final class Access {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Access.class);

    private final Authenticator authenticator;
    private final MeterRegistry metrics;
    private final Map<String, Counter> denied = new ConcurrentHashMap<>();

    Access(Authenticator authenticator, MeterRegistry metrics) {
        this.authenticator = authenticator;
        this.metrics = metrics;
    }

    /**
     * The caller of {@code bearerKey} (blocking: it may ask the datastore).
     *
     * @throws ApiException UNAUTHENTICATED as {@link Authenticator#callerOf} does
     */
    Caller caller(String bearerKey) {
        return authenticator.callerOf(bearerKey);
    }

    /** The caller of {@code bearerKey} when known without the datastore, else null (never blocks). */
    Caller knownCaller(String bearerKey) {
        return authenticator.knownCallerOf(bearerKey);
    }

    /**
     * The tenant of {@code bearerKey} for {@code operation} on {@code request} (blocking).
     *
     * @throws ApiException UNAUTHENTICATED for an unknown key; PERMISSION_DENIED as {@link #require}
     */
    String tenant(String bearerKey, Operation operation, Supplier<JsonObject> request) {
        Caller caller = caller(bearerKey);
        require(caller, operation, request);
        return caller.tenant();
    }

    /**
     * Lets {@code caller} do {@code operation} on {@code request}, or refuses it (never blocks).
     * The request is only read for a key limited to resource types, or, for a check or bulk
     * check, for a key without {@code read} (to see whether it asks for {@code withTracing}).
     *
     * @throws ApiException PERMISSION_DENIED naming the missing scope, the field naming a
     *                      resource type the key may not touch, or why a traced check or an
     *                      operation over every type is refused
     */
    void require(Caller caller, Operation operation, Supplier<JsonObject> request) {
        Refusal refusal = refusal(caller, operation, request);
        if (refusal != null) {
            denied.computeIfAbsent(refusal.reason(), r -> Counter.builder("relata.auth.denied").tag("reason", r)
                    .description("requests refused for a scope or resource type their key lacks").register(metrics))
                    .increment();
            LOG.info("denied {} to key {} of tenant {}: {}", operation.displayName(), caller.keyId(), caller.tenant(),
                    refusal.error().getMessage());
            throw refusal.error();
        }
    }

    /** Whether {@code caller} may do {@code operation} on {@code request}; counts nothing (for fast paths). */
    boolean permits(Caller caller, Operation operation, Supplier<JsonObject> request) {
        return refusal(caller, operation, request) == null;
    }

    /** Why a request is refused: the metric's reason (a scope, or {@code resource_type}) and the error. */
    private record Refusal(String reason, ApiException error) {}

    private static Refusal refusal(Caller caller, Operation operation, Supplier<JsonObject> request) {
        KeyAccess access = caller.access();
        if (operation.scope == null) {
            return denied("resource_type", "no tenant key may use " + operation.displayName());
        }
        for (Scope scope : new Scope[] {operation.scope, operation.alsoNeeds}) {
            if (scope != null && !access.allows(scope)) {
                return denied(scope.wireName(), "this key lacks the `" + scope.wireName() + "` scope, which "
                        + operation.displayName() + " needs" + (operation.alsoNeeds == null ? ""
                                : " (with `" + operation.alsoNeeds.wireName() + "`)") + "; it holds " + scopes(access)
                        + ". Create a key with the `" + scope.wireName() + "` scope for this call");
            }
        }
        // A traced check answers with the whole schema and sub-problems over any type: read, every type.
        if ((operation == Operation.CHECK_PERMISSION || operation == Operation.CHECK_BULK)
                && (!access.allows(Scope.READ) || !access.allTypes())
                && Json.field(request.get(), "withTracing") instanceof Boolean traced && traced) {
            if (!access.allows(Scope.READ)) {
                return denied(Scope.READ.wireName(), "this key lacks the `read` scope, which a check with"
                        + " `withTracing` needs (its trace shows the schema and the sub-problems of other resource"
                        + " types); it holds " + scopes(access) + ". Check without `withTracing`, or use a key with"
                        + " `read`");
            }
            return denied("resource_type", "this key is limited to the resource types " + types(access)
                    + ", so it may not ask for `withTracing` (the trace shows the schema and the sub-problems of"
                    + " other resource types). Check without `withTracing`");
        }
        if (access.allTypes()) {
            return null;
        }
        List<ResourceTypes.Named> named = operation.resourceTypes.named(request.get());
        if (named == null) {
            return denied("resource_type", operation.displayName() + " needs a key that may touch every resource"
                    + " type (" + operation.resourceTypes.whyEveryType() + "); this key is limited to "
                    + types(access));
        }
        for (ResourceTypes.Named n : named) {
            if (n.type() == null) {
                return denied("resource_type", "this key is limited to the resource types " + types(access)
                        + ", so `" + n.field() + "` must name one of them");
            }
            if (!access.allowsType(n.type())) {
                return denied("resource_type", "this key is limited to the resource types " + types(access) + "; `"
                        + n.field() + "` names " + Errors.quoted(n.type()));
            }
        }
        return null;
    }

    private static String scopes(KeyAccess access) {
        return access.scopeNames().stream().map(s -> "`" + s + "`").collect(Collectors.joining(", "));
    }

    private static String types(KeyAccess access) {
        return access.sortedResourceTypes().stream().map(t -> "`" + t + "`").collect(Collectors.joining(", "));
    }

    private static Refusal denied(String reason, String message) {
        return new Refusal(reason, new ApiException(ApiException.PERMISSION_DENIED, message));
    }
}
