package io.relata.server;

import io.relata.engine.CheckRequest;
import io.relata.engine.Explanation;
import io.relata.engine.GraphCheckEngine;
import io.relata.schema.SchemaCompiler;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryTupleStore;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code relata explain RESOURCE#PERMISSION@SUBJECT}: why a check answers as it does, from a
 * server's {@code /relata/v1/permissions/explain} (fully consistent), or with {@code --file}
 * from a validation file in memory through the same engine code. Prints the chain for people, or
 * the endpoint's JSON with {@code --json}. Exits 0 with an answer (whatever it is), 1 when the
 * server refuses or fails, 2 for a question or file that cannot be read.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain a check: the shortest chain of relationships that grants it, or for NO the closest"
                + " miss. Asks a server (--endpoint, --token) or, with --file, a validation file offline.")
final class ExplainCommand implements Callable<Integer> {

    @Parameters(paramLabel = "QUESTION", description = "resource#permission@subject, e.g. doc:readme#view@user:alice")
    String question;

    @Option(names = "--endpoint", defaultValue = "${env:RELATA_ENDPOINT:-http://localhost:8443}",
            description = "The server's HTTP address (default http://localhost:8443).")
    String endpoint;

    @Option(names = "--token", defaultValue = "${env:RELATA_TOKEN}", description = "The bearer token (API key).")
    String token;

    @Option(names = "--file", description = "A validation file (YAML) to answer from, in memory, instead of a server.")
    Path file;

    @Option(names = "--context", description = "Caveat context as a JSON object, e.g. {\"vpn\": true}.")
    String context;

    @Option(names = "--json", description = "Print the answer as JSON (the endpoint's shape).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        CheckRequest request;
        try {
            Relationship parsed = Relationship.parse(question);
            Map<String, Object> values = context == null ? Map.of() : new JsonObject(context).getMap();
            request = new CheckRequest(parsed.resource(), parsed.relation(), parsed.subject(), values);
        } catch (RuntimeException e) {
            System.err.println("relata explain: cannot read the question `" + question + "` (resource#permission@subject)"
                    + (context == null ? "" : " or its --context") + ": " + e.getMessage());
            return 2;
        }
        JsonObject answer;
        if (file != null) {
            try {
                answer = offline(request);
            } catch (ValidationFile.Unreadable e) {
                System.err.println(e.getMessage());
                return 2;
            } catch (RuntimeException e) {
                System.err.println("relata explain: " + e.getMessage());
                return 1;
            }
        } else {
            if (token == null || token.isBlank()) {
                System.err.println("relata explain: give --token (or RELATA_TOKEN), or --file for a validation file");
                return 2;
            }
            HttpResponse<String> response;
            try {
                response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(HttpRequest
                        .newBuilder(URI.create(endpoint.replaceAll("/+$", "") + "/relata/v1/permissions/explain"))
                        .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body(request).encode())).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException | IllegalArgumentException e) {
                System.err.println("relata explain: cannot reach " + endpoint + ": " + e.getMessage());
                return 1;
            }
            if (response.statusCode() != 200) {
                System.err.println("relata explain: the server answered " + response.statusCode() + ": " + response.body());
                return 1;
            }
            answer = new JsonObject(response.body());
        }
        System.out.print(json ? answer.encodePrettily() + "\n" : Explanations.text(question, answer));
        return 0;
    }

    /** The endpoint's request for {@code request}, read fully consistent. */
    static JsonObject body(CheckRequest request) {
        JsonObject subject = new JsonObject().put("object", new JsonObject().put("objectType", request.subject().type())
                .put("objectId", request.subject().id()));
        if (request.subject().relation() != null) {
            subject.put("optionalRelation", request.subject().relation());
        }
        JsonObject body = new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true))
                .put("resource", new JsonObject().put("objectType", request.resource().type())
                        .put("objectId", request.resource().id()))
                .put("permission", request.permission()).put("subject", subject);
        if (!request.context().isEmpty()) {
            body.put("context", new JsonObject(request.context()));
        }
        return body;
    }

    /** The explanation from the validation file, loaded into a memory store as {@code relata validate} loads it. */
    private JsonObject offline(CheckRequest request) throws Exception {
        if (!Files.isReadable(file)) {
            throw new ValidationFile.Unreadable("relata explain: cannot read " + file, null);
        }
        ValidationFile validation = ValidationFile.read(file);
        io.relata.schema.Schema schema = SchemaCompiler.compile(validation.schema()).orThrow();
        try (MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
                GraphCheckEngine engine = new GraphCheckEngine(store)) {
            store.createTenant("explain");
            store.writeSchema("explain", validation.schema());
            for (Relationship r : validation.relationships()) {
                Api.allowed(schema, r);
            }
            List<RelationshipUpdate> updates = validation.relationships().stream().map(RelationshipUpdate::touch).toList();
            Revision revision = store.headRevision("explain");
            int batch = StoreOptions.DEFAULTS.maxUpdatesPerWrite();
            for (int i = 0; i < updates.size(); i += batch) {
                revision = store.write("explain", updates.subList(i, Math.min(updates.size(), i + batch)));
            }
            Explanation why = engine.explain("explain", revision, request).get();
            return Explanations.json(why, null);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
