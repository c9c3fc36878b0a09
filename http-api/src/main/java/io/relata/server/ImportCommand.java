package io.relata.server;

import io.relata.engine.GraphCheckEngine;
import io.relata.schema.SchemaCompiler;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresConfig;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.zookie.ConsistencyResolver;
import io.relata.zookie.ZookieCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code relata import FILE}: a file's relationships into a tenant of a PostgreSQL datastore,
 * straight into the database (no server needed) when {@code --datastore-url} is given, else
 * through the current context's server ({@link ServerImport}); either way the same bulk import as the API's:
 * one transaction at one revision, every relationship checked against the tenant's schema,
 * all or nothing, a bad line named by its file and line.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import relationships in one transaction (all or nothing): a validation file's (.yaml, .yml) or"
                + " NDJSON, one relationship in the HTTP API's JSON (or one {\"relationships\": [...]} message) a"
                + " line. With --datastore-url straight into a tenant of a PostgreSQL datastore; without it through"
                + " the current context's server (relata context set). Exits 0 when imported, 1 when refused.")
final class ImportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "The file to import.")
    Path file;

    @Option(names = "--datastore-url", defaultValue = "${env:RELATA_DATASTORE_URL}",
            description = "postgresql://user:password@host:5432/database; without it the import goes through the"
                    + " server of the current context (or --endpoint and --token).")
    String datastoreUrl;

    @picocli.CommandLine.Mixin
    io.relata.cli.Connection connection;

    @Option(names = "--tenant", defaultValue = "${env:RELATA_TENANT:-default}",
            description = "The tenant to import into, with --datastore-url (default `default`, the preshared key's;"
                    + " through a server, the token names the tenant).")
    String tenant;

    @Option(names = "--create-tenant", description = "Create the tenant when it does not exist (with"
            + " --datastore-url).")
    boolean createTenant;

    @Option(names = "--with-schema", description = "Write the validation file's schema first (its own revision),"
            + " then import against it.")
    boolean withSchema;

    @Option(names = "--migrate", defaultValue = "${env:RELATA_MIGRATE:-false}",
            description = "Apply pending database migrations first.")
    boolean migrate;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(file)) {
            System.err.println("relata import: cannot read " + file);
            return 2;
        }
        if (datastoreUrl == null || datastoreUrl.isBlank()) {
            return throughServer();
        }
        try (TupleStore store = PostgresTupleStore.open(PostgresConfig.fromUrl(datastoreUrl), StoreOptions.DEFAULTS,
                migrate); FileImportSource source = FileImportSource.open(file);
                GraphCheckEngine engine = new GraphCheckEngine(store)) {
            if (createTenant && store.createTenant(tenant)) {
                System.out.println("relata import: created tenant `" + tenant + "`");
            }
            if (withSchema) {
                if (source.validationFile() == null) {
                    System.err.println("relata import: --with-schema needs a validation file (.yaml) with a schema");
                    return 2;
                }
                SchemaCompiler.compile(source.validationFile().schema()).orThrow();
                store.writeSchema(tenant, source.validationFile().schema());
            }
            // Exports are not made here; the token secret only has to be valid.
            BulkRelationships bulk = new BulkRelationships(store, engine, new ConsistencyResolver(store,
                    new ZookieCodec("relata-import-unused-secret"), Duration.ZERO, Clock.systemUTC()),
                    "relata-import-unused-secret");
            long start = System.nanoTime();
            long loaded = bulk.load(tenant, source);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("relata import: imported %,d relationships of %s into tenant `%s` at revision %s in"
                    + " %.1f s (%,.0f/s)%n", loaded, file, tenant, store.headRevision(tenant), seconds,
                    loaded / Math.max(seconds, 1e-9));
            return 0;
        } catch (ValidationFile.Unreadable e) {
            System.err.println("relata import: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            System.err.println("relata import: nothing was imported: " + Errors.of(e).message());
            return 1;
        }
    }

    private int throughServer() throws java.io.IOException {
        if (createTenant) {
            System.err.println("relata import: --create-tenant needs --datastore-url (through a server, the token names"
                    + " the tenant)");
            return 2;
        }
        try {
            io.relata.cli.ApiClient api = connection.client();
            long start = System.nanoTime();
            long loaded = ServerImport.run(api, file, withSchema);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("relata import: imported %,d relationships of %s through %s in %.1f s (%,.0f/s)%n",
                    loaded, file, api.base(), seconds, loaded / Math.max(seconds, 1e-9));
            return 0;
        } catch (io.relata.cli.ClientException e) {
            System.err.println("relata import: " + e.getMessage());
            return e.exitCode();
        } catch (ValidationFile.Unreadable e) {
            System.err.println("relata import: " + e.getMessage());
            return 2;
        }
    }
}
