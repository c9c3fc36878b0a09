package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.ApiKeys;
import io.relata.store.KeyAccess;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code relata key create|list|revoke} against the test database: the keys the admin API makes, with their scopes. */
class KeyCommandsTest {

    private static PostgresTupleStore store;
    private static ApiKeys keys;
    private static String url;

    @BeforeAll
    static void open() {
        store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
        keys = new PostgresApiKeys(store);
        String env = System.getenv("RELATA_TEST_DATABASE_URL");
        url = env == null || env.isBlank() ? TestDatabase.DEFAULT_URL : env;
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Test
    void create_makesAScopedKey_listShowsIt_revokeEndsIt() {
        String tenant = "keys-cli-" + UUID.randomUUID();
        store.createTenant(tenant);

        Cli.Run created = Cli.run("key", "create", "--datastore-url", url, "--tenant", tenant, "--label", "ci",
                "--scope", "check,read", "--resource-types", "project,group");
        assertThat(created.status()).as(created.err()).isZero();
        String secret = match(created.out(), "key:\\s+(rk_\\S+)");
        String keyId = match(created.out(), "key id: (key_\\S+)");
        ApiKeys.LiveKey live = keys.find(secret).orElseThrow();
        assertThat(live.tenant()).isEqualTo(tenant);
        assertThat(live.access()).isEqualTo(KeyAccess.of(java.util.List.of("check", "read"),
                java.util.List.of("group", "project")));

        Cli.Run full = Cli.run("key", "create", "--datastore-url", url, "--tenant", tenant);
        assertThat(full.status()).isZero();
        assertThat(keys.find(match(full.out(), "key:\\s+(rk_\\S+)")).orElseThrow().access()).isEqualTo(KeyAccess.FULL);

        Cli.Run list = Cli.run("key", "list", "--datastore-url", url, "--tenant", tenant);
        assertThat(list.status()).isZero();
        assertThat(list.out()).contains(keyId + "\tlive\tcheck,read\tgroup,project\tci")
                .doesNotContain(secret);

        Cli.Run revoked = Cli.run("key", "revoke", keyId, "--datastore-url", url, "--tenant", tenant);
        assertThat(revoked.status()).isZero();
        assertThat(keys.find(secret)).isEmpty();
        assertThat(Cli.run("key", "revoke", "key_nothing", "--datastore-url", url, "--tenant", tenant).status())
                .isEqualTo(1);
    }

    @Test
    void create_refusesAnUnknownScope_andAMissingTenant() {
        String tenant = "keys-cli-" + UUID.randomUUID();
        store.createTenant(tenant);
        Cli.Run unknown = Cli.run("key", "create", "--datastore-url", url, "--tenant", tenant, "--scope", "admin");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("unknown scope `admin`");
        Cli.Run missing = Cli.run("key", "create", "--datastore-url", url, "--tenant", "keys-cli-missing-" + UUID.randomUUID());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("does not exist");
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m.group(1);
    }
}
