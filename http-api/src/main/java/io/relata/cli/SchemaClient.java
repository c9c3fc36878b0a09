package io.relata.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code relata schema read|write|diff}: the server's schema. They sit beside the local
 * {@code schema validate} and {@code schema format} under {@code relata schema}.
 */
public final class SchemaClient {

    private SchemaClient() {}

    /** The text of {@code file}, or of stdin for {@code -}. @throws ClientException (usage) when unreadable */
    static String readText(String file) {
        try {
            return file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ClientException.usage("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** {@code relata schema read}. */
    @Command(name = "read", mixinStandardHelpOptions = true, description = "Print the server's schema.")
    public static final class Read extends ClientCommand {

        @Override
        int run(ApiClient api) {
            JsonObject answer = api.call("v1/schema/read", new JsonObject());
            if (json) {
                Output.json(answer);
            } else {
                String text = answer.getString("schemaText", "");
                System.out.print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code relata schema write FILE}. */
    @Command(name = "write", mixinStandardHelpOptions = true,
            description = "Write a schema file (- for stdin) to the server; prints the write's token.")
    public static final class Write extends ClientCommand {

        @Parameters(paramLabel = "FILE")
        String file;

        @Override
        int run(ApiClient api) {
            JsonObject answer = api.call("v1/schema/write", new JsonObject().put("schema", readText(file)));
            if (json) {
                Output.json(answer);
            } else {
                System.out.println(answer.getJsonObject("writtenAt", new JsonObject()).getString("token"));
            }
            return ExitCodes.OK;
        }
    }

    /** {@code relata schema diff FILE}. */
    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "What writing a schema file (- for stdin) would change in the server's schema, one change"
                    + " a line.")
    public static final class Diff extends ClientCommand {

        @Parameters(paramLabel = "FILE")
        String file;

        @Mixin
        Consistency consistency;

        @Override
        int run(ApiClient api) {
            JsonObject answer = api.call("v1/schema/diffschema", new JsonObject().put("consistency", consistency.json())
                    .put("comparisonSchema", readText(file)));
            if (json) {
                Output.json(answer);
                return ExitCodes.OK;
            }
            JsonArray diffs = answer.getJsonArray("diffs", new JsonArray());
            for (int i = 0; i < diffs.size(); i++) {
                JsonObject diff = diffs.getJsonObject(i);
                for (String kind : diff.fieldNames()) {
                    System.out.println(kind + " " + subject(diff.getValue(kind)));
                }
            }
            if (diffs.isEmpty()) {
                System.out.println("no changes");
            }
            return ExitCodes.OK;
        }

        /** What a diff is about: {@code definition}, {@code definition#relation}, or a caveat's name. */
        private static String subject(Object value) {
            if (!(value instanceof JsonObject o)) {
                return String.valueOf(value);
            }
            if (o.getValue("relation") instanceof JsonObject relation) {
                return subject(relation) + (o.containsKey("changedSubjectType") ? " "
                        + o.getJsonObject("changedSubjectType").getString("subjectDefinitionName", "") : "");
            }
            if (o.getValue("permission") instanceof JsonObject permission) {
                return subject(permission);
            }
            String parent = o.getString("parentDefinitionName");
            String name = o.getString("name", "");
            return parent == null || parent.isEmpty() ? name : parent + "#" + name;
        }
    }
}
