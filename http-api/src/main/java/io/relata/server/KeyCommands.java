package io.relata.server;

import io.relata.store.ApiKeys;
import io.relata.store.KeyAccess;
import io.relata.store.StoreOptions;
import io.relata.store.TenantNotFoundException;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresConfig;
import io.relata.store.postgres.PostgresTupleStore;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code relata key create|list|revoke}: a tenant's API keys, straight in a PostgreSQL
 * datastore (no server or admin key needed, the database's credentials are), the same keys
 * the admin API makes. Exit 0 on success, 1 when refused (no such tenant or key, a scope
 * that does not exist), 2 on a usage error.
 */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Create, list and revoke a tenant's API keys"
        + " in a PostgreSQL datastore.", subcommands = {KeyCommands.Create.class, KeyCommands.ListKeys.class,
            KeyCommands.Revoke.class})
final class KeyCommands implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("relata key: give create, list or revoke (relata key --help)");
        return 2;
    }

    /** The options every key command takes. */
    static final class Datastore {

        @Option(names = "--datastore-url", defaultValue = "${env:RELATA_DATASTORE_URL}", required = true,
                description = "postgresql://user:password@host:5432/database")
        String datastoreUrl;

        @Option(names = "--tenant", defaultValue = "${env:RELATA_TENANT:-default}",
                description = "The tenant whose keys these are (default `default`).")
        String tenant;

        /** Runs {@code work} over the datastore's keys; a refusal is printed and exits 1. */
        int run(String command, java.util.function.ToIntFunction<ApiKeys> work) {
            try (PostgresTupleStore store = PostgresTupleStore.open(PostgresConfig.fromUrl(datastoreUrl),
                    StoreOptions.DEFAULTS, false)) {
                return work.applyAsInt(new PostgresApiKeys(store));
            } catch (TenantNotFoundException | IllegalArgumentException e) {
                System.err.println("relata key " + command + ": " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key and print it (shown once).")
    static final class Create implements Callable<Integer> {

        @Mixin
        Datastore datastore;

        @Option(names = "--label", defaultValue = "", description = "A label to tell the key by.")
        String label;

        @Option(names = "--scope", split = ",", description = "Scopes the key may use: check, read, write, schema,"
                + " watch (default: all; with --resource-types, all but schema).")
        List<String> scopes;

        @Option(names = "--resource-types", split = ",", description = "Resource types the key may name (default:"
                + " every type).")
        List<String> resourceTypes;

        @Override
        public Integer call() {
            return datastore.run("create", keys -> {
                List<String> types = resourceTypes == null ? List.of() : resourceTypes;
                List<String> names = scopes != null ? scopes : KeyAccess.FULL.scopeNames().stream()
                        .filter(s -> types.isEmpty() || !s.equals("schema")).toList();
                KeyAccess access = KeyAccess.of(names, types);
                ApiKeys.NewKey key = keys.create(datastore.tenant, label, access);
                System.out.println("key id: " + key.keyId());
                System.out.println("scopes: " + String.join(",", access.scopeNames())
                        + (access.allTypes() ? "" : "  resource types: " + String.join(",",
                                access.sortedResourceTypes())));
                System.out.println("key:    " + key.secret());
                return 0;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a tenant's keys (never the keys"
            + " themselves).")
    static final class ListKeys implements Callable<Integer> {

        @Mixin
        Datastore datastore;

        @Override
        public Integer call() {
            return datastore.run("list", keys -> {
                for (ApiKeys.KeyInfo k : keys.list(datastore.tenant)) {
                    System.out.println(k.keyId() + "\t" + (k.revoked() ? "revoked" : "live") + "\t"
                            + String.join(",", k.access().scopeNames()) + "\t"
                            + (k.access().allTypes() ? "*" : String.join(",", k.access().sortedResourceTypes()))
                            + "\t" + k.label());
                }
                return 0;
            });
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key; every server refuses it"
            + " within its --key-cache-ttl.")
    static final class Revoke implements Callable<Integer> {

        @Mixin
        Datastore datastore;

        @Parameters(paramLabel = "KEY_ID", description = "The key's id (key_...).")
        String keyId;

        @Override
        public Integer call() {
            return datastore.run("revoke", keys -> {
                if (!keys.revoke(datastore.tenant, keyId)) {
                    System.err.println("relata key revoke: tenant `" + datastore.tenant + "` has no key " + keyId);
                    return 1;
                }
                System.out.println("revoked " + keyId);
                return 0;
            });
        }
    }
}
