package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.store.ApiKeys;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link Authenticator#knownTenantOf}: the tenant {@link Authenticator#tenantOf} gives, when
 * that is known without the datastore (a preshared key, a tenant key seen recently), and null
 * otherwise, never asking the keys' store.
 */
class AuthenticatorTest {

    @Test
    void knownTenantOf_answersWithoutTheStore_onlyForKeysAlreadyKnown() {
        try (MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS)) {
            store.createTenant("acme");
            MemoryApiKeys memory = new MemoryApiKeys(store);
            AtomicInteger asked = new AtomicInteger();
            ApiKeys keys = new ApiKeys() {
                @Override
                public NewKey create(String tenant, String label, io.relata.store.KeyAccess access) {
                    return memory.create(tenant, label, access);
                }

                @Override
                public Optional<LiveKey> find(String secret) {
                    asked.incrementAndGet();
                    return memory.find(secret);
                }

                @Override
                public boolean revoke(String tenant, String keyId) {
                    return memory.revoke(tenant, keyId);
                }

                @Override
                public List<KeyInfo> list(String tenant) {
                    return memory.list(tenant);
                }
            };
            Authenticator authenticator = Authenticator.of(new ServerConfig("127.0.0.1", 0,
                    Map.of("preshared-key-0123", "shared"), "authenticator-secret-0123456789", Duration.ofSeconds(5),
                    1 << 20, 10, EngineOptions.DEFAULTS, null), keys);
            ApiKeys.NewKey key = keys.create("acme", "test");

            assertThat(authenticator.knownTenantOf("preshared-key-0123")).isEqualTo("shared");
            assertThat(authenticator.knownTenantOf(key.secret())).as("not seen yet").isNull();
            assertThat(authenticator.knownTenantOf("no-such-key")).isNull();
            assertThat(authenticator.knownTenantOf("")).isNull();
            assertThat(asked).hasValue(0);

            assertThat(authenticator.tenantOf(key.secret())).isEqualTo("acme");
            assertThat(authenticator.knownTenantOf(key.secret())).isEqualTo("acme");
            assertThat(asked).hasValue(1);

            authenticator.keyRevoked();
            assertThat(authenticator.knownTenantOf(key.secret())).as("forgotten on a revocation").isNull();
            assertThat(asked).hasValue(1);
        }
    }
}
