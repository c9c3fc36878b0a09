package io.relata.server;

import io.relata.engine.CheckEngine;
import io.relata.engine.LookupResult;
import io.relata.engine.SubjectResult;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.zookie.ConsistencyResolver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * LookupResources and LookupSubjects for {@link Api}: the request's JSON to the engine's
 * streamed lookups, each result to the sink as a response line with its signed cursor
 * ({@link LookupCursor}), and a cursor back to the revision and place it names.
 */
final class Lookups {

    private final CheckEngine engine;
    private final ConsistencyResolver consistency;
    private final LookupCursor cursors;

    private final Audit audit;

    Lookups(CheckEngine engine, ConsistencyResolver consistency, String tokenSecret, Audit audit) {
        this.audit = audit;
        this.engine = engine;
        this.consistency = consistency;
        this.cursors = new LookupCursor(tokenSecret);
    }

    /**
     * Lookup resources, streamed: each result goes to the sink as the engine finds it, and the
     * engine waits while the sink does. A cursor resumes at its own revision.
     */
    void resources(String tenant, JsonObject body, Api.Sink given) {
        String type = Json.string(body, "resourceObjectType", true);
        String permission = Json.string(body, "permission", true);
        SubjectRef subject = Json.subjectRef(body, "subject");
        Map<String, Object> context = Json.context(body, "context");
        int limit = (int) Math.min(Json.uint32(body, "optionalLimit"), Integer.MAX_VALUE);
        String question = "resources|" + type + "|" + permission + "|" + subject + "|" + canonical(context);
        LookupCursor.Position from = lookupCursor(tenant, question, body);
        Revision revision = lookupRevision(tenant, body, from);
        String zookie = consistency.token(tenant, revision);
        JsonObject at = Json.token(zookie);
        Counted sink = new Counted(given);
        boolean ended = false;
        try {
            engine.streamResources(tenant, revision, type, permission, subject, context,
                    from == null ? null : from.place(), limit, (r, place) -> sink.accept(new JsonObject()
                            .put("lookedUpAt", at).put("resourceObjectId", r.id())
                            .put("permissionship", Json.lookupPermissionship(r.permissionship()))
                            .put("partialCaveatInfo", Json.partialCaveat(r.missingContext()))
                            .put("afterResultCursor", Json.token(cursors.encode(tenant, question, zookie, place)))));
            ended = true;
        } finally {
            // A lookup that failed after sending results disclosed them: it is recorded, unfinished.
            if (ended || sink.sent > 0) {
                audit.lookup(tenant, "lookupresources", new JsonObject().put("resourceType", type)
                        .put("permission", permission).put("subject", subject.toString()).put("resumed", from != null)
                        .put("limit", limit), sink.sent, ended && !sink.stopped, revision);
            }
        }
    }

    /** A sink that counts what it took, for the audit log. */
    static final class Counted implements Api.Sink {
        private final Api.Sink sink;
        long sent;
        boolean stopped;

        Counted(Api.Sink sink) {
            this.sink = sink;
        }

        @Override
        public boolean accept(JsonObject result) {
            boolean more = sink.accept(result);
            if (more) {
                sent++;
            } else {
                stopped = true;
            }
            return more;
        }
    }

