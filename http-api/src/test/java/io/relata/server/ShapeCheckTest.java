package io.relata.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.schema.SchemaCompiler;
import io.relata.store.Relationship;
import org.junit.jupiter.api.Test;

/**
 * The schema check done once per shape refuses exactly what the check of each relationship
 * refuses: a shape once allowed lets the same shape through, never a neighbour (another
 * subject type, a subject relation, a wildcard, a caveat, an expiration), and a caveat's
 * context is checked on every relationship that carries one.
 */
class ShapeCheckTest {

    private final ShapeCheck check = new ShapeCheck(SchemaCompiler.compile("""
            use expiration
            caveat small(n int) { n < 10 }
            definition user {}
            definition group {
                relation member: user
            }
            definition doc {
                relation viewer: user | user with small
                relation editor: user:* | user with expiration
            }
            """).orThrow());

    private void allowed(String text) {
        assertThatCode(() -> check.check(Relationship.parse(text))).as(text).doesNotThrowAnyException();
    }

    private void refused(String text) {
        assertThatThrownBy(() -> check.check(Relationship.parse(text))).as(text).isInstanceOf(RuntimeException.class);
    }

    @Test
    void aShapeAllowedOnce_letsOnlyThatShapeThrough() {
        allowed("doc:a#viewer@user:u1");
        allowed("doc:b#viewer@user:u2");
        refused("doc:c#viewer@group:g1");
        refused("doc:c#viewer@group:g1#member");
        refused("doc:c#viewer@user:*");
        refused("doc:c#viewer@user:u1[expiration:2030-01-01T00:00:00Z]");
        refused("doc:c#owner@user:u1");
        refused("page:c#viewer@user:u1");
        allowed("doc:c#editor@user:*");
        allowed("doc:c#editor@user:u1[expiration:2030-01-01T00:00:00Z]");
        refused("doc:c#editor@user:u1[small]");
    }

    @Test
    void aCaveatsContext_isCheckedOnEveryRelationship() {
        allowed("doc:a#viewer@user:u1[small]");
        allowed("doc:a#viewer@user:u2[small:{\"n\":1}]");
        refused("doc:a#viewer@user:u3[small:{\"n\":\"many\"}]");
        refused("doc:a#viewer@user:u3[other]");
    }
}
