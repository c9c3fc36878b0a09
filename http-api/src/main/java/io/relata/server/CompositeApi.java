package io.relata.server;

import io.relata.engine.CheckEngine;
import io.relata.engine.CheckResult;
import io.relata.engine.CompositeChecks;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.zookie.ConsistencyResolver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Relata's composite principals (not SpiceDB's API): check, bulk check and lookup resources
 * for a chain of principals, over {@link CompositeChecks}. The JSON is the proto3 JSON of
 * {@code relata.v1.CompositePermissionsService} (SpiceDB's shapes, with {@code principals}
 * in place of {@code subject}), so the HTTP routes under {@code /relata/v1/} and the gRPC
 * service are the same methods. Consistency, the bulk limit, tokens and cursors work as in
 * SpiceDB's check and lookup. Composite checks run on a worker even when every link's answer is
 * cached (unlike SpiceDB's check, which then answers on the event loop): measured on 2 cores, one
 * event loop answered fewer composite checks than the worker pool.
 */
final class CompositeApi {

    /** Most principals in one chain: far above real chains, and it bounds each request's checks. */
    static final int MAX_PRINCIPALS = 8;

    private final CompositeChecks composites;
    private final ConsistencyResolver consistency;
    private final Checks checks;
    private final LookupCursor cursors;
    private final ServerConfig config;
    private final Audit audit;

    CompositeApi(CheckEngine engine, ConsistencyResolver consistency, ServerConfig config, Checks checks, Audit audit) {
        this.audit = audit;
        this.composites = new CompositeChecks(engine, config.engine().deadline());
        this.consistency = consistency;
        this.checks = checks;
        this.cursors = new LookupCursor(config.tokenSecret());
        this.config = config;
    }

    /** {@code CheckCompositePermission}. */
    JsonObject check(String tenant, JsonObject body) {
        Revision revision = checks.revision(tenant, Json.consistency(body));
        CompositeChecks.Request request = request(body);
        CompositeChecks.Answer answer = Api.await(composites.check(tenant, revision, request), config);
        audit.composite(tenant, "compositecheck", request, answer.result(), revision);
        return answer(answer).put("checkedAt", Json.token(consistency.token(tenant, revision)));
    }

    /** {@code CheckBulkCompositePermissions}: every item at one revision, each with its answer or error. */
    JsonObject checkBulk(String tenant, JsonObject body) {
        Revision revision = checks.revision(tenant, Json.consistency(body));
        JsonArray items = Json.array(body, "items");
        checks.requireBulkSize(items.size());
        List<CompositeChecks.Request> requests = new ArrayList<>();
        List<JsonObject> echoes = new ArrayList<>();
        for (Object item : items) {
            JsonObject o = Api.asObject(item, "items[]");
            requests.add(request(o));
            echoes.add(o);
        }
        List<CompositeChecks.BulkAnswer> answers = Api.await(composites.checkBulk(tenant, revision, requests), config);
        JsonArray pairs = new JsonArray();
        for (int i = 0; i < answers.size(); i++) {
            CompositeChecks.BulkAnswer a = answers.get(i);
            JsonObject pair = new JsonObject().put("request", echoes.get(i));
            if (a.error() != null) {
                pair.put("error", Errors.of(a.error()).json());
            } else {
                pair.put("item", answer(a.answer()));
                audit.composite(tenant, "compositecheckbulk", requests.get(i), a.answer().result(), revision);
            }
            pairs.add(pair);
        }
        return new JsonObject().put("checkedAt", Json.token(consistency.token(tenant, revision))).put("pairs", pairs);
    }

    /**
     * {@code LookupCompositeResources}, streamed as each resource is found (see
     * {@link CompositeChecks#streamResources}); a cursor resumes at its own revision, for the
     * same question only.
     */
    void lookupResources(String tenant, JsonObject body, Api.Sink sink) {
        String type = Json.string(body, "resourceObjectType", true);
        String permission = Json.string(body, "permission", true);
        List<SubjectRef> principals = principals(body);
        Map<String, Object> context = Json.context(body, "context");
        int limit = (int) Math.min(Json.uint32(body, "optionalLimit"), Integer.MAX_VALUE);
        String question = "composite-resources|" + type + "|" + permission + "|" + principals + "|"
                + new java.util.TreeMap<>(context);
        JsonObject cursorJson = Json.object(body, "optionalCursor");
        LookupCursor.Position from = cursorJson == null ? null
                : cursors.decode(tenant, question, Json.string(cursorJson, "token", true));
        Revision revision = from == null ? checks.revision(tenant, Json.consistency(body))
                : checks.revision(tenant, new io.relata.zookie.Consistency.AtExactSnapshot(from.zookie()));
        String zookie = consistency.token(tenant, revision);
        JsonObject at = Json.token(zookie);
        Lookups.Counted counted = new Lookups.Counted(sink);
        boolean ended = false;
        try {
            composites.streamResources(tenant, revision, type, permission, principals, context,
                    from == null ? null : from.place(), limit, (r, place) -> counted.accept(new JsonObject()
                            .put("lookedUpAt", at).put("resourceObjectId", r.id())
                            .put("permissionship", Json.lookupPermissionship(r.permissionship()))
                            .put("partialCaveatInfo", Json.partialCaveat(r.missingContext()))
                            .put("afterResultCursor", Json.token(cursors.encode(tenant, question, zookie, place)))));
            ended = true;
        } finally {
            // As for lookups: results sent before a failure were disclosed, so they are recorded.
            if (ended || counted.sent > 0) {
                audit.lookup(tenant, "compositelookupresources", new JsonObject().put("resourceType", type)
                        .put("permission", permission)
                        .put("principals", new JsonArray(principals.stream().map(Object::toString).toList()))
                        .put("resumed", from != null).put("limit", limit), counted.sent, ended && !counted.stopped,
                        revision);
            }
        }
    }

    private static CompositeChecks.Request request(JsonObject o) {
        return new CompositeChecks.Request(Json.objectRef(o, "resource"), Json.string(o, "permission", true),
                principals(o), Json.context(o, "context"));
    }

    /** {@code principals}: SubjectReferences, first link first. */
    private static List<SubjectRef> principals(JsonObject o) {
        JsonArray given = Json.array(o, "principals");
        if (given.size() > MAX_PRINCIPALS) {
            throw ApiException.invalid("a chain may name at most " + MAX_PRINCIPALS + " principals; this one names "
                    + given.size());
        }
        List<SubjectRef> principals = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            principals.add(Json.subjectRef(new JsonObject().put("principals[" + i + "]",
                    Api.asObject(given.getValue(i), "principals[]")), "principals[" + i + "]"));
        }
        return principals;
    }

    private static JsonObject answer(CompositeChecks.Answer answer) {
        JsonArray links = new JsonArray();
        for (CompositeChecks.Link link : answer.links()) {
            CheckResult r = link.result();
            links.add(new JsonObject().put("principal", Json.subjectRef(link.principal()))
                    .put("resource", Json.objectRef(link.resource())).put("permission", link.permission())
                    .put("permissionship", r == null ? "PERMISSIONSHIP_UNSPECIFIED" : Json.permissionship(r.permissionship()))
                    .put("partialCaveatInfo", r == null ? null : Json.partialCaveat(r.missingContext())));
        }
        return new JsonObject().put("permissionship", Json.permissionship(answer.result().permissionship()))
                .put("partialCaveatInfo", Json.partialCaveat(answer.result().missingContext()))
                .put("composite", answer.composite()).put("links", links);
    }

}
