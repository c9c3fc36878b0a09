package io.relata.cli;

import io.relata.server.Main;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code relata watch}: the relationship changes the server commits, printed as they come, from
 * now or from a token on, until interrupted, {@code --timeout} passes or {@code --max-events}
 * changes were printed (then it exits 0).
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Print relationship changes as they are committed (one `touch|delete RELATIONSHIP` a line).")
public final class WatchCommand extends ClientCommand {

    @Parameters(arity = "0..*", paramLabel = "TYPE", description = "Only changes of these resource types.")
    List<String> types;

    @Option(names = "--revision", paramLabel = "TOKEN", description = "Start after the revision of TOKEN (default: now).")
    String revision;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Stop after this long, e.g. 30s or 5m.")
    String timeout;

    @Option(names = "--max-events", paramLabel = "N", description = "Stop after N relationship changes.")
    Long maxEvents;

    @Override
    int run(ApiClient api) {
        Duration limit = timeout == null ? null : Main.duration(timeout);
        if (maxEvents != null && maxEvents < 1) {
            throw ClientException.usage("--max-events must be at least 1");
        }
        JsonObject request = new JsonObject();
        if (types != null && !types.isEmpty()) {
            request.put("optionalObjectTypes", new JsonArray(List.copyOf(types)));
        }
        if (revision != null) {
            request.put("optionalStartCursor", new JsonObject().put("token", revision));
        }
        long[] seen = {0};
        api.stream("v1/watch", request, line -> {
            JsonArray updates = line.getJsonArray("updates", new JsonArray());
            if (json) {
                if (!line.getBoolean("isCheckpoint", false)) {
                    Output.json(line);
                }
                seen[0] += updates.size();
            } else {
                if (line.getBoolean("schemaUpdated", false)) {
                    System.out.println("schema updated");
                }
                for (int i = 0; i < updates.size() && (maxEvents == null || seen[0] < maxEvents); i++, seen[0]++) {
                    JsonObject update = updates.getJsonObject(i);
                    String operation = update.getString("operation", "").replace("OPERATION_", "").toLowerCase();
                    System.out.println(operation + " " + RelationshipJson.parse(update.getJsonObject("relationship")));
                }
            }
            System.out.flush();
            return maxEvents == null || seen[0] < maxEvents;
        }, limit);
        return ExitCodes.OK;
    }
}
