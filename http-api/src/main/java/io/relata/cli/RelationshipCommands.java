package io.relata.cli;

import io.relata.store.Caveat;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.SubjectRef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code relata relationship create|touch|delete|read|bulk-delete}, as zed spells them. */
@Command(name = "relationship", mixinStandardHelpOptions = true, description = "Write, read and delete relationships.",
        subcommands = {RelationshipCommands.Create.class, RelationshipCommands.Touch.class,
            RelationshipCommands.Delete.class, RelationshipCommands.Read.class, RelationshipCommands.BulkDelete.class})
public final class RelationshipCommands implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return ExitCodes.OK;
    }

    /** One relationship's update: {@code RESOURCE RELATION SUBJECT [--caveat] [--expiration-time]}. */
    abstract static class Update extends ClientCommand {

        @Parameters(index = "0", paramLabel = "RESOURCE", description = "type:id, e.g. doc:readme")
        String resource;

        @Parameters(index = "1", paramLabel = "RELATION")
        String relation;

        @Parameters(index = "2", paramLabel = "SUBJECT", description = "type:id, type:id#relation or type:*")
        String subject;

        @Option(names = "--caveat", paramLabel = "NAME[:CONTEXT]",
                description = "A caveat and its JSON context, e.g. 'ip_allowed:{\"cidr\":\"10.0.0.0/8\"}'.")
        String caveat;

        @Option(names = "--expiration-time", paramLabel = "TIME", description = "RFC 3339, e.g. 2030-01-01T00:00:00Z.")
        String expiration;

        abstract String operation();

        @Override
        int run(ApiClient api) {
            Relationship r = Relationship.of(ObjectRef.parse(resource), relation, SubjectRef.parse(subject));
            if (caveat != null) {
                int colon = caveat.indexOf(':');
                r = r.withCaveat(colon < 0 ? Caveat.of(caveat) : new Caveat(caveat.substring(0, colon),
                        context(caveat.substring(colon + 1), "--caveat").getMap()));
            }
            if (expiration != null) {
                try {
                    r = r.withExpiration(Instant.parse(expiration));
                } catch (DateTimeParseException e) {
                    throw ClientException.usage("--expiration-time `" + expiration + "` is not an RFC 3339 time,"
                            + " e.g. 2030-01-01T00:00:00Z");
                }
            }
            JsonObject answer = api.call("v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                    .add(new JsonObject().put("operation", operation()).put("relationship", RelationshipJson.json(r)))));
            if (json) {
                Output.json(answer);
            } else {
                System.out.println(answer.getJsonObject("writtenAt", new JsonObject()).getString("token"));
            }
            return ExitCodes.OK;
        }
    }

    /** A JSON object given on the command line. @throws ClientException (usage) when it is not one */
    static JsonObject context(String text, String flag) {
        try {
            return new JsonObject(text);
        } catch (RuntimeException e) {
            throw ClientException.usage(flag + ": `" + text + "` is not a JSON object, e.g. '{\"key\": 1}'");
        }
    }

    /** {@code relata relationship create}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a relationship (refused if it exists); prints the write's token.")
    public static final class Create extends Update {
        @Override
        String operation() {
            return "OPERATION_CREATE";
        }
    }

    /** {@code relata relationship touch}. */
    @Command(name = "touch", mixinStandardHelpOptions = true,
            description = "Create or update a relationship; prints the write's token.")
    public static final class Touch extends Update {
        @Override
        String operation() {
            return "OPERATION_TOUCH";
        }
    }

    /** {@code relata relationship delete}. */
    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a relationship (nothing if it does not exist); prints the write's token.")
    public static final class Delete extends Update {
        @Override
        String operation() {
            return "OPERATION_DELETE";
        }
    }

    /** A relationship filter: {@code RESOURCE_TYPE[:ID] [RELATION] [SUBJECT_TYPE[:ID][#RELATION]]}. */
    abstract static class Filtered extends ClientCommand {

        @Parameters(index = "0", paramLabel = "RESOURCE", description = "type or type:id")
        String resource;

        @Parameters(index = "1", arity = "0..1", paramLabel = "RELATION")
        String relation;

        @Parameters(index = "2", arity = "0..1", paramLabel = "SUBJECT", description = "type, type:id or type:id#relation")
        String subject;

        JsonObject filter() {
            JsonObject filter = new JsonObject();
            int colon = resource.indexOf(':');
            filter.put("resourceType", colon < 0 ? resource : resource.substring(0, colon));
            if (colon >= 0) {
                filter.put("optionalResourceId", resource.substring(colon + 1));
            }
            if (relation != null && !relation.isEmpty()) {
                filter.put("optionalRelation", relation);
            }
            if (subject != null) {
                JsonObject s = new JsonObject();
                String rest = subject;
                int hash = rest.indexOf('#');
                if (hash >= 0) {
                    s.put("optionalRelation", new JsonObject().put("relation", rest.substring(hash + 1)));
                    rest = rest.substring(0, hash);
                }
                int c = rest.indexOf(':');
                s.put("subjectType", c < 0 ? rest : rest.substring(0, c));
                if (c >= 0) {
                    s.put("optionalSubjectId", rest.substring(c + 1));
                }
                filter.put("optionalSubjectFilter", s);
            }
            return filter;
        }
    }

    /** {@code relata relationship read}. */
    @Command(name = "read", mixinStandardHelpOptions = true, description = "List the relationships a filter matches.")
    public static final class Read extends Filtered {

        @Mixin
        Consistency consistency;

        @Override
        int run(ApiClient api) {
            JsonObject request = new JsonObject().put("consistency", consistency.json())
                    .put("relationshipFilter", filter());
            try (Output.Table table = new Output.Table("RESOURCE", "RELATION", "SUBJECT", "CAVEAT", "EXPIRES")) {
                api.stream("v1/relationships/read", request, line -> {
                    if (json) {
                        Output.json(line);
                        return true;
                    }
                    Relationship r = RelationshipJson.parse(line.getJsonObject("relationship"));
                    table.row(r.resource().toString(), r.relation(), r.subject().toString(),
                            r.caveat() == null ? "" : r.caveat().toString(),
                            r.expiresAt() == null ? "" : r.expiresAt().toString());
                    return true;
                }, null);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code relata relationship bulk-delete}. */
    @Command(name = "bulk-delete", mixinStandardHelpOptions = true,
            description = "Delete every relationship a filter matches, in one transaction; prints how many and the"
                    + " token.")
    public static final class BulkDelete extends Filtered {

        @Override
        int run(ApiClient api) {
            JsonObject answer = api.call("v1/relationships/delete", new JsonObject().put("relationshipFilter", filter()));
            if (json) {
                Output.json(answer);
            } else {
                System.out.println("deleted " + answer.getValue("relationshipsDeletedCount", "0") + " relationships at "
                        + answer.getJsonObject("deletedAt", new JsonObject()).getString("token"));
            }
            return ExitCodes.OK;
        }
    }
}
