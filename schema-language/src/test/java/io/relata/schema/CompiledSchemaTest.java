package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.schema.Rewrite.ArrowKind;
import io.relata.schema.Rewrite.ComputedUserset;
import io.relata.schema.Rewrite.Exclusion;
import io.relata.schema.Rewrite.Intersection;
import io.relata.schema.Rewrite.Nil;
import io.relata.schema.Rewrite.TupleToUserset;
import io.relata.schema.Rewrite.Union;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compiled model the engine evaluates. */
class CompiledSchemaTest {

    private static final String GITLAB_LIKE = """
            use expiration

            definition user {}

            /** A group; subgroups inherit membership from their parent. */
            definition group {
                relation parent: group
                relation owner: user
                relation maintainer: user | group#member
                relation developer: user | group#member with expiration
                permission member = owner + maintainer + developer + parent->member
                permission manage = owner + maintainer + parent->manage
            }

            definition project {
                relation namespace: group
                relation developer: user
                relation banned: user
                relation visibility_public: user:*
                permission read = (developer + namespace->member + visibility_public) - banned
                permission push = developer + namespace.any(member)
                permission everything = developer & namespace.all(manage)
                permission nothing = nil
            }

            caveat on_network(ip ipaddress, network string) {
                ip.in_cidr(network)
            }
            """;

    private final Schema schema = SchemaCompiler.compile(GITLAB_LIKE).orThrow();

    @Test
    void relations_carryTheirAllowedSubjectTypes() {
        Relation developer = schema.definition("group").orElseThrow().relation("developer").orElseThrow();

        assertThat(developer.allowedTypes()).containsExactly(
                new AllowedSubjectType(SubjectType.object("user"), null, false),
                new AllowedSubjectType(SubjectType.userset("group", "member"), null, true));
        assertThat(developer.allowedTypes()).extracting(Object::toString)
                .containsExactly("user", "group#member with expiration");
        assertThat(schema.definition("project").orElseThrow().relation("visibility_public").orElseThrow()
                .allowsWildcard()).isTrue();
    }

    @Test
    void permissions_areRewriteTrees_withFlattenedUnions() {
        Permission member = schema.definition("group").orElseThrow().permission("member").orElseThrow();

        assertThat(member.rewrite()).isEqualTo(new Union(List.of(
                new ComputedUserset("owner"),
                new ComputedUserset("maintainer"),
                new ComputedUserset("developer"),
                new TupleToUserset("parent", "member", ArrowKind.ANY))));
    }

    @Test
    void exclusion_intersection_arrowsAndNil_compileToTheirNodes() {
        ObjectDefinition project = schema.definition("project").orElseThrow();

        assertThat(project.permission("read").orElseThrow().rewrite()).isEqualTo(new Exclusion(
                new Union(List.of(new ComputedUserset("developer"),
                        new TupleToUserset("namespace", "member", ArrowKind.ANY),
                        new ComputedUserset("visibility_public"))),
                new ComputedUserset("banned")));
        assertThat(project.permission("push").orElseThrow().rewrite()).isEqualTo(new Union(List.of(
                new ComputedUserset("developer"), new TupleToUserset("namespace", "member", ArrowKind.ANY))));
        assertThat(project.permission("everything").orElseThrow().rewrite()).isEqualTo(new Intersection(List.of(
                new ComputedUserset("developer"), new TupleToUserset("namespace", "manage", ArrowKind.ALL))));
        assertThat(project.permission("nothing").orElseThrow().rewrite()).isEqualTo(new Nil());
    }

    @Test
    void precedence_followsSpiceDb() {
        Schema s = SchemaCompiler.compile("""
                definition user {}
                definition doc {
                    relation aaa: user
                    relation bbb: user
                    relation ccc: user
                    permission plus_binds_tighter_than_and = aaa + bbb & ccc
                    permission plus_binds_tighter_than_minus = aaa - bbb + ccc
                    permission and_binds_tighter_than_minus = aaa - bbb & ccc
                    permission minus_is_left_associative = aaa - bbb - ccc
                }
                """).orThrow();
        ObjectDefinition doc = s.definition("doc").orElseThrow();
        ComputedUserset a = new ComputedUserset("aaa");
        ComputedUserset b = new ComputedUserset("bbb");
        ComputedUserset c = new ComputedUserset("ccc");

        assertThat(doc.permission("plus_binds_tighter_than_and").orElseThrow().rewrite())
                .isEqualTo(new Intersection(List.of(new Union(List.of(a, b)), c)));
        assertThat(doc.permission("plus_binds_tighter_than_minus").orElseThrow().rewrite())
                .isEqualTo(new Exclusion(a, new Union(List.of(b, c))));
        assertThat(doc.permission("and_binds_tighter_than_minus").orElseThrow().rewrite())
                .isEqualTo(new Exclusion(a, new Intersection(List.of(b, c))));
        assertThat(doc.permission("minus_is_left_associative").orElseThrow().rewrite())
                .isEqualTo(new Exclusion(new Exclusion(a, b), c));
    }

