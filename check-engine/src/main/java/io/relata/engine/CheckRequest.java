package io.relata.engine;

import io.relata.store.ObjectRef;
import io.relata.store.SubjectRef;
import java.util.Map;
import java.util.Objects;

/**
 * "May {@code subject} do {@code permission} on {@code resource}?", with the caveat context
 * the caller knows.
 *
 * @param resource    the resource
 * @param permission  a permission or relation of the resource's type
 * @param subject     an object ({@code user:alice}) or a userset ({@code group:eng#member}); not a wildcard
 * @param context     caveat parameters (JSON values); a relationship's own context wins over it
 */
public record CheckRequest(ObjectRef resource, String permission, SubjectRef subject, Map<String, Object> context) {

    public CheckRequest {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(permission, "permission");
        Objects.requireNonNull(subject, "subject");
        // JSON null is a value a client may send; keep it (the caveat treats it as absent).
        context = context == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(context));
    }

    public static CheckRequest of(String resource, String permission, String subject) {
        return new CheckRequest(ObjectRef.parse(resource), permission, SubjectRef.parse(subject), Map.of());
    }

    public CheckRequest withContext(Map<String, Object> context) {
        return new CheckRequest(resource, permission, subject, context);
    }

    @Override
    public String toString() {
        return resource + "#" + permission + "@" + subject + (context.isEmpty() ? "" : " with " + context);
    }
}