    /**
     * Lookup subjects, streamed as {@link CheckEngine#streamSubjects} finds them;
     * {@code optionalConcreteLimit} and the cursor are Relata's (SpiceDB refuses the limit): a
     * page holds at most that many subjects besides the wildcard, and its last result's cursor
     * resumes after it at the same revision.
     */
    void subjects(String tenant, JsonObject body, Api.Sink given) {
        int concreteLimit = (int) Math.min(Json.uint32(body, "optionalConcreteLimit"), Integer.MAX_VALUE);
        String wildcards = String.valueOf(Json.field(body, "wildcardOption"));
        boolean excludeWildcards = switch (wildcards) {
            case "null", "WILDCARD_OPTION_UNSPECIFIED", "0", "WILDCARD_OPTION_INCLUDE_WILDCARDS", "1" -> false;
            case "WILDCARD_OPTION_EXCLUDE_WILDCARDS", "2" -> true;
            default -> throw ApiException.invalid("`wildcardOption` must be WILDCARD_OPTION_INCLUDE_WILDCARDS or"
                    + " WILDCARD_OPTION_EXCLUDE_WILDCARDS, got " + wildcards);
        };
        io.relata.store.ObjectRef resource = Json.objectRef(body, "resource");
        String permission = Json.string(body, "permission", true);
        String subjectType = Json.string(body, "subjectObjectType", true);
        String subjectRelation = Json.string(body, "optionalSubjectRelation", false);
        Map<String, Object> context = Json.context(body, "context");
        String question = "subjects|" + resource + "|" + permission + "|" + subjectType + "|" + subjectRelation + "|"
                + excludeWildcards + "|" + canonical(context);
        LookupCursor.Position from = lookupCursor(tenant, question, body);
        Revision revision = lookupRevision(tenant, body, from);
        String zookie = consistency.token(tenant, revision);
        JsonObject at = Json.token(zookie);
        Counted sink = new Counted(given);
        boolean ended = false;
        try {
            engine.streamSubjects(tenant, revision, resource, permission, subjectType, subjectRelation, context,
                    from == null ? null : from.place(), concreteLimit, (s, place) -> excludeWildcards
                            && s.id().equals("*")
                            || sink.accept(subjectLine(s, at).put("afterResultCursor",
                                    Json.token(cursors.encode(tenant, question, zookie, place)))));
            ended = true;
        } finally {
            if (ended || sink.sent > 0) {
                audit.lookup(tenant, "lookupsubjects", new JsonObject().put("resource", resource.toString())
                        .put("permission", permission).put("subjectType", subjectType)
                        .put("subjectRelation", subjectRelation).put("resumed", from != null)
                        .put("limit", concreteLimit), sink.sent, ended && !sink.stopped, revision);
            }
        }
    }

    private static JsonObject subjectLine(SubjectResult s, JsonObject at) {
        JsonArray excluded = new JsonArray();
        JsonArray excludedIds = new JsonArray();
        for (LookupResult x : s.excluded()) {
            excluded.add(new JsonObject().put("subjectObjectId", x.id())
                    .put("permissionship", Json.lookupPermissionship(x.permissionship()))
                    .put("partialCaveatInfo", Json.partialCaveat(x.missingContext())));
            excludedIds.add(x.id());
        }
        String permissionship = Json.lookupPermissionship(s.permissionship());
        JsonObject partial = Json.partialCaveat(s.missingContext());
        return new JsonObject().put("lookedUpAt", at)
                .put("subject", new JsonObject().put("subjectObjectId", s.id()).put("permissionship", permissionship)
                        .put("partialCaveatInfo", partial))
                .put("excludedSubjects", excluded)
                .put("subjectObjectId", s.id()).put("excludedSubjectIds", excludedIds)
                .put("permissionship", permissionship).put("partialCaveatInfo", partial);
    }

    /** The request's lookup cursor, checked against its tenant and question; null without one. */
    private LookupCursor.Position lookupCursor(String tenant, String question, JsonObject body) {
        JsonObject cursorJson = Json.object(body, "optionalCursor");
        return cursorJson == null ? null : cursors.decode(tenant, question, Json.string(cursorJson, "token", true));
    }

    /** A resumed lookup reads at its cursor's revision; a new one at the request's consistency. */
    private Revision lookupRevision(String tenant, JsonObject body, LookupCursor.Position from) {
        return from == null ? consistency.resolve(tenant, Json.consistency(body))
                : consistency.resolve(tenant, new io.relata.zookie.Consistency.AtExactSnapshot(from.zookie()));
    }

    /** A caveat context in one spelling whatever the order of its keys. */
    private static String canonical(Map<String, Object> context) {
        return context == null ? "{}" : new java.util.TreeMap<>(context).toString();
    }
}
