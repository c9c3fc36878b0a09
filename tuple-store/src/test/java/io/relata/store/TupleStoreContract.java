package io.relata.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TupleStore} must do. Each implementation extends this class with its
 * {@link #newStore}; a difference between implementations is a bug in one of them. Every
 * test works in a tenant of its own, so tests do not depend on each other or on order.
 */
public abstract class TupleStoreContract {

    protected final TestClock clock = new TestClock();
    protected TupleStore store;
    protected String tenant;

    /** A store with these options, over the implementation's storage. */
    protected abstract TupleStore newStore(StoreOptions options);

    @BeforeEach
    void openStore() {
        store = newStore(StoreOptions.DEFAULTS.withClock(clock).withMaxUpdatesPerWrite(50));
        tenant = newTenant();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected String newTenant() {
        String name = "t-" + UUID.randomUUID();
        assertThat(store.createTenant(name)).isTrue();
        return name;
    }

    protected static Relationship rel(String text) {
        return Relationship.parse(text);
    }

    protected static List<RelationshipUpdate> touch(String... relationships) {
        return java.util.Arrays.stream(relationships).map(r -> RelationshipUpdate.touch(rel(r))).toList();
    }

    protected List<String> readAll(RelationshipFilter filter, Revision at) {
        List<String> out = new ArrayList<>();
        Cursor cursor = null;
        do {
            RelationshipPage page = store.read(tenant, filter, at, cursor, 7);
            page.relationships().forEach(r -> out.add(r.toString()));
            cursor = page.next();
        } while (cursor != null);
        return out;
    }

    // ---- tenants -------------------------------------------------------------------------------------

    @Test
    void createTenant_isIdempotent_andNewTenantsStartAtRevisionZero() {
        assertThat(store.createTenant(tenant)).isFalse();
        assertThat(store.tenantExists(tenant)).isTrue();
        assertThat(store.headRevision(tenant)).isEqualTo(Revision.ZERO);
        assertThat(store.tenantExists("t-never-created-" + UUID.randomUUID())).isFalse();
    }

    @Test
    void aNulCharacterInTransactionMetadata_isRefusedWhole_withTheSameErrorOnEveryStore() {
        Revision before = store.headRevision(tenant);

        assertThatThrownBy(() -> store.write(tenant, touch("doc:a#viewer@user:u1"), List.of(),
                Map.of("note", List.of("fine", "not\u0000fine")), WriteValidator.NONE))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("the transaction metadata contains the NUL character (U+0000) at `note[1]`, which cannot"
                        + " be stored");
        assertThat(store.headRevision(tenant)).isEqualTo(before);
    }

    @Test
    void unknownTenant_isRefused() {
        String missing = "t-missing-" + UUID.randomUUID();
        assertThatThrownBy(() -> store.write(missing, touch("doc:a#viewer@user:u1")))
                .isInstanceOf(TenantNotFoundException.class).hasMessageContaining(missing);
        assertThatThrownBy(() -> store.headRevision(missing)).isInstanceOf(TenantNotFoundException.class);
        assertThatThrownBy(() -> store.createTenant("bad tenant name")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tenants_areIsolated() {
        String other = newTenant();
        store.write(tenant, touch("doc:a#viewer@user:u1"));
        store.write(other, touch("doc:a#viewer@user:u2", "doc:b#viewer@user:u2"));

        Revision mine = store.headRevision(tenant);
        Revision theirs = store.headRevision(other);
        assertThat(mine).isEqualTo(Revision.of(1));
        assertThat(theirs).isEqualTo(Revision.of(1));
        assertThat(readAll(RelationshipFilter.ofType("doc"), mine)).containsExactly("doc:a#viewer@user:u1");
        assertThat(store.subjectsOf(tenant, mine, "doc", List.of("a", "b"), "viewer")).hasSize(1);
        assertThat(store.resourcesNaming(tenant, mine, "doc", "viewer", "user", "", List.of("u2"))).isEmpty();
        DeleteResult deleted = store.delete(tenant, RelationshipFilter.ofType("doc"), List.of(), 0, false);
        assertThat(deleted.deleted()).isEqualTo(1);
        assertThat(store.read(other, RelationshipFilter.ofType("doc"), store.headRevision(other), null, 10)
                .relationships()).hasSize(2);
    }

    // ---- writes --------------------------------------------------------------------------------------

    @Test
    void write_returnsTheRevisionItCommittedAt_andReadsAtItSeeIt() {
        Revision first = store.write(tenant, touch("doc:a#viewer@user:u1"));
        Revision second = store.write(tenant, touch("doc:a#viewer@user:u2"));

        assertThat(second).isEqualTo(Revision.of(first.value() + 1));
        assertThat(store.headRevision(tenant)).isEqualTo(second);
        assertThat(readAll(RelationshipFilter.ofType("doc"), first)).containsExactly("doc:a#viewer@user:u1");
        assertThat(readAll(RelationshipFilter.ofType("doc"), second))
                .containsExactly("doc:a#viewer@user:u1", "doc:a#viewer@user:u2");
        assertThat(readAll(RelationshipFilter.ofType("doc"), Revision.ZERO)).isEmpty();
    }

    @Test
    void createOfAnExistingRelationship_failsAndWritesNothing() {
        store.write(tenant, touch("doc:a#viewer@user:u1"));
        Revision before = store.headRevision(tenant);

        assertThatThrownBy(() -> store.write(tenant, List.of(
                RelationshipUpdate.create(rel("doc:b#viewer@user:u9")),
                RelationshipUpdate.create(rel("doc:a#viewer@user:u1")))))
                .isInstanceOf(AlreadyExistsException.class)
                .hasMessageContaining("doc:a#viewer@user:u1");

        assertThat(store.headRevision(tenant)).isEqualTo(before);
        assertThat(readAll(RelationshipFilter.ofType("doc"), before)).containsExactly("doc:a#viewer@user:u1");
    }

    @Test
    void touch_upserts_andReplacesTheCaveatAndExpiration() {
        store.write(tenant, touch("doc:a#viewer@user:u1[ip_ok:{\"cidr\":\"10.0.0.0/8\"}]"));
        Revision revision = store.write(tenant, touch("doc:a#viewer@user:u1[ip_ok:{\"cidr\":\"192.168.0.0/16\"}]"
                + "[expiration:2031-01-01T00:00:00Z]"));

        List<Relationship> rows = store.read(tenant, RelationshipFilter.ofType("doc"), revision, null, 10).relationships();
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.caveat()).isEqualTo(new Caveat("ip_ok", Map.of("cidr", "192.168.0.0/16")));
            assertThat(r.expiresAt()).isEqualTo(Instant.parse("2031-01-01T00:00:00Z"));
        });
        store.write(tenant, touch("doc:a#viewer@user:u1"));
        assertThat(readAll(RelationshipFilter.ofType("doc"), store.headRevision(tenant)))
                .containsExactly("doc:a#viewer@user:u1");
    }

    @Test
    void deleteOfAMissingRelationship_isANoOp() {
        store.write(tenant, touch("doc:a#viewer@user:u1"));

        Revision revision = store.write(tenant, List.of(RelationshipUpdate.delete(rel("doc:zzz#viewer@user:u1"))));

        assertThat(readAll(RelationshipFilter.ofType("doc"), revision)).containsExactly("doc:a#viewer@user:u1");
    }

    @Test
    void deletedRelationships_remainVisibleAtEarlierRevisions() {
        Revision created = store.write(tenant, touch("doc:a#viewer@user:u1", "doc:a#viewer@user:u2"));
        Revision deleted = store.write(tenant, List.of(RelationshipUpdate.delete(rel("doc:a#viewer@user:u1"))));
        Revision recreated = store.write(tenant, touch("doc:a#viewer@user:u1[some_caveat]"));

        assertThat(readAll(RelationshipFilter.ofType("doc"), created))
                .containsExactly("doc:a#viewer@user:u1", "doc:a#viewer@user:u2");
        assertThat(readAll(RelationshipFilter.ofType("doc"), deleted)).containsExactly("doc:a#viewer@user:u2");
        assertThat(readAll(RelationshipFilter.ofType("doc"), recreated))
                .containsExactly("doc:a#viewer@user:u1[some_caveat]", "doc:a#viewer@user:u2");
        assertThat(store.subjectsOf(tenant, deleted, "doc", List.of("a"), "viewer")).hasSize(1);
        assertThat(store.subjectsOf(tenant, created, "doc", List.of("a"), "viewer")).hasSize(2);
    }

    @Test
    void preconditions_gateTheWrite() {
        store.write(tenant, touch("doc:a#owner@user:u1"));
        RelationshipFilter owners = RelationshipFilter.of("doc", "a", "owner");
        RelationshipFilter banned = RelationshipFilter.of("doc", "a", "banned");

        Revision ok = store.write(tenant, touch("doc:a#viewer@user:u2"),
                List.of(Precondition.mustMatch(owners), Precondition.mustNotMatch(banned)), Map.of());
        assertThat(ok).isEqualTo(Revision.of(2));

        assertThatThrownBy(() -> store.write(tenant, touch("doc:a#viewer@user:u3"),
                List.of(Precondition.mustNotMatch(owners)), Map.of()))
                .isInstanceOf(PreconditionFailedException.class).hasMessageContaining("owner");
        assertThatThrownBy(() -> store.write(tenant, touch("doc:a#viewer@user:u3"),
                List.of(Precondition.mustMatch(banned)), Map.of()))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(store.headRevision(tenant)).isEqualTo(ok);
        assertThat(readAll(RelationshipFilter.of("doc", "a", "viewer"), ok)).containsExactly("doc:a#viewer@user:u2");
    }

    @Test
    void tooManyUpdates_orTheSameRelationshipTwice_isRefused() {
        List<RelationshipUpdate> many = IntStream.range(0, 51)
                .mapToObj(i -> RelationshipUpdate.touch(rel("doc:a#viewer@user:u" + i))).toList();
        assertThatThrownBy(() -> store.write(tenant, many))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at most 50");

        assertThatThrownBy(() -> store.write(tenant, List.of(
                RelationshipUpdate.touch(rel("doc:a#viewer@user:u1")),
                RelationshipUpdate.delete(rel("doc:a#viewer@user:u1[cav]")))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("twice");
        assertThat(store.headRevision(tenant)).isEqualTo(Revision.ZERO);
        assertThat(store.write(tenant, many.subList(0, 50))).isEqualTo(Revision.of(1));
    }

    // ---- reads ---------------------------------------------------------------------------------------

    @Test
    void read_pagesInAStableOrder_withResumableCursors() {
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            written.add("doc:d" + (char) ('a' + (i * 7) % 23) + "#viewer@user:u" + (i % 3));
        }
        Revision at = store.write(tenant, touch(written.toArray(new String[0])));
        store.write(tenant, touch("doc:d0#viewer@user:late"));

        RelationshipPage first = store.read(tenant, RelationshipFilter.ofType("doc"), at, null, 10);
        RelationshipPage second = store.read(tenant, RelationshipFilter.ofType("doc"), at, first.next(), 10);
        RelationshipPage third = store.read(tenant, RelationshipFilter.ofType("doc"), at, second.next(), 10);

        assertThat(first.relationships()).hasSize(10);
        assertThat(second.relationships()).hasSize(10);
        assertThat(third.relationships()).hasSize(3);
        assertThat(third.next()).isNull();
        List<Relationship> all = new ArrayList<>(first.relationships());
        all.addAll(second.relationships());
        all.addAll(third.relationships());
        assertThat(all).isSorted().extracting(Relationship::toString)
                .containsExactlyInAnyOrderElementsOf(written);
        assertThat(store.read(tenant, RelationshipFilter.ofType("doc"), at, first.next(), 10).relationships())
                .as("the same cursor gives the same page").isEqualTo(second.relationships());
    }

    @Test
    void read_filtersByEveryField() {
        Revision at = store.write(tenant, touch(
                "doc:a1#viewer@user:u1",
                "doc:a2#viewer@group:eng#member",
                "doc:b1#editor@user:u1",
                "doc:b1#viewer@user:*",
                "folder:a1#viewer@user:u1"));

        assertThat(readAll(RelationshipFilter.ofType("doc"), at)).hasSize(4);
        assertThat(readAll(RelationshipFilter.of("doc", "b1", null), at)).hasSize(2);
        assertThat(readAll(new RelationshipFilter("doc", null, "a", null, null), at))
                .containsExactly("doc:a1#viewer@user:u1", "doc:a2#viewer@group:eng#member");
        assertThat(readAll(RelationshipFilter.of("doc", null, "editor"), at)).containsExactly("doc:b1#editor@user:u1");
        assertThat(readAll(RelationshipFilter.ofType("doc").withSubject(new SubjectFilter("user", "u1", null)), at))
                .containsExactly("doc:a1#viewer@user:u1", "doc:b1#editor@user:u1");
        assertThat(readAll(RelationshipFilter.ofType("doc").withSubject(new SubjectFilter("group", null, "member")), at))
                .containsExactly("doc:a2#viewer@group:eng#member");
        assertThat(readAll(RelationshipFilter.ofType("doc").withSubject(new SubjectFilter("group", null, "")), at))
                .isEmpty();
        assertThat(readAll(RelationshipFilter.ofType("doc").withSubject(new SubjectFilter("user", "*", null)), at))
                .containsExactly("doc:b1#viewer@user:*");
        assertThat(readAll(new RelationshipFilter(null, null, null, null, SubjectFilter.ofType("user")), at))
                .hasSize(4);
    }

    @Test
    void subjectsOf_answersABatchOfResources() {
        Revision at = store.write(tenant, touch(
                "doc:a#viewer@user:u1",
                "doc:a#viewer@group:eng#member",
                "doc:b#viewer@user:*",
                "doc:b#editor@user:u2",
                "doc:c#viewer@user:u3"));

        List<Relationship> rows = store.subjectsOf(tenant, at, "doc", List.of("a", "b", "missing"), "viewer");

        assertThat(rows).extracting(Relationship::toString).containsExactlyInAnyOrder(
                "doc:a#viewer@user:u1", "doc:a#viewer@group:eng#member", "doc:b#viewer@user:*");
        assertThat(store.subjectsOf(tenant, at, "doc", List.of(), "viewer")).isEmpty();
    }

    @Test
    void subjectsOf_readsSeveralRelationsAtOnce_andOnlyThose() {
        Revision at = store.write(tenant, touch(
                "doc:a#viewer@user:u1",
                "doc:a#editor@user:u2",
                "doc:a#owner@user:u3",
                "doc:b#parent@folder:f",
                "doc:c#viewer@user:u4"));
        store.write(tenant, touch("doc:a#viewer@user:later"));

        List<Relationship> rows = store.subjectsOf(tenant, at, "doc", List.of("a", "b"),
                List.of("viewer", "editor", "parent"));

        assertThat(rows).extracting(Relationship::toString).containsExactlyInAnyOrder(
                "doc:a#viewer@user:u1", "doc:a#editor@user:u2", "doc:b#parent@folder:f");
        assertThat(store.subjectsOf(tenant, at, "doc", List.of("a"), List.<String>of())).isEmpty();
    }

    @Test
    void resourcesNaming_answersABatchOfSubjects() {
        Revision at = store.write(tenant, touch(
                "doc:a#viewer@user:u1",
                "doc:b#viewer@user:u2",
                "doc:c#viewer@user:*",
                "doc:d#viewer@group:eng#member",
                "doc:e#editor@user:u1",
                "folder:f#viewer@user:u1"));

        assertThat(store.resourcesNaming(tenant, at, "doc", "viewer", "user", "", List.of("u1", "u2", "*")))
                .extracting(r -> r.resource().id()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(store.resourcesNaming(tenant, at, "doc", "viewer", "group", "member", List.of("eng")))
                .extracting(r -> r.resource().id()).containsExactly("d");
        assertThat(store.resourcesNaming(tenant, at, "doc", "viewer", "group", "", List.of("eng"))).isEmpty();
    }

    @Test
    void resourcesNamingPages_giveTheWholeStepOnce_inSubjectThenResourceOrder() {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rows.add("doc:d" + (i * 7 % 30) + "#viewer@user:u" + (i % 3));
        }
        rows.add("doc:x#viewer@user:u9");
        rows.add("doc:y#editor@user:u1");
        store.write(tenant, touch(rows.toArray(String[]::new)));
        Revision at = store.write(tenant, List.of(RelationshipUpdate.delete(rel("doc:d0#viewer@user:u0"))));
        List<String> ids = List.of("u2", "u0", "u1", "*");

        List<Relationship> whole = store.resourcesNaming(tenant, at, "doc", "viewer", "user", "", ids);
        List<Relationship> paged = new ArrayList<>();
        Relationship after = null;
        while (true) {
            List<Relationship> page = store.resourcesNaming(tenant, at, "doc", "viewer", "user", "", ids, after, 4);
            assertThat(page.size()).isLessThanOrEqualTo(4);
            if (page.isEmpty()) {
                break;
            }
            paged.addAll(page);
            after = page.get(page.size() - 1);
        }

        assertThat(paged).hasSize(29).containsExactlyInAnyOrderElementsOf(whole);
        assertThat(paged).isSortedAccordingTo(java.util.Comparator.<Relationship, String>comparing(r -> r.subject().id())
                .thenComparing(r -> r.resource().id()));
        assertThat(store.resourcesNaming(tenant, at, "doc", "viewer", "user", "", List.of("u9"), null, 10))
                .extracting(Relationship::toString).containsExactly("doc:x#viewer@user:u9");
        assertThat(store.resourcesNaming(tenant, at, "doc", "viewer", "user", "", List.of(), null, 10)).isEmpty();
    }

    // ---- expiration ----------------------------------------------------------------------------------

    @Test
    void expiredRelationships_areInvisible_butCountedByDelete_andCanBeCreatedAgain() {
        Instant soon = clock.instant().plus(Duration.ofMinutes(5));
        store.write(tenant, touch("doc:a#viewer@user:u1[expiration:" + soon + "]", "doc:a#viewer@user:u2"));
        Revision at = store.headRevision(tenant);
        assertThat(store.subjectsOf(tenant, at, "doc", List.of("a"), "viewer")).hasSize(2);

        clock.advance(Duration.ofMinutes(5));

        assertThat(store.subjectsOf(tenant, at, "doc", List.of("a"), "viewer")).extracting(Relationship::toString)
                .containsExactly("doc:a#viewer@user:u2");
        assertThat(readAll(RelationshipFilter.ofType("doc"), at)).containsExactly("doc:a#viewer@user:u2");
        assertThat(store.resourcesNaming(tenant, at, "doc", "viewer", "user", "", List.of("u1"))).isEmpty();
        Revision recreated = store.write(tenant, List.of(RelationshipUpdate.create(rel("doc:a#viewer@user:u1"))));
        assertThat(readAll(RelationshipFilter.ofType("doc"), recreated))
                .containsExactly("doc:a#viewer@user:u1", "doc:a#viewer@user:u2");

        store.write(tenant, touch("doc:b#viewer@user:u3[expiration:" + clock.instant() + "]"));
        DeleteResult result = store.delete(tenant, RelationshipFilter.ofType("doc"), List.of(), 0, false);
        assertThat(result.deleted()).isEqualTo(3);
    }

    // ---- delete --------------------------------------------------------------------------------------

    @Test
    void delete_removesWhatTheFilterMatches_withinALimit() {
        store.write(tenant, touch("doc:a#viewer@user:u1", "doc:b#viewer@user:u1", "doc:c#viewer@user:u1",
                "doc:c#editor@user:u1"));
        RelationshipFilter viewers = RelationshipFilter.of("doc", null, "viewer");

        assertThatThrownBy(() -> store.delete(tenant, viewers, List.of(), 2, false))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("limit");
        assertThat(store.headRevision(tenant)).isEqualTo(Revision.of(1));

        DeleteResult partial = store.delete(tenant, viewers, List.of(), 2, true);
        assertThat(partial.deleted()).isEqualTo(2);
        assertThat(partial.complete()).isFalse();
        DeleteResult rest = store.delete(tenant, viewers, List.of(), 2, true);
        assertThat(rest.deleted()).isEqualTo(1);
        assertThat(rest.complete()).isTrue();
        assertThat(readAll(RelationshipFilter.ofType("doc"), rest.revision())).containsExactly("doc:c#editor@user:u1");
        assertThat(readAll(RelationshipFilter.ofType("doc"), Revision.of(1))).hasSize(4);

        assertThatThrownBy(() -> store.delete(tenant, RelationshipFilter.ofType("doc"),
                List.of(Precondition.mustMatch(viewers)), 0, false)).isInstanceOf(PreconditionFailedException.class);
    }

    // ---- bulk import ---------------------------------------------------------------------------------

    @Test
    void bulkImport_writesEverythingAtOneRevision_orNothing() {
        List<Relationship> rows = IntStream.range(0, 2_500)
                .mapToObj(i -> rel("doc:d" + i + "#viewer@user:u" + (i % 17) + (i % 5 == 0 ? "[cav:{\"n\":" + i + "}]" : "")))
                .toList();

        Revision revision = store.bulkImport(tenant, rows.iterator());

        assertThat(revision).isEqualTo(Revision.of(1));
        assertThat(readAll(RelationshipFilter.ofType("doc"), revision)).hasSize(2_500);
        assertThat(store.subjectsOf(tenant, revision, "doc", List.of("d5"), "viewer"))
                .singleElement().satisfies(r -> assertThat(r.caveat().context()).containsEntry("n", 5));

        assertThatThrownBy(() -> store.bulkImport(tenant, List.of(rel("doc:new#viewer@user:u1"), rows.get(0)).iterator()))
                .isInstanceOf(AlreadyExistsException.class);
        assertThatThrownBy(() -> store.bulkImport(tenant,
                List.of(rel("doc:x#viewer@user:u1"), rel("doc:x#viewer@user:u1")).iterator()))
                .isInstanceOf(StoreException.class);
        assertThat(store.headRevision(tenant)).isEqualTo(revision);
        assertThat(readAll(RelationshipFilter.of("doc", "new", null), revision)).isEmpty();
    }

    // ---- schema --------------------------------------------------------------------------------------

    @Test
    void schemaVersions_areReadAsOfARevision() {
        assertThat(store.readSchema(tenant, store.headRevision(tenant))).isEmpty();
        Revision v1 = store.writeSchema(tenant, "definition user {}");
        Revision between = store.write(tenant, touch("doc:a#viewer@user:u1"));
        Revision v2 = store.writeSchema(tenant, "definition user {}\ndefinition doc {}");

        assertThat(store.readSchema(tenant, v1)).contains(new SchemaVersion("definition user {}", v1));
        assertThat(store.readSchema(tenant, between)).contains(new SchemaVersion("definition user {}", v1));
        assertThat(store.readSchema(tenant, v2).orElseThrow().text()).contains("definition doc");
        assertThat(store.readSchema(tenant, Revision.ZERO)).isEmpty();
    }

    // ---- validation inside the write ------------------------------------------------------------------

    /** A validator's refusal, to tell it apart from any other failure. */
    private static final class Refused extends RuntimeException {
        Refused() {
            super("refused by the validator");
        }
    }

    @Test
    void write_validatorSeesTheHeadAndTheSchemaInEffect_andItsRefusalWritesNothing() {
        List<WriteValidator.Context> seen = new ArrayList<>();
        store.write(tenant, touch("doc:a#viewer@user:u1"), List.of(), Map.of(), context -> {
            assertThat(context.head()).isEqualTo(Revision.ZERO);
            assertThat(context.schema()).isEmpty();
            seen.add(context);
        });
        Revision schema = store.writeSchema(tenant, "definition user {}");
        Revision before = store.headRevision(tenant);

        Refused refusal = new Refused();
        assertThatThrownBy(() -> store.write(tenant, touch("doc:b#viewer@user:u2", "doc:c#viewer@user:u3"),
                List.of(Precondition.mustMatch(RelationshipFilter.ofType("doc"))), Map.of("by", "test"), context -> {
                    assertThat(context.head()).isEqualTo(before);
                    assertThat(context.schema()).contains(new SchemaVersion("definition user {}", schema));
                    assertThat(context.findAny(RelationshipShape.of("doc", "viewer")))
                            .contains(rel("doc:a#viewer@user:u1"));
                    seen.add(context);
                    throw refusal;
                })).isSameAs(refusal);

        assertThat(seen).hasSize(2);
        assertThat(store.headRevision(tenant)).as("nothing was committed").isEqualTo(before);
        assertThat(readAll(RelationshipFilter.ofType("doc"), before)).containsExactly("doc:a#viewer@user:u1");
        assertThat(store.changesSince(tenant, before, 10)).isEmpty();
        assertThat(store.write(tenant, touch("doc:b#viewer@user:u2"))).as("the revision was not used up")
                .isEqualTo(Revision.of(before.value() + 1));
    }

    @Test
    void bulkImport_validatorRunsBeforeTheIteratorIsDrained_andARefusalEitherWayWritesNothing() {
        store.writeSchema(tenant, "definition user {}");
        store.write(tenant, touch("doc:a#viewer@user:u1"));
        Revision before = store.headRevision(tenant);
        List<String> order = new ArrayList<>();
        java.util.Iterator<Relationship> rows = IntStream.range(0, 3_000).mapToObj(i -> {
            order.add("row");
            return rel("doc:b" + i + "#viewer@user:u1");
        }).iterator();

        Revision imported = store.bulkImport(tenant, rows, context -> {
            assertThat(context.head()).isEqualTo(before);
            assertThat(context.schema().orElseThrow().text()).isEqualTo("definition user {}");
            order.add("validator");
        });
        assertThat(order.get(0)).as("the validator runs first").isEqualTo("validator");
        assertThat(order).hasSize(3_001);
        assertThat(readAll(RelationshipFilter.ofType("doc"), imported)).hasSize(3_001);

        Refused refusal = new Refused();
        assertThatThrownBy(() -> store.bulkImport(tenant, List.of(rel("doc:c#viewer@user:u1")).iterator(),
                context -> {
                    throw refusal;
                })).isSameAs(refusal);
        java.util.Iterator<Relationship> failing = IntStream.range(0, 5_000).mapToObj(i -> {
            if (i == 4_000) {
                throw refusal;
            }
            return rel("doc:d" + i + "#viewer@user:u1");
        }).iterator();
        assertThatThrownBy(() -> store.bulkImport(tenant, failing, WriteValidator.NONE)).isSameAs(refusal);
        assertThat(store.headRevision(tenant)).as("nothing was committed").isEqualTo(imported);
        assertThat(readAll(RelationshipFilter.of("doc", "d1", null), imported)).isEmpty();
        assertThatThrownBy(() -> store.bulkImport(tenant, List.of(rel("doc:e#viewer@user:u1"),
                rel("doc:b7#viewer@user:u1")).iterator())).isInstanceOf(AlreadyExistsException.class)
                .hasMessageContaining("doc:b7#viewer@user:u1");
        assertThat(store.write(tenant, touch("doc:z#viewer@user:u2"))).as("the revisions were not used up")
                .isEqualTo(Revision.of(imported.value() + 1));
    }

    @Test
    void writeSchema_validatorSeesTheSchemaItReplaces_andItsRefusalKeepsIt() {
        store.writeSchema(tenant, "definition user {}", context -> assertThat(context.schema()).isEmpty());
        store.write(tenant, touch("doc:a#viewer@user:u1"));
        Revision before = store.headRevision(tenant);

        Refused refusal = new Refused();
        assertThatThrownBy(() -> store.writeSchema(tenant, "definition other {}", context -> {
            assertThat(context.head()).isEqualTo(before);
            assertThat(context.schema().orElseThrow().text()).isEqualTo("definition user {}");
            assertThat(context.findAny(RelationshipShape.ofType("doc"))).contains(rel("doc:a#viewer@user:u1"));
            throw refusal;
        })).isSameAs(refusal);

        assertThat(store.headRevision(tenant)).isEqualTo(before);
        assertThat(store.readSchema(tenant, before).orElseThrow().text()).isEqualTo("definition user {}");
        assertThat(store.changesSince(tenant, before, 10)).isEmpty();
    }

    @Test
    void findAny_findsOnlyLiveRelationshipsOfTheShape() {
        Instant soon = clock.instant().plus(Duration.ofMinutes(5));
        store.write(tenant, List.of(
                RelationshipUpdate.touch(rel("doc:a#viewer@user:alice")),
                RelationshipUpdate.touch(rel("doc:a#viewer@user:*")),
                RelationshipUpdate.touch(rel("doc:a#viewer@group:eng#member")),
                RelationshipUpdate.touch(rel("doc:a#reader@user:bob[on_vpn]")),
                RelationshipUpdate.touch(rel("doc:a#editor@user:carol").withExpiration(soon)),
                RelationshipUpdate.touch(rel("doc:a#owner@user:dave")),
                RelationshipUpdate.touch(rel("folder:f#viewer@user:erin"))));
        store.write(tenant, List.of(RelationshipUpdate.delete(rel("doc:a#owner@user:dave"))));
        RelationshipShape viewer = RelationshipShape.of("doc", "viewer");
        RelationshipShape reader = RelationshipShape.of("doc", "reader");
        RelationshipShape editor = RelationshipShape.of("doc", "editor");

        List<String> found = new ArrayList<>();
        List<RelationshipShape> shapes = List.of(
                RelationshipShape.ofType("doc").withSubject("group", null, null),
                viewer.withSubject("user", "", false),
                viewer.withSubject("user", "", true),
                viewer.withSubject("group", "member", null),
                viewer.withSubject("group", "", null),
                reader.withSubject("user", "", false).withCaveat("on_vpn"),
                reader.withCaveat(""),
                reader.withCaveat("other"),
                editor.withExpiring(true),
                editor.withExpiring(false),
                RelationshipShape.of("doc", "owner"),
                RelationshipShape.ofType("folder"),
                RelationshipShape.ofType("nothing"));
        store.write(tenant, List.of(), List.of(), Map.of(), context -> shapes.forEach(shape ->
                found.add(context.findAny(shape).map(Relationship::toString).orElse("-"))));

        assertThat(found).containsExactly(
                "doc:a#viewer@group:eng#member",
                "doc:a#viewer@user:alice",
                "doc:a#viewer@user:*",
                "doc:a#viewer@group:eng#member",
                "-",
                "doc:a#reader@user:bob[on_vpn]",
                "-",
                "-",
                "doc:a#editor@user:carol[expiration:" + soon + "]",
                "-",
                "-",
                "folder:f#viewer@user:erin",
                "-");

        clock.advance(Duration.ofMinutes(10));
        store.write(tenant, List.of(), List.of(), Map.of(), context ->
                assertThat(context.findAny(editor)).as("an expired relationship is not in use").isEmpty());
    }

    // ---- history -------------------------------------------------------------------------------------

    @Test
    void changesSince_listsEachRevisionInOrder() {
        Revision start = store.headRevision(tenant);
        store.write(tenant, touch("doc:a#viewer@user:u1", "doc:b#viewer@user:u1"), List.of(), Map.of("reason", "import"));
        store.write(tenant, List.of(RelationshipUpdate.delete(rel("doc:a#viewer@user:u1")),
                RelationshipUpdate.touch(rel("doc:b#viewer@user:u1[cav]"))));
        store.writeSchema(tenant, "definition user {}");

        List<ChangeSet> changes = store.changesSince(tenant, start, 10);

        assertThat(changes).extracting(c -> c.revision().value()).containsExactly(1L, 2L, 3L);
        assertThat(changes.get(0).updates()).extracting(Object::toString)
                .containsExactly("TOUCH doc:a#viewer@user:u1", "TOUCH doc:b#viewer@user:u1");
        assertThat(changes.get(0).metadata()).containsEntry("reason", "import");
        assertThat(changes.get(1).updates()).extracting(Object::toString)
                .containsExactly("DELETE doc:a#viewer@user:u1", "TOUCH doc:b#viewer@user:u1[cav]");
        assertThat(changes.get(2).schemaChanged()).isTrue();
        assertThat(changes.get(2).updates()).isEmpty();
        assertThat(store.changesSince(tenant, Revision.of(1), 1)).extracting(c -> c.revision().value())
                .containsExactly(2L);
        assertThat(store.changesSince(tenant, Revision.of(3), 10)).isEmpty();
    }

    @Test
    void revisionAt_andCommittedAt_followTheClock() {
        Instant t0 = clock.instant();
        Revision r1 = store.write(tenant, touch("doc:a#viewer@user:u1"));
        clock.advance(Duration.ofSeconds(10));
        Revision r2 = store.write(tenant, touch("doc:a#viewer@user:u2"));

        assertThat(store.committedAt(tenant, r1)).contains(t0);
        assertThat(store.committedAt(tenant, r2)).contains(t0.plusSeconds(10));
        assertThat(store.revisionAt(tenant, t0.plusSeconds(5))).isEqualTo(r1);
        assertThat(store.revisionAt(tenant, t0.plusSeconds(10))).isEqualTo(r2);
        assertThat(store.revisionAt(tenant, t0.minusSeconds(1))).isEqualTo(Revision.ZERO);
    }

    // ---- garbage collection --------------------------------------------------------------------------

    @Test
    void garbageCollection_removesVersionsDeletedBeforeTheWindow() {
        store.write(tenant, touch("doc:a#viewer@user:u1", "doc:a#viewer@user:u2",
                "doc:a#viewer@user:u3[expiration:" + clock.instant().plus(Duration.ofHours(1)) + "]"));
        Revision deleted = store.write(tenant, List.of(RelationshipUpdate.delete(rel("doc:a#viewer@user:u1"))));
        clock.advance(Duration.ofHours(25));
        Revision recent = store.write(tenant, List.of(RelationshipUpdate.delete(rel("doc:a#viewer@user:u2"))));

        GcResult result = store.collectGarbage();

        assertThat(result.deletedVersions()).isGreaterThanOrEqualTo(1);
        assertThat(result.expired()).isGreaterThanOrEqualTo(1);
        assertThat(store.oldestReadableRevision(tenant)).isEqualTo(deleted);
        assertThat(readAll(RelationshipFilter.ofType("doc"), deleted)).containsExactly("doc:a#viewer@user:u2");
        assertThat(readAll(RelationshipFilter.ofType("doc"), recent)).isEmpty();
        assertThat(store.changesSince(tenant, deleted, 10)).extracting(c -> c.revision()).containsExactly(recent);
        assertThatThrownBy(() -> store.changesSince(tenant, Revision.ZERO, 10))
                .isInstanceOf(RevisionUnavailableException.class);
        assertThat(store.revisionAt(tenant, Instant.EPOCH)).isEqualTo(deleted);
    }
}
