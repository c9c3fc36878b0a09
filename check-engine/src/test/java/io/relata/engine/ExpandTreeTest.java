package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Expand keeps what bounds a subject: each leaf subject carries its relationship's caveat
 * (name and stored context) and expiration, and a node an arrow reached carries those of the
 * relationship the arrow followed. On both stores.
 */
class ExpandTreeTest {

    private static final String SCHEMA = """
            use expiration

            caveat level_ok(level int, required int) {
                level >= required
            }

            definition user {}

            definition folder {
                relation viewer: user
            }

            definition doc {
                relation parent: folder | folder with level_ok
                relation viewer: user | user with level_ok | user with expiration
                permission view = viewer + parent->viewer
            }
            """;

    static Stream<Arguments> stores() {
        return Stream.of(
                Arguments.of(Named.<Supplier<TupleStore>>of("memory", MemoryTupleStore::new)),
                Arguments.of(Named.<Supplier<TupleStore>>of("postgres",
                        () -> new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS))));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void leavesAndArrowNodes_keepTheCaveatsAndExpirationsOfTheirRelationships(Supplier<TupleStore> stores)
            throws Exception {
        try (TupleStore store = stores.get(); GraphCheckEngine engine = new GraphCheckEngine(store)) {
            String tenant = "expand-" + UUID.randomUUID();
            store.createTenant(tenant);
            store.writeSchema(tenant, SCHEMA);
            Revision revision = store.write(tenant, Stream.of(
                    "doc:d#viewer@user:ann[level_ok:{\"required\":3}]",
                    "doc:d#viewer@user:bob",
                    "doc:d#viewer@user:cat[expiration:2999-01-01T00:00:00Z]",
                    "doc:d#parent@folder:f[level_ok:{\"required\":5}]",
                    "doc:d#parent@folder:g",
                    "folder:f#viewer@user:dan",
                    "folder:g#viewer@user:eve").map(r -> RelationshipUpdate.touch(Relationship.parse(r))).toList());

            ExpandTree tree = engine.expand(tenant, revision, ObjectRef.parse("doc:d"), "view").get();

            assertThat(render(tree)).isEqualTo("doc:d#view union("
                    + "doc:d#viewer {user:ann[level_ok:{\"required\":3}], user:bob, user:cat[expiration:2999-01-01T00:00:00Z]}, "
                    + "doc:d#view union("
                    + "folder:f#viewer[level_ok:{\"required\":5}] {user:dan}, "
                    + "folder:g#viewer {user:eve}))");
            ExpandTree.Leaf viewers = (ExpandTree.Leaf) ((ExpandTree.Operation) tree).children().get(0);
            assertThat(viewers.directSubjects().get(0).caveat().name()).isEqualTo("level_ok");
            assertThat(viewers.directSubjects().get(0).caveat().context()).containsOnlyKeys("required");
            assertThat(viewers.directSubjects().get(1).caveat()).isNull();
            assertThat(viewers.directSubjects().get(1).expiresAt()).isNull();
            assertThat(viewers.subjects()).extracting(Object::toString).containsExactly("user:ann", "user:bob", "user:cat");
        }
    }

    /** A tree as text: {@code object#relation[caveat][expiration] kind(children)} or {@code ... {subjects}}. */
    static String render(ExpandTree tree) {
        String head = tree.resource() + "#" + tree.relation() + traits(tree.caveat(), tree.expiresAt());
        if (tree instanceof ExpandTree.Leaf leaf) {
            return head + " {" + leaf.directSubjects().stream()
                    .map(s -> s.subject() + traits(s.caveat(), s.expiresAt())).collect(Collectors.joining(", ")) + "}";
        }
        ExpandTree.Operation op = (ExpandTree.Operation) tree;
        return head + " " + op.kind().name().toLowerCase() + "("
                + op.children().stream().map(ExpandTreeTest::render).collect(Collectors.joining(", ")) + ")";
    }

    private static String traits(io.relata.store.Caveat caveat, java.time.Instant expiresAt) {
        return (caveat == null ? "" : "[" + caveat + "]") + (expiresAt == null ? "" : "[expiration:" + expiresAt + "]");
    }
}
