package io.relata.server;

import io.relata.schema.AllowedSubjectType;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Relation;
import io.relata.schema.Schema;
import io.relata.schema.SubjectType;
import io.relata.store.ErrorInfo;
import io.relata.store.ErrorReason;
import io.relata.store.RelationshipShape;
import io.relata.store.WriteValidator;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Refuses a schema change that would leave live relationships the new schema does not allow,
 * with SpiceDB's rules and messages: removing a definition or a relation that relationships
 * use, a relation that relationships name as their subject's relation, or an allowed subject
 * type (a plain type, a subject relation, a wildcard, one with a caveat or an expiration)
 * that relationships still have. The refusal names what is in use and one relationship that
 * uses it, so a person knows what to delete first.
 *
 * <p>It runs as the schema write's {@link WriteValidator}, so what it finds is what the change
 * commits on. Each removed thing costs one bounded lookup ({@code findAny}: in PostgreSQL a
 * {@code LIMIT 1} query on the resource type's partition), never a read of all the
 * relationships. An allowed type is checked exactly: removing {@code user} while
 * {@code user with caveat} stays is refused only by relationships without the caveat.
 */
final class SchemaChangeCheck {

    private final Schema current;
    private final Schema next;
    private final WriteValidator.Context store;
    private final Set<RelationshipShape> checked = new HashSet<>();

    private SchemaChangeCheck(Schema current, Schema next, WriteValidator.Context store) {
        this.current = current;
        this.next = next;
        this.store = store;
    }

    /**
     * Throws when changing {@code current} to {@code next} would leave a live relationship of
     * {@code store} without the schema it needs.
     *
     * @throws ApiException INVALID_ARGUMENT with SCHEMA_TYPE_ERROR, as SpiceDB answers, naming what is still in use
     */
    static void refuseOrphans(Schema current, Schema next, WriteValidator.Context store) {
        new SchemaChangeCheck(current, next, store).run();
    }

    private void run() {
        for (ObjectDefinition changed : next.definitions().values()) {
            Optional<ObjectDefinition> before = current.definition(changed.name());
            if (before.isEmpty()) {
                continue;
            }
            for (Relation relation : before.get().relations().values()) {
                Optional<Relation> kept = changed.relation(relation.name());
                if (kept.isEmpty()) {
                    removedRelation(changed.name(), relation.name());
                } else {
                    for (AllowedSubjectType type : relation.allowedTypes()) {
                        removedAllowedType(changed.name(), relation.name(), type, kept.get());
                    }
                }
            }
        }
        for (ObjectDefinition definition : current.definitions().values()) {
            if (next.definition(definition.name()).isEmpty()) {
                refuseIfUsed(RelationshipShape.ofType(definition.name()), "cannot delete object definition `"
                        + definition.name() + "`, as at least one relationship exists under it",
                        "resource_type", definition.name(), "operation", "delete_object_definition");
            }
        }
    }

    private void removedRelation(String definition, String relation) {
        refuseIfUsed(RelationshipShape.of(definition, relation), "cannot delete relation `" + relation
                + "` in object definition `" + definition + "`, as at least one relationship exists under it",
                "resource_type", definition, "relation", relation, "operation", "delete_relation");
        // Relationships elsewhere may name it as their subject's relation (`group:eng#member`):
        // only relations whose allowed types mention it can hold them.
        for (ObjectDefinition holder : current.definitions().values()) {
            for (Relation r : holder.relations().values()) {
                boolean names = r.allowedTypes().stream().anyMatch(t -> t.subject().type().equals(definition)
                        && relation.equals(t.subject().relation()));
                if (names) {
                    refuseIfUsed(RelationshipShape.of(holder.name(), r.name()).withSubject(definition, relation, null),
                            "cannot delete relation `" + relation + "` in object definition `" + definition
                                    + "`, as at least one relationship references it as part of a subject",
                            "resource_type", definition, "relation", relation, "operation",
                            "delete_relation_reverse_check");
                }
            }
        }
    }

    /**
     * Refuses when relationships that {@code type} allowed are allowed by no type of
     * {@code kept}: the same subject with the same caveat (or none), and for relationships
     * with an expiration, a type that allows one.
     */
    private void removedAllowedType(String definition, String relation, AllowedSubjectType type, Relation kept) {
        Boolean expiring;
        if (!keeps(kept, type, false)) {
            expiring = type.expiration() ? null : Boolean.FALSE;
        } else if (type.expiration() && !keeps(kept, type, true)) {
            expiring = Boolean.TRUE;
        } else {
            return;
        }
        refuseIfUsed(subject(RelationshipShape.of(definition, relation), type.subject())
                        .withCaveat(type.caveat() == null ? "" : type.caveat()).withExpiring(expiring),
                "cannot remove allowed type `" + type + "` from relation `" + relation + "` in object definition `"
                        + definition + "`, as a relationship exists with it",
                "resource_type", definition, "relation", relation, "allowed_type", type.toString(),
                "operation", "remove_allowed_type");
    }

    private static boolean keeps(Relation kept, AllowedSubjectType type, boolean expiring) {
        return kept.allowedTypes().stream().anyMatch(t -> t.subject().equals(type.subject())
                && Objects.equals(t.caveat(), type.caveat()) && (!expiring || t.expiration()));
    }

    private static RelationshipShape subject(RelationshipShape shape, SubjectType subject) {
        if (subject.wildcard()) {
            return shape.withSubject(subject.type(), "", true);
        }
        return subject.relation() == null ? shape.withSubject(subject.type(), "", false)
                : shape.withSubject(subject.type(), subject.relation(), null);
    }

    /**
     * Refuses with INVALID_ARGUMENT and SpiceDB's SCHEMA_TYPE_ERROR, whose metadata is
     * {@code metadata} (keys and values) and the relationship found.
     */
    private void refuseIfUsed(RelationshipShape shape, String message, String... metadata) {
        if (checked.add(shape)) {
            store.findAny(shape).ifPresent(r -> {
                throw new ApiException(ApiException.INVALID_ARGUMENT, message + ": " + r,
                        ErrorInfo.of(ErrorReason.SCHEMA_TYPE_ERROR, metadata).with("relationship", r.toString()));
            });
        }
    }
}
