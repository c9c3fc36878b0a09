package io.relata.engine;

import io.relata.schema.AllowedSubjectType;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Permission;
import io.relata.schema.Relation;
import io.relata.schema.Rewrite;
import io.relata.schema.Schema;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether a lookup subjects can be streamed by a {@link SubjectWalk}, read off the schema:
 * the relations and permissions the question can reach from {@code resourceType#permission},
 * and what they hold.
 *
 * <p>A walk streams each subject it reaches, proved (reached over unions and uncaveated
 * relationships only) or checked by the subject set algebra restricted to a batch of ids
 * ({@link SubjectSets#onlyIds}). That gives SpiceDB's answer except where a wildcard of the
 * subject type meets a set operation or a caveat: there the algebra relates ids (a wildcard's
 * {@code excludedSubjects}, concrete subjects that exclusions of exclusions bring back), so
 * only the whole subject set ({@link SubjectSet}) answers. Those questions, and those that
 * reach {@code self} (SpiceDB lists the resource itself, whatever the subject type), are
 * computed whole by {@link SubjectSets} instead.
 */
final class SubjectPlan {

    private boolean setOperation;
    private boolean caveated;
    private boolean wildcard;
    private boolean self;

    private SubjectPlan() {}

    /** True when the question can be streamed (see the class comment). */
    static boolean streamable(Schema schema, String resourceType, String permission, String subjectType,
            String subjectRelation) {
        SubjectPlan plan = new SubjectPlan();
        plan.walk(schema, resourceType, permission, subjectType, subjectRelation);
        return !plan.self && !(plan.wildcard && (plan.setOperation || plan.caveated));
    }

    private void walk(Schema schema, String resourceType, String permission, String subjectType,
            String subjectRelation) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String[]> todo = new ArrayDeque<>();
        todo.push(new String[] {resourceType, permission});
        while (!todo.isEmpty()) {
            String[] node = todo.pop();
            if (!seen.add(node[0] + "#" + node[1])) {
                continue;
            }
            ObjectDefinition definition = schema.definitions().get(node[0]);
            if (definition == null) {
                continue;
            }
            Relation relation = definition.relations().get(node[1]);
            if (relation != null) {
                for (AllowedSubjectType allowed : relation.allowedTypes()) {
                    caveated |= allowed.caveat() != null;
                    if (allowed.subject().wildcard()) {
                        wildcard |= subjectRelation == null && allowed.subject().type().equals(subjectType);
                    } else if (allowed.subject().relation() != null) {
                        todo.push(new String[] {allowed.subject().type(), allowed.subject().relation()});
                    }
                }
                continue;
            }
            Permission p = definition.permissions().get(node[1]);
            if (p != null) {
                rewrite(schema, definition, p.rewrite(), todo);
            }
        }
    }

    private void rewrite(Schema schema, ObjectDefinition definition, Rewrite rewrite, ArrayDeque<String[]> todo) {
        if (rewrite instanceof Rewrite.Union u) {
            u.children().forEach(c -> rewrite(schema, definition, c, todo));
        } else if (rewrite instanceof Rewrite.Intersection i) {
            setOperation = true;
            i.children().forEach(c -> rewrite(schema, definition, c, todo));
        } else if (rewrite instanceof Rewrite.Exclusion x) {
            setOperation = true;
            rewrite(schema, definition, x.base(), todo);
            rewrite(schema, definition, x.subtracted(), todo);
        } else if (rewrite instanceof Rewrite.ComputedUserset c) {
            todo.push(new String[] {definition.name(), c.relation()});
        } else if (rewrite instanceof Rewrite.TupleToUserset t) {
            setOperation |= t.kind() != Rewrite.ArrowKind.ANY;
            Relation tupleset = definition.relations().get(t.tupleset());
            if (tupleset == null) {
                return;
            }
            for (AllowedSubjectType allowed : tupleset.allowedTypes()) {
                caveated |= allowed.caveat() != null;
                ObjectDefinition target = schema.definitions().get(allowed.subject().type());
                if (!allowed.subject().wildcard() && target != null && target.has(t.computed())) {
                    todo.push(new String[] {target.name(), t.computed()});
                }
            }
        } else if (rewrite instanceof Rewrite.Self) {
            self = true;
        }
    }
}