    @Test
    void subjectTypesReaching_followsSubjectRelationsAndArrows() {
        assertThat(schema.subjectTypesReaching("project", "read")).extracting(Object::toString)
                .containsExactlyInAnyOrder("user", "user:*", "group#member");
        assertThat(schema.subjectTypesReaching("group", "member")).extracting(Object::toString)
                .containsExactlyInAnyOrder("user", "group#member");
        assertThat(schema.subjectTypesReaching("project", "nothing")).isEmpty();
        assertThatThrownBy(() -> schema.subjectTypesReaching("project", "missing"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void relationsRead_followsEveryBranch_perObjectType() {
        assertThat(schema.relationsRead("project", "read")).containsOnlyKeys("project", "group");
        assertThat(schema.relationsRead("project", "read").get("project"))
                .containsExactlyInAnyOrder("developer", "namespace", "visibility_public", "banned");
        assertThat(schema.relationsRead("project", "read").get("group"))
                .containsExactlyInAnyOrder("owner", "maintainer", "developer", "parent");
        assertThat(schema.relationsRead("group", "manage")).containsOnlyKeys("group");
        assertThat(schema.relationsRead("group", "manage").get("group"))
                .containsExactlyInAnyOrder("owner", "maintainer", "parent", "developer");
        assertThat(schema.relationsRead("project", "nothing")).isEmpty();
        assertThatThrownBy(() -> schema.relationsRead("project", "missing"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void caveats_keepTypedParametersAndACheckedExpression() {
        CaveatDefinition caveat = schema.caveat("on_network").orElseThrow();

        assertThat(caveat.parameters()).containsExactly(
                java.util.Map.entry("ip", CaveatParameterType.of("ipaddress")),
                java.util.Map.entry("network", CaveatParameterType.of("string")));
        assertThat(caveat.expression()).isEqualTo("ip.in_cidr(network)");
        assertThat(caveat.checkedExpression().isChecked()).isTrue();
    }

    @Test
    void docComments_areKeptOnTheModel() {
        assertThat(schema.definition("group").orElseThrow().doc())
                .isEqualTo("A group; subgroups inherit membership from their parent.");
        assertThat(schema.features()).containsExactly("expiration");
    }

    @Test
    void equalSchemas_compareEqual_whateverTheirLayout() {
        Schema relaidOut = SchemaCompiler.compile(SchemaFormatter.format(GITLAB_LIKE)).orThrow();

        assertThat(relaidOut).isEqualTo(schema).hasSameHashCodeAs(schema);
        assertThat(SchemaCompiler.compile(GITLAB_LIKE.replace("banned: user", "banned: user | group#member"))
                .orThrow()).isNotEqualTo(schema);
    }

    @Test
    void permissionCyclesWithARelation_areAccepted_asInSpiceDb() {
        Compilation c = SchemaCompiler.compile("""
                definition user {}
                definition doc {
                    relation viewer: user
                    permission view = viewer + edit
                    permission edit = view
                }
                """);

        assertThat(c.errors()).isEmpty();
    }

    @Test
    void selfReferenceThroughAUnion_isAWarning() {
        Compilation c = SchemaCompiler.compile("""
                definition user {}
                definition doc {
                    relation viewer: user
                    permission view = viewer + view
                }
                """);

        assertThat(c.ok()).isTrue();
        assertThat(c.warnings()).singleElement().satisfies(w -> {
            assertThat(w.message()).contains("refers to itself");
            assertThat(w.line()).isEqualTo(4);
        });
    }

    @Test
    void useSelf_enablesSelf() {
        Schema s = SchemaCompiler.compile("""
                use self
                definition user {
                    relation friend: user
                    permission view = self + friend
                }
                """).orThrow();

        assertThat(s.definition("user").orElseThrow().permission("view").orElseThrow().rewrite())
                .isEqualTo(new Union(List.of(new Rewrite.Self(), new ComputedUserset("friend"))));
        assertThat(s.subjectTypesReaching("user", "view")).containsExactly(SubjectType.object("user"));
    }

    @Test
    void orThrow_listsEveryError() {
        Compilation c = SchemaCompiler.compile("definition doc {\n  relation aaa: nope\n  relation bbb: nada\n}");

        assertThatThrownBy(c::orThrow).isInstanceOfSatisfying(SchemaException.class,
                e -> assertThat(e.errors()).hasSize(2));
    }

    @Test
    void useFlagsSpiceDbAccepts_areAccepted_evenTwice() {
        Compilation c = SchemaCompiler.compile("use expiration\nuse expiration\nuse partial\nuse typechecking\ndefinition user {}\n");

        assertThat(c.errors()).isEmpty();
        assertThat(c.orThrow().features()).containsExactly("expiration", "partial", "typechecking");
    }

    @Test
    void typeArgumentsOnASimpleType_areDroppedWithAWarning_asSpiceDbDropsThem() {
        Compilation c = SchemaCompiler.compile("caveat positive(count int<string>) {\n  count > 0\n}\n");

        assertThat(c.errors()).isEmpty();
        assertThat(c.orThrow().caveat("positive").orElseThrow().parameters().get("count"))
                .isEqualTo(CaveatParameterType.of("int"));
        assertThat(c.warnings()).singleElement().satisfies(w -> assertThat(w.line() + ":" + w.column()).isEqualTo("1:23"));
    }
}
