package io.relata.server;

import io.relata.engine.EngineOptions;
import io.relata.migrations.Migrator;
import io.relata.schema.Compilation;
import io.relata.schema.SchemaCompiler;
import io.relata.schema.SchemaException;
import io.relata.schema.SchemaFormatter;
import io.relata.store.ApiKeys;
import io.relata.store.GarbageCollector;
import io.relata.store.ReplicaRoutedTupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;
import io.relata.store.postgres.PostgresConfig;
import io.relata.store.postgres.PostgresTupleStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code relata} command. Every option can also come from a {@code RELATA_*} environment variable. */
@Command(name = "relata", mixinStandardHelpOptions = true, version = "relata 0.1.0",
        description = "A relationship-based access control server speaking SpiceDB's schema language and v1 HTTP API,"
                + " and its client (context, schema read|write|diff, relationship, permission, explain, import, export,"
                + " watch).",
        footer = {"", "Client exit codes: " + io.relata.cli.ExitCodes.HELP + ".%n"},
        subcommands = {Main.Serve.class, ServeTesting.class, Main.Migrate.class, Main.SchemaCommands.class, Main.Validate.class,
            ImportCommand.class, io.relata.cli.ContextCommands.class, io.relata.cli.RelationshipCommands.class,
            io.relata.cli.PermissionCommands.class, io.relata.cli.ExportCommand.class, io.relata.cli.WatchCommand.class,
            io.relata.cli.ExplainCommand.class, KeyCommands.class})
