package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two servers on one PostgreSQL database, each with its own pool and key cache, as two
 * instances would be: a key revoked through one stops working on the other within the
 * other's {@code --key-cache-ttl} (plus the time a request takes), though the other had it cached.
 */
class KeyRevocationAcrossInstancesTest {

    private static final String ADMIN = "revocation-admin-0123456789";
    /** The time a request may take on a loaded 2-core machine, beyond the key cache's expiry. */
    private static final Duration SLACK = Duration.ofMillis(2_500);

    @Test
    void keyRevokedOnOneInstance_isRefusedOnTheOther_withinItsKeyCacheTtl() throws Exception {
        Duration ttl = Duration.ofMillis(1_500);
        long refusedAfter = revokeAndWait(ttl);
        assertThat(refusedAfter).as("ms from the revocation to the first refusal on the other instance")
                .isLessThanOrEqualTo(ttl.plus(SLACK).toMillis());
    }

    @Test
    void withNoKeyCache_theOtherInstanceRefusesTheKeyAtOnce() throws Exception {
        long refusedAfter = revokeAndWait(Duration.ZERO);
        assertThat(refusedAfter).as("ms from the revocation to the first refusal").isLessThanOrEqualTo(SLACK.toMillis());
    }

    /** Creates a key on A, uses it on B (so B caches it), revokes it on A; gives the ms until B refuses it. */
    private static long revokeAndWait(Duration ttl) throws Exception {
        TestDatabase.pool();
        String tenant = "revocation-" + UUID.randomUUID();
        try (HikariDataSource poolA = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(4));
                HikariDataSource poolB = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(4))) {
            PostgresTupleStore storeA = new PostgresTupleStore(poolA, StoreOptions.DEFAULTS);
            PostgresTupleStore storeB = new PostgresTupleStore(poolB, StoreOptions.DEFAULTS);
            storeA.createTenant(tenant);
            AccessOptions access = new AccessOptions(ttl, null);
            try (TestServer a = TestServer.start(config(), storeA, new PostgresApiKeys(storeA), access);
                    TestServer b = TestServer.start(config(), storeB, new PostgresApiKeys(storeB), access)) {
                Reply created = a.post("/v1/tenants/keys/create", new JsonObject().put("tenant", tenant).encode(), ADMIN);
                assertThat(created.status()).as(created.body()).isEqualTo(200);
                String key = created.json().getString("key");
                assertThat(b.post("/v1/schema/write", new JsonObject().put("schema", "definition user {}").encode(), key)
                        .status()).isEqualTo(200);
                assertThat(b.post("/v1/schema/read", "{}", key).status()).as("cached on B").isEqualTo(200);

                Reply revoked = a.post("/v1/tenants/keys/revoke", new JsonObject().put("tenant", tenant)
                        .put("keyId", created.json().getString("keyId")).encode(), ADMIN);
                assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
                long start = System.nanoTime();
                assertThat(a.post("/v1/schema/read", "{}", key).status()).as("refused at once where revoked")
                        .isEqualTo(401);
                long deadline = start + ttl.plus(SLACK).plusSeconds(10).toNanos();
                while (System.nanoTime() < deadline) {
                    Reply r = b.post("/v1/schema/read", "{}", key);
                    if (r.status() == 401) {
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        System.out.println("key cache ttl " + ttl.toMillis() + " ms: refused on the other instance "
                                + ms + " ms after the revocation");
                        return ms;
                    }
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    Thread.sleep(50);
                }
                return Long.MAX_VALUE;
            }
        }
    }

    private static ServerConfig config() {
        return new ServerConfig("127.0.0.1", 0, Map.of(), "revocation-secret-0123456789", Duration.ofMillis(100),
                64 * 1024, 50, EngineOptions.DEFAULTS, ADMIN);
    }
}
