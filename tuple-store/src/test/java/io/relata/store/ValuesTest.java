package io.relata.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The value types: parsing, canonical text, and SpiceDB's naming rules with clear errors. */
class ValuesTest {

    @Test
    void relationships_parseAndPrintTheirCanonicalForm() {
        for (String text : new String[] {
            "doc:readme#viewer@user:alice",
            "doc:readme#viewer@group:eng#member",
            "doc:readme#viewer@user:*",
            "acme/doc:a/b|c-d=e+f_g#viewer@acme/user:x",
            "doc:readme#viewer@user:alice[ip_ok:{\"cidr\":\"10.0.0.0/8\",\"tags\":[\"a]\"]}]",
            "doc:readme#viewer@user:alice[expiration:2030-01-01T00:00:00Z]",
            "doc:readme#viewer@user:alice[ip_ok][expiration:2030-01-01T00:00:00Z]"}) {
            assertThat(Relationship.parse(text).toString()).isEqualTo(text);
        }
        Relationship r = Relationship.parse("doc:readme#viewer@user:alice[ip_ok:{\"n\":1}][expiration:2030-01-01T00:00:00Z]");
        assertThat(r.caveat()).isEqualTo(new Caveat("ip_ok", Map.of("n", 1)));
        assertThat(r.expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(r.key().toString()).isEqualTo("doc:readme#viewer@user:alice");
        assertThat(Relationship.parse("doc:a#viewer@group:eng#...").subject().relation()).isNull();
    }

    @Test
    void badNamesAndIds_getErrorsThatSayWhatIsAllowed() {
        assertThatThrownBy(() -> Relationship.parse("Doc:a#viewer@user:u1")).hasMessageContaining("type `Doc` is invalid");
        assertThatThrownBy(() -> Relationship.parse("doc:a#vw@user:u1")).hasMessageContaining("`vw` is invalid");
        assertThatThrownBy(() -> Relationship.parse("doc:a b#viewer@user:u1")).hasMessageContaining("id `a b` is invalid");
        assertThatThrownBy(() -> Relationship.parse("doc:*#viewer@user:u1")).hasMessageContaining("only allowed as a wildcard");
        assertThatThrownBy(() -> SubjectRef.parse("user:*#member")).hasMessageContaining("cannot have a relation");
        assertThatThrownBy(() -> ObjectRef.of("doc", "x".repeat(1025))).hasMessageContaining("at most 1,024");
        assertThatThrownBy(() -> Relationship.parse("nonsense")).hasMessageContaining("type:id#relation@type:id");
        assertThatThrownBy(() -> Relationship.parse("doc:a#viewer@user:u1[expiration:tomorrow]"))
                .hasMessageContaining("RFC 3339");
        assertThatThrownBy(() -> new RelationshipFilter(null, null, null, null, null))
                .hasMessageContaining("at least one field");
    }

    @Test
    void aHugeBadId_isEchoedOnlyInPart() {
        String id = "!".repeat(100_000);

        assertThatThrownBy(() -> new ObjectRef("doc", id))
                .hasMessage("object id `" + "!".repeat(100) + "…` (100000 characters) is invalid: ids use letters,"
                        + " digits and `/ _ | - = +`");
        assertThatThrownBy(() -> ObjectRef.parse("x".repeat(100_000))).satisfies(e -> assertThat(e.getMessage())
                .hasSizeLessThan(300));
    }

    @Test
    void aNulCharacterInACaveatContext_isRefused() {
        assertThatThrownBy(() -> new Caveat("ip", Map.of("where", Map.of("k\u0000", 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the context of caveat `ip` contains the NUL character (U+0000) at `where.k\u0000`, which"
                        + " cannot be stored");
    }

    @Test
    void cursors_roundTrip_andRejectForgeries() {
        Relationship r = Relationship.parse("doc:a#viewer@group:eng#member[cav]");
        assertThat(Cursor.after(r).position()).isEqualTo(r.key());
        assertThatThrownBy(() -> new Cursor("not-a-cursor!").position())
                .hasMessageContaining("not one this server issued");
    }

    @Test
    void filters_matchLikeTheStoresQueryThem() {
        Relationship r = Relationship.parse("doc:readme#viewer@group:eng#member");
        assertThat(RelationshipFilter.ofType("doc").matches(r)).isTrue();
        assertThat(new RelationshipFilter("doc", null, "read", null, null).matches(r)).isTrue();
        assertThat(RelationshipFilter.ofType("doc").withSubject(new SubjectFilter("group", "eng", "")).matches(r)).isFalse();
        assertThat(RelationshipFilter.ofType("doc").withSubject(new SubjectFilter("group", "eng", "member")).matches(r)).isTrue();
    }
}
