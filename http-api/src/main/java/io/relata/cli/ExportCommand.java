package io.relata.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code relata export}: the server's schema and all its relationships at one revision, as a
 * validation file ({@code relata validate}, {@code relata import} and {@code zed validate}
 * read it) or as NDJSON, one relationship in the API's JSON a line ({@code relata import}
 * reads it). Relationships are printed as they arrive, never held whole.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Print the server's schema and relationships at one revision: a validation file (YAML, the"
                + " default) or NDJSON (--format ndjson: relationships only, one a line), both for relata import.")
public final class ExportCommand extends ClientCommand {

    /** The output formats. */
    enum Format { yaml, ndjson }

    @Option(names = "--format", defaultValue = "yaml", description = "yaml (default) or ndjson.")
    Format format;

    @Override
    int run(ApiClient api) {
        JsonObject schema = api.call("v1/schema/read", new JsonObject());
        JsonObject at = schema.getJsonObject("readAt");
        PrintStream out = System.out;
        boolean yaml = format == Format.yaml && !json;
        if (yaml) {
            out.println("# exported from " + api.base() + " at " + at.getString("token"));
            out.println("schema: |2-");
            schema.getString("schemaText", "").lines().forEach(l -> out.println(l.isEmpty() ? "" : "  " + l));
            out.println("relationships: |2-");
        }
        api.stream("v1/relationships/exportbulk", new JsonObject().put("consistency",
                new JsonObject().put("atExactSnapshot", at)), page -> {
                    JsonArray relationships = page.getJsonArray("relationships", new JsonArray());
                    for (int i = 0; i < relationships.size(); i++) {
                        JsonObject r = relationships.getJsonObject(i);
                        out.println(yaml ? "  " + RelationshipJson.parse(r) : r.encode());
                    }
                    return !out.checkError();
                }, null);
        out.flush();
        return ExitCodes.OK;
    }
}
