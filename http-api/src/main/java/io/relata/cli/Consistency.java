package io.relata.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Option;

/**
 * The {@code --consistency-*} flags of a read, as zed names them. At most one may be given;
 * without any the read is fully consistent, so a command sees what the command before it
 * wrote (the API's own default, {@code minimizeLatency}, may read up to 5 s in the past).
 */
public final class Consistency {

    @Option(names = "--consistency-full", description = "Read the newest data (the default).")
    boolean full;

    @Option(names = "--consistency-min-latency",
            description = "Read the revision the server prefers (may be a few seconds old; fastest).")
    boolean minLatency;

    @Option(names = "--consistency-at-least", paramLabel = "TOKEN",
            description = "Read data at least as fresh as TOKEN (a write's or read's token).")
    String atLeast;

    @Option(names = "--consistency-at-exactly", paramLabel = "TOKEN",
            description = "Read exactly the revision of TOKEN.")
    String atExactly;

    /**
     * The request's {@code consistency} object.
     *
     * @throws ClientException (usage) when more than one flag is given
     */
    JsonObject json() {
        int given = (full ? 1 : 0) + (minLatency ? 1 : 0) + (atLeast != null ? 1 : 0) + (atExactly != null ? 1 : 0);
        if (given > 1) {
            throw ClientException.usage("give at most one of --consistency-full, --consistency-min-latency,"
                    + " --consistency-at-least and --consistency-at-exactly");
        }
        if (minLatency) {
            return new JsonObject().put("minimizeLatency", true);
        }
        if (atLeast != null) {
            return new JsonObject().put("atLeastAsFresh", new JsonObject().put("token", atLeast));
        }
        if (atExactly != null) {
            return new JsonObject().put("atExactSnapshot", new JsonObject().put("token", atExactly));
        }
        return new JsonObject().put("fullyConsistent", true);
    }
}
