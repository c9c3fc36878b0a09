package io.relata.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.relata.store.KeyAccess;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The one place a request's key is allowed or refused its operation, for every transport:
 * the key becomes a {@link Caller} ({@link Authenticator}), then the operation's scope
 * ({@link Operation}) must be among the key's, and, for a key limited to resource types, every
 * type the request names ({@link ResourceTypes}) among its types. A refusal is
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
     * The request is only read for a key limited to resource types.
     *
     * @throws ApiException PERMISSION_DENIED naming the missing scope, or the field naming a
     *                      resource type the key may not touch
     */
    void require(Caller caller, Operation operation, Supplier<JsonObject> request) {
        ApiException refusal = refusal(caller, operation, request);
        if (refusal != null) {
            String reason = operation.scope == null || caller.access().allows(operation.scope) ? "resource_type"
                    : operation.scope.wireName();
            denied.computeIfAbsent(reason, r -> Counter.builder("relata.auth.denied").tag("reason", r)
                    .description("requests refused for a scope or resource type their key lacks").register(metrics))
                    .increment();
            LOG.info("denied {} to key {} of tenant {}: {}", operation.displayName(), caller.keyId(), caller.tenant(),
                    refusal.getMessage());
            throw refusal;
        }
    }

    /** Whether {@code caller} may do {@code operation} on {@code request}; counts nothing (for fast paths). */
    boolean permits(Caller caller, Operation operation, Supplier<JsonObject> request) {
        return refusal(caller, operation, request) == null;
    }

    private static ApiException refusal(Caller caller, Operation operation, Supplier<JsonObject> request) {
        KeyAccess access = caller.access();
        if (operation.scope == null) {
            return denied("no tenant key may use " + operation.displayName());
        }
        if (!access.allows(operation.scope)) {
            return denied("this key lacks the `" + operation.scope.wireName() + "` scope, which "
                    + operation.displayName() + " needs; it holds " + scopes(access)
                    + ". Create a key with the `" + operation.scope.wireName() + "` scope for this call");
        }
        if (access.allTypes()) {
            return null;
        }
        List<ResourceTypes.Named> named = operation.resourceTypes.named(request.get());
        if (named == null) {
            return denied(operation.displayName() + " needs a key that may touch every resource type; this key is"
                    + " limited to " + types(access));
        }
        for (ResourceTypes.Named n : named) {
            if (n.type() == null) {
                return denied("this key is limited to the resource types " + types(access) + ", so `" + n.field()
                        + "` must name one of them");
            }
            if (!access.allowsType(n.type())) {
                return denied("this key is limited to the resource types " + types(access) + "; `" + n.field()
                        + "` names " + Errors.quoted(n.type()));
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

    private static ApiException denied(String message) {
        return new ApiException(ApiException.PERMISSION_DENIED, message);
    }
}