public final class Main implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the server.")
    static final class Serve implements Callable<Integer> {

        @Option(names = "--datastore-url", defaultValue = "${env:RELATA_DATASTORE_URL}",
                description = "postgresql://user:password@host:5432/database; without it data lives in memory.")
        String datastoreUrl;

        @Option(names = "--datastore-read-replica-url", defaultValue = "${env:RELATA_DATASTORE_READ_REPLICA_URL}",
                description = "A streaming replica of --datastore-url: reads at a revision it has replayed go there.")
        String readReplicaUrl;

        @Option(names = "--migrate", defaultValue = "${env:RELATA_MIGRATE:-false}",
                description = "Apply pending database migrations first.")
        boolean migrate;

        @Option(names = "--port", defaultValue = "${env:RELATA_PORT:-8443}", description = "HTTP port (default 8443).")
        int port;

        @Option(names = "--host", defaultValue = "${env:RELATA_HOST:-0.0.0.0}", description = "Address to listen on.")
        String host;

        @Option(names = "--preshared-key", defaultValue = "${env:RELATA_PRESHARED_KEY}", required = true,
                description = "API key of the `default` tenant (as SpiceDB's preshared key).")
        String presharedKey;

        @Option(names = "--admin-key", defaultValue = "${env:RELATA_ADMIN_KEY}",
                description = "Key that creates tenants and their API keys through /v1/tenants/...")
        String adminKey;

        @Option(names = "--token-secret", defaultValue = "${env:RELATA_TOKEN_SECRET}",
                description = "Secret that authenticates consistency tokens (16+ bytes; default: derived from the"
                        + " preshared key). Give every instance the same one.")
        String tokenSecret;

        @Option(names = "--quantization", defaultValue = "${env:RELATA_QUANTIZATION:-5s}",
                description = "minimizeLatency window, e.g. 5s.")
        String quantization;

        @Option(names = "--max-depth", defaultValue = "${env:RELATA_MAX_DEPTH:-50}", description = "Check depth limit.")
        int maxDepth;

        @Option(names = "--max-body-bytes", defaultValue = "${env:RELATA_MAX_BODY_BYTES:-4194304}",
                description = "Largest request body accepted (default 4 MiB).")
        long maxBodyBytes;

        @Option(names = "--max-updates-per-write", defaultValue = "${env:RELATA_MAX_UPDATES_PER_WRITE:-1000}",
                description = "Most updates one write may carry (default 1000).")
        int maxUpdatesPerWrite;

        @Option(names = "--max-bulk-items", defaultValue = "${env:RELATA_MAX_BULK_ITEMS:-1000}",
                description = "Most items one bulk check may carry (default 1000).")
        int maxBulkItems;

        @Option(names = "--request-timeout", defaultValue = "${env:RELATA_REQUEST_TIMEOUT:-10s}",
                description = "Deadline of one check, expand or lookup (default 10s).")
        String requestTimeout;

        @Option(names = "--cache-size", defaultValue = "${env:RELATA_CACHE_SIZE:-100000}",
                description = "Sub-results of checks kept for other requests (default 100000; 0 turns it off).")
        long cacheSize;

        @Option(names = "--relationship-cache-size", defaultValue = "${env:RELATA_RELATIONSHIP_CACHE_SIZE:-1000000}",
                description = "Relationships read from the datastore kept for other requests at the same revision"
                        + " (default 1000000; 0 turns it off).")
        long relationshipCacheSize;

        @Option(names = "--group-index", defaultValue = "${env:RELATA_GROUP_INDEX:-off}",
                description = "on: keep an in-memory index of nested groups (recursive relations such as"
                        + " group#member) from the change log and answer checks from it where it holds the"
                        + " revision; off (default): walk the graph only.")
        String groupIndex;

        @Option(names = "--group-index-tenants", split = ",", defaultValue = "${env:RELATA_GROUP_INDEX_TENANTS}",
                description = "With --group-index on: the tenants to index, comma-separated (default: every tenant).")
        List<String> groupIndexTenants;

        @Option(names = "--bootstrap", defaultValue = "${env:RELATA_BOOTSTRAP}",
                description = "A validation file (YAML) whose schema and relationships are loaded into the"
                        + " `default` tenant at start.")
        Path bootstrap;

        @Option(names = "--gc-window", defaultValue = "${env:RELATA_GC_WINDOW:-24h}",
                description = "How long deleted relationships stay readable, e.g. 24h.")
        String gcWindow;

        @Option(names = "--playground", defaultValue = "${env:RELATA_PLAYGROUND:-false}",
                description = "Serve the playground page at /playground (off by default).")
        boolean playground;

        @Mixin
        AuditLogOptions audit;

        @Mixin
        ListenerOptions listener;

        @Mixin
        TraceOptions traces;

        @Mixin
        AccessFlags accessFlags;

        @Override
        public Integer call() throws Exception {
            listener.check(); // before the datastore opens
            AccessOptions access = accessFlags.options();
            Tracing tracing = traces.open();
            StoreOptions storeOptions = StoreOptions.DEFAULTS.withGcWindow(duration(gcWindow))
                    .withMaxUpdatesPerWrite(maxUpdatesPerWrite).withReadTimeout(duration(requestTimeout));
            TupleStore store;
            ApiKeys keys;
            if (datastoreUrl == null || datastoreUrl.isBlank()) {
                System.out.println("relata: using the in-memory datastore; data is lost when the server stops"
                        + " (use --datastore-url postgresql://... to keep it)");
                store = new MemoryTupleStore(storeOptions);
                keys = new MemoryApiKeys(store);
            } else {
                PostgresTupleStore postgres = PostgresTupleStore.open(PostgresConfig.fromUrl(datastoreUrl), storeOptions,
                        migrate);
                store = readReplicaUrl == null || readReplicaUrl.isBlank() ? postgres : new ReplicaRoutedTupleStore(
                        postgres, PostgresTupleStore.open(PostgresConfig.fromUrl(readReplicaUrl), storeOptions, false));
                keys = new PostgresApiKeys(postgres);
            }
            String secret = tokenSecret != null ? tokenSecret : "relata-token:" + presharedKey + ":0123456789abcdef";
            ServerConfig config = listener.applyTo(new ServerConfig(host, port, Map.of(presharedKey, "default"), secret,
                    duration(quantization), maxBodyBytes, maxBulkItems,
                    EngineOptions.DEFAULTS.withMaxDepth(maxDepth).withDeadline(duration(requestTimeout))
                            .withCacheSize(cacheSize).withRelationshipCacheSize(relationshipCacheSize)
                            .withGroupIndex(groupIndex(groupIndex).withTenants(
                                    groupIndexTenants == null ? List.of() : groupIndexTenants)), adminKey));
            if (bootstrap != null) {
                int loaded = bootstrap(store, "default", ValidationFile.read(bootstrap));
                // The file's assertions are for `relata validate`; serving does not run them.
                System.out.println("relata: loaded the schema and " + loaded + " relationships of " + bootstrap);
            }
            RelataServer server = new RelataServer(config, store, keys,
                    Authenticator.of(config, keys, access.keyCacheTtl()), access, tracing);
            if (playground) {
                server.servePlayground();
            }
            try {
                audit.openOn(server);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                server.stop(Duration.ofSeconds(1));
                store.close();
                return 2;
            }
            GarbageCollector gc = GarbageCollector.start(store, Duration.ofMinutes(5));
            int bound;
            try {
                bound = listen(server, config);
            } catch (IllegalStateException e) {
                System.err.println(e.getMessage());
                server.stop(Duration.ofSeconds(1));
                gc.close();
                store.close();
                return 1;
            }
            System.out.println("relata: serving SpiceDB's v1 HTTP API on " + listener.httpScheme() + "://" + host + ":"
                    + bound);
            System.out.println("relata: serving SpiceDB's gRPC API (authzed.api.v1) on " + host + ":"
                    + server.grpcPort() + (config.tls() ? " with TLS" : " in plaintext"));
            if (playground) {
                System.out.println("relata: the playground is at " + listener.httpScheme() + "://" + host + ":" + bound
                        + "/playground (it evaluates in memory and writes nothing)");
            }
            if (tracing.on()) {
                System.out.println("relata: sending traces over OTLP/HTTP to " + traces.endpoint.strip());
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("relata: shutting down; finishing requests in flight");
                server.stop(Duration.ofSeconds(30));
                gc.close();
                store.close();
                stopped.countDown();
            }));
            stopped.await();
            return 0;
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true, description = "Bring the database schema up to date.")
    static final class Migrate implements Callable<Integer> {

        @Option(names = "--datastore-url", defaultValue = "${env:RELATA_DATASTORE_URL}", required = true,
                description = "postgresql://user:password@host:5432/database")
        String datastoreUrl;

        @Override
        public Integer call() {
            try (var pool = PostgresTupleStore.pool(PostgresConfig.fromUrl(datastoreUrl))) {
                int applied = new Migrator(pool).migrate();
                System.out.println("relata: applied " + applied + " migration(s); the database is at version "
                        + new Migrator(pool).currentVersion());
            }
            return 0;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check validation files (zed validate's YAML) in memory: schema, relationships, assertions"
                    + " and expected subjects. Exits 0 when all hold, 1 when some fail, 2 when a file cannot be read.")
    static final class Validate implements Callable<Integer> {

        @Parameters(arity = "1..*", paramLabel = "FILE")
        Path[] files;

        @Override
        public Integer call() {
            int status = 0;
            for (Path file : files) {
                try {
                    ValidationRun.Outcome outcome = ValidationRun.run(ValidationFile.read(file));
                    outcome.failures().forEach(System.err::println);
                    if (outcome.failures().isEmpty()) {
                        System.out.println(file + ": ok (" + outcome.relationships() + " relationships, "
                                + outcome.assertions() + " assertions)");
                    } else {
                        status = Math.max(status, 1);
                    }
                } catch (ValidationFile.Unreadable e) {
                    System.err.println(e.getMessage());
                    status = 2;
                }
            }
            return status;
        }
    }

    @Command(name = "schema", mixinStandardHelpOptions = true,
            description = "Work with schema files (validate, format) and the server's schema (read, write, diff).",
            subcommands = {SchemaCommands.Validate.class, SchemaCommands.Format.class, io.relata.cli.SchemaClient.Read.class,
                io.relata.cli.SchemaClient.Write.class, io.relata.cli.SchemaClient.Diff.class})
    static final class SchemaCommands implements Callable<Integer> {

        @Override
        public Integer call() {
            CommandLine.usage(this, System.out);
            return 0;
        }

        @Command(name = "validate", mixinStandardHelpOptions = true,
                description = "Check schema files; print errors and warnings as file:line:column: message.")
        static final class Validate implements Callable<Integer> {

            @Parameters(arity = "1..*", paramLabel = "FILE")
            Path[] files;

            @Override
            public Integer call() {
                int status = 0;
                for (Path file : files) {
                    String text;
                    try {
                        text = Files.readString(file, StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        System.err.println(file + ": cannot read: " + e.getMessage());
                        status = Math.max(status, 2);
                        continue;
                    }
                    Compilation compilation = SchemaCompiler.compile(text);
                    String report = compilation.report(file.toString());
                    if (!report.isEmpty()) {
                        System.err.println(report);
                    }
                    if (!compilation.ok()) {
                        status = Math.max(status, 1);
                    } else {
                        System.out.println(file + ": ok");
                    }
                }
                return status;
            }
        }

        @Command(name = "format", mixinStandardHelpOptions = true,
                description = "Print a schema file in the canonical layout (--write to rewrite it).")
        static final class Format implements Callable<Integer> {

            @Parameters(paramLabel = "FILE")
            Path file;

            @Option(names = "--write", description = "Rewrite the file instead of printing.")
            boolean write;

            @Override
            public Integer call() throws IOException {
                String formatted;
                try {
                    formatted = SchemaFormatter.format(Files.readString(file, StandardCharsets.UTF_8));
                } catch (SchemaException e) {
                    e.errors().forEach(d -> System.err.println(d.format(file.toString())));
                    return 1;
                }
                if (write) {
                    Files.writeString(file, formatted, StandardCharsets.UTF_8);
                } else {
                    System.out.print(formatted);
                }
                return 0;
            }
        }
    }

    /**
     * Writes a validation file's schema and relationships into a tenant (created if needed):
     * the schema, then the relationships (TOUCH) in writes the store allows.
     *
     * @return how many relationships were written
     * @throws SchemaException when the schema does not compile
     */
    static int bootstrap(TupleStore store, String tenant, ValidationFile file) {
        SchemaCompiler.compile(file.schema()).orThrow();
        store.createTenant(tenant);
        store.writeSchema(tenant, file.schema());
        java.util.List<io.relata.store.RelationshipUpdate> updates = file.relationships().stream()
                .map(io.relata.store.RelationshipUpdate::touch).toList();
        int batch = store.options().maxUpdatesPerWrite();
        for (int i = 0; i < updates.size(); i += batch) {
            store.write(tenant, updates.subList(i, Math.min(updates.size(), i + batch)));
        }
        return updates.size();
    }

    /**
     * Starts the server's HTTP listener and gives its port.
     *
     * @throws IllegalStateException with a message for the person starting it when it cannot listen
     *                               (port taken, a TLS file Vert.x cannot use)
     */
    static int listen(RelataServer server, ServerConfig config) throws InterruptedException {
        try {
            int http = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            try {
                server.startGrpc(config.grpcPort());
            } catch (java.io.UncheckedIOException e) {
                throw new IllegalStateException("relata: cannot start the gRPC listener on " + config.host() + ":"
                        + config.grpcPort() + ": " + e.getMessage(), e);
            }
            return http;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("relata: cannot start the HTTP listener on " + config.host() + ":"
                    + config.port() + ": " + cause.getMessage() + (config.tls() ? " (is " + config.tlsCertPath()
                    + " a PEM certificate chain and " + config.tlsKeyPath() + " its PEM private key?)" : ""), cause);
        }
    }

    /** Reads {@code --group-index}: {@code on} or {@code off}; a usage error otherwise. */
    static io.relata.engine.index.GroupIndexOptions groupIndex(String text) {
        try {
            return io.relata.engine.index.GroupIndexOptions.fromSwitch(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(new Main()), e.getMessage());
        }
    }

    /** Reads durations like {@code 5s}, {@code 250ms}, {@code 24h}, {@code 1m}; a usage error otherwise. */
    public static Duration duration(String text) {
        String s = text.strip().toLowerCase();
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(new CommandLine(new Main()),
                    "`" + text + "` is not a duration; write it like 5s, 250ms, 10m or 24h");
        }
    }
}
