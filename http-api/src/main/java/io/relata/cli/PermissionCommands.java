package io.relata.cli;

import io.relata.store.ObjectRef;
import io.relata.store.SubjectRef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code relata permission check|expand|lookup-resources|lookup-subjects}, as zed spells them. */
@Command(name = "permission", mixinStandardHelpOptions = true,
        description = "Ask the server: check, expand and look up permissions.",
        subcommands = {PermissionCommands.Check.class, PermissionCommands.Expand.class,
            PermissionCommands.LookupResources.class, PermissionCommands.LookupSubjects.class})
public final class PermissionCommands implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return ExitCodes.OK;
    }

    /** Relata's explain endpoint: CheckPermission's request, its answer and why. */
    static final String EXPLAIN = "relata/v1/permissions/explain";

    /** {@code request} asking whether {@code subject} has {@code permission} on {@code resource}. */
    static JsonObject question(JsonObject request, ObjectRef resource, String permission, SubjectRef subject) {
        return request.put("resource", RelationshipJson.object(resource)).put("permission", permission)
                .put("subject", RelationshipJson.subject(subject));
    }

    /** A read with consistency flags and an optional caveat context. */
    abstract static class Question extends ClientCommand {

        @Mixin
        Consistency consistency;

        @Option(names = "--caveat-context", paramLabel = "JSON",
                description = "Context for caveats, a JSON object, e.g. '{\"ip\": \"10.0.0.1\"}'.")
        String caveatContext;

        JsonObject request() {
            JsonObject request = new JsonObject().put("consistency", consistency.json());
            if (caveatContext != null) {
                request.put("context", RelationshipCommands.context(caveatContext, "--caveat-context"));
            }
            return request;
        }
    }

    /** The missing context names of a {@code partialCaveatInfo}, joined, or empty. */
    static String missing(JsonObject partial) {
        if (partial == null) {
            return "";
        }
        List<String> names = new ArrayList<>();
        partial.getJsonArray("missingRequiredContext", new JsonArray()).forEach(n -> names.add(String.valueOf(n)));
        return String.join(", ", names);
    }

    /** {@code relata permission check}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Does SUBJECT have PERMISSION on RESOURCE? Prints true, false or caveated; exits 0 (true),"
                    + " 3 (false) or 4 (caveated: context missing).")
    public static final class Check extends Question {

        @Parameters(index = "0", paramLabel = "RESOURCE", description = "type:id")
        String resource;

        @Parameters(index = "1", paramLabel = "PERMISSION")
        String permission;

        @Parameters(index = "2", paramLabel = "SUBJECT", description = "type:id or type:id#relation")
        String subject;

        @Option(names = "--explain", description = "Also say why: the answer comes from the explain endpoint, with the"
                + " chain of relationships that grants it or the closest miss (as relata explain prints it).")
        boolean explain;

        @Override
        int run(ApiClient api) {
            JsonObject answer = api.call(explain ? EXPLAIN : "v1/permissions/check", question(request(),
                    ObjectRef.parse(resource), permission, SubjectRef.parse(subject)));
            String permissionship = answer.getString("permissionship", "");
            int status = switch (permissionship) {
                case "PERMISSIONSHIP_HAS_PERMISSION" -> ExitCodes.OK;
                case "PERMISSIONSHIP_CONDITIONAL_PERMISSION" -> ExitCodes.CONDITIONAL;
                case "PERMISSIONSHIP_NO_PERMISSION" -> ExitCodes.NO_PERMISSION;
                default -> throw new ClientException(ExitCodes.UNAVAILABLE, "the server answered an unknown"
                        + " permissionship `" + permissionship + "`");
            };
            if (json) {
                Output.json(answer);
                return status;
            }
            if (status == ExitCodes.CONDITIONAL) {
                System.out.println("caveated (missing context: " + missing(answer.getJsonObject("partialCaveatInfo"))
                        + ")");
            } else {
                System.out.println(status == ExitCodes.OK);
            }
            if (explain) {
                System.out.print(ExplainText.text(resource + "#" + permission + "@" + subject, answer));
            }
            return status;
        }
    }

    /** {@code relata permission expand}. */
    @Command(name = "expand", mixinStandardHelpOptions = true,
            description = "The tree of subjects that have PERMISSION on RESOURCE, and why.")
    public static final class Expand extends ClientCommand {

        @Parameters(index = "0", paramLabel = "RESOURCE", description = "type:id")
        String resource;

        @Parameters(index = "1", paramLabel = "PERMISSION")
        String permission;

        @Mixin
        Consistency consistency;

        @Override
        int run(ApiClient api) {
            JsonObject answer = api.call("v1/permissions/expand", new JsonObject().put("consistency", consistency.json())
                    .put("resource", RelationshipJson.object(ObjectRef.parse(resource))).put("permission", permission));
            if (json) {
                Output.json(answer);
            } else {
                System.out.print(ExpandTree.render(answer.getJsonObject("treeRoot", new JsonObject())));
            }
            return ExitCodes.OK;
        }
    }

    /** {@code relata permission lookup-resources}. */
    @Command(name = "lookup-resources", mixinStandardHelpOptions = true,
            description = "The resources of RESOURCE_TYPE on which SUBJECT has PERMISSION, as they are found.")
    public static final class LookupResources extends Question {

        @Parameters(index = "0", paramLabel = "RESOURCE_TYPE")
        String resourceType;

        @Parameters(index = "1", paramLabel = "PERMISSION")
        String permission;

        @Parameters(index = "2", paramLabel = "SUBJECT", description = "type:id or type:id#relation")
        String subject;

        @Override
        int run(ApiClient api) {
            JsonObject request = request().put("resourceObjectType", resourceType).put("permission", permission)
                    .put("subject", RelationshipJson.subject(SubjectRef.parse(subject)));
            try (Output.Table table = new Output.Table("RESOURCE", "PERMISSION")) {
                api.stream("v1/permissions/resources", request, line -> {
                    if (json) {
                        Output.json(line);
                    } else {
                        table.row(resourceType + ":" + line.getString("resourceObjectId"),
                                permissionship(line.getString("permissionship"), line.getJsonObject("partialCaveatInfo")));
                    }
                    return true;
                }, null);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code has}, or {@code caveated (missing: ...)}, for a lookup's permissionship. */
    static String permissionship(String value, JsonObject partial) {
        return "LOOKUP_PERMISSIONSHIP_CONDITIONAL_PERMISSION".equals(value) ? "caveated (missing: " + missing(partial) + ")"
                : "has";
    }

    /** {@code relata permission lookup-subjects}. */
    @Command(name = "lookup-subjects", mixinStandardHelpOptions = true,
            description = "The subjects of SUBJECT_TYPE that have PERMISSION on RESOURCE.")
    public static final class LookupSubjects extends Question {

        @Parameters(index = "0", paramLabel = "RESOURCE", description = "type:id")
        String resource;

        @Parameters(index = "1", paramLabel = "PERMISSION")
        String permission;

        @Parameters(index = "2", paramLabel = "SUBJECT_TYPE", description = "type or type#relation")
        String subjectType;

        @Override
        int run(ApiClient api) {
            int hash = subjectType.indexOf('#');
            String type = hash < 0 ? subjectType : subjectType.substring(0, hash);
            JsonObject request = request().put("resource", RelationshipJson.object(ObjectRef.parse(resource)))
                    .put("permission", permission).put("subjectObjectType", type);
            if (hash >= 0) {
                request.put("optionalSubjectRelation", subjectType.substring(hash + 1));
            }
            try (Output.Table table = new Output.Table("SUBJECT", "PERMISSION", "EXCEPT")) {
                api.stream("v1/permissions/subjects", request, line -> {
                    if (json) {
                        Output.json(line);
                        return true;
                    }
                    JsonObject s = line.getJsonObject("subject", new JsonObject());
                    List<String> excluded = new ArrayList<>();
                    line.getJsonArray("excludedSubjects", new JsonArray()).forEach(x -> excluded.add(type + ":"
                            + ((JsonObject) x).getString("subjectObjectId")));
                    table.row(type + ":" + s.getString("subjectObjectId") + (hash < 0 ? "" : subjectType.substring(hash)),
                            permissionship(s.getString("permissionship"), s.getJsonObject("partialCaveatInfo")),
                            String.join(", ", excluded));
                    return true;
                }, null);
            }
            return ExitCodes.OK;
        }
    }
}
