package io.relata.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.store.ConflictException;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.TupleStore;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The memory store stages an import before it takes the tenant's write lock: while the
 * upload is slow (here: stopped half way), writes and reads of the same tenant go on; the
 * import then applies at one revision after them. A schema change during the upload
 * refuses the import whole, as a conflict to retry.
 */
class MemoryBulkImportTest {

    private final TupleStore store = new MemoryTupleStore();
    private final CountDownLatch halfway = new CountDownLatch(1);
    private final CountDownLatch resume = new CountDownLatch(1);

    @AfterEach
    void close() {
        resume.countDown();
        store.close();
    }

    /** 2,000 relationships that stop after the first 1,000 until {@link #resume} opens. */
    private Iterator<Relationship> slowUpload() {
        return new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < 2_000;
            }

            @Override
            public Relationship next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                if (i == 1_000) {
                    halfway.countDown();
                    try {
                        assertThat(resume.await(30, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return Relationship.parse("doc:d" + i++ + "#viewer@user:u1");
            }
        };
    }

    @Test
    void aWriteAndAReadOfTheTenantProceedWhileAnImportUploads() throws Exception {
        store.createTenant("t");
        store.writeSchema("t", "definition user {}");
        CompletableFuture<Revision> imported = CompletableFuture.supplyAsync(() -> store.bulkImport("t", slowUpload()));
        assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();

        // Both would wait for the import's end if it held the write lock during the upload.
        CompletableFuture<Revision> written = CompletableFuture.supplyAsync(() -> store.write("t",
                List.of(RelationshipUpdate.touch(Relationship.parse("folder:f#viewer@user:u2")))));
        Revision during = written.get(30, TimeUnit.SECONDS);
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> store.read("t",
                RelationshipFilter.ofType("folder"), during, null, 10).relationships().size());
        assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(imported).isNotDone();

        resume.countDown();
        Revision after = imported.get(30, TimeUnit.SECONDS);
        assertThat(after).as("one revision, after the write that went first").isEqualTo(Revision.of(during.value() + 1));
        assertThat(store.read("t", RelationshipFilter.ofType("doc"), during, null, 10).relationships())
                .as("nothing of the import before its revision").isEmpty();
        assertThat(store.read("t", RelationshipFilter.ofType("doc"), after, null, 5_000).relationships()).hasSize(2_000);
    }

    @Test
    void aSchemaChangeDuringTheUpload_refusesTheImportWhole() throws Exception {
        store.createTenant("t");
        store.writeSchema("t", "definition user {}");
        CompletableFuture<Revision> imported = CompletableFuture.supplyAsync(() -> store.bulkImport("t", slowUpload()));
        assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
        Revision schema = store.writeSchema("t", "definition user {}\ndefinition doc {}");
        resume.countDown();

        assertThatThrownBy(() -> imported.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(ConflictException.class)
                .hasMessageContaining("schema changed");
        assertThat(store.headRevision("t")).isEqualTo(schema);
        assertThat(store.read("t", RelationshipFilter.ofType("doc"), schema, null, 10).relationships()).isEmpty();
    }
}
