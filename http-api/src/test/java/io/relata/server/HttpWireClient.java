package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.SubjectRef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** A conformance case put to the server through its HTTP/JSON API, in the bodies SpiceDB's gateway takes. */
final class HttpWireClient implements WireClient {

    private static final JsonObject FULLY_CONSISTENT = new JsonObject().put("fullyConsistent", true);

    private final TestServer server;
    private final String key;

    HttpWireClient(TestServer server, String key) {
        this.server = server;
        this.key = key;
    }

    @Override
    public void writeSchema(String schema) throws Exception {
        ok("/v1/schema/write", new JsonObject().put("schema", schema));
    }

    @Override
    public void write(List<Relationship> relationships) throws Exception {
        JsonArray updates = new JsonArray();
        for (Relationship r : relationships) {
            updates.add(new JsonObject().put("operation", "OPERATION_TOUCH").put("relationship", relationship(r)));
        }
        JsonObject written = ok("/v1/relationships/write", new JsonObject().put("updates", updates));
        assertThat(written.getJsonObject("writtenAt").getString("token")).isNotBlank();
    }

    @Override
    public String check(JsonNode check) throws Exception {
        JsonObject body = item(check).put("consistency", FULLY_CONSISTENT);
        return WireClient.checkPermissionship(ok("/v1/permissions/check", body).getString("permissionship"));
    }

    @Override
    public List<String> checkBulk(List<JsonNode> checks) throws Exception {
        JsonArray items = new JsonArray();
        checks.forEach(c -> items.add(item(c)));
        JsonObject answer = ok("/v1/permissions/checkbulk",
                new JsonObject().put("consistency", FULLY_CONSISTENT).put("items", items));
        List<String> out = new ArrayList<>();
        for (Object o : answer.getJsonArray("pairs")) {
            JsonObject pair = (JsonObject) o;
            assertThat(pair.getValue("error")).as("bulk item %s", pair.getValue("request")).isNull();
            out.add(WireClient.checkPermissionship(pair.getJsonObject("item").getString("permissionship")));
        }
        return out;
    }

    @Override
    public List<Found> lookup(JsonNode lookup) throws Exception {
        boolean resources = lookup.get("kind").asText().equals("resources");
        JsonObject body = new JsonObject().put("consistency", FULLY_CONSISTENT)
                .put("permission", lookup.get("permission").asText());
        if (lookup.has("context")) {
            body.put("context", new JsonObject(lookup.get("context").toString()));
        }
        if (resources) {
            body.put("resourceObjectType", lookup.get("resourceType").asText())
                    .put("subject", subject(SubjectRef.parse(lookup.get("subject").asText())));
        } else {
            body.put("resource", object(ObjectRef.parse(lookup.get("resource").asText())))
                    .put("subjectObjectType", lookup.get("subjectType").asText());
            if (lookup.has("optionalSubjectRelation")) {
                body.put("optionalSubjectRelation", lookup.get("optionalSubjectRelation").asText());
            }
        }
        TestServer.Reply reply = server.post(resources ? "/v1/permissions/resources" : "/v1/permissions/subjects",
                body.encode(), key);
        assertThat(reply.status()).as("%s: %s", body, reply.body()).isEqualTo(200);
        List<Found> out = new ArrayList<>();
        for (JsonObject line : reply.lines()) {
            assertThat(line.getValue("error")).as("%s: error line %s", body, line).isNull();
            JsonObject result = line.getJsonObject("result");
            out.add(resources ? resource(result) : subjectFound(result));
        }
        return out;
    }

    private static Found resource(JsonObject r) {
        return new Found(r.getString("resourceObjectId"), WireClient.lookupPermissionship(r.getString("permissionship")),
                missing(r), List.of(), List.of());
    }

    private static Found subjectFound(JsonObject r) {
        JsonObject s = r.getJsonObject("subject");
        List<String> excluded = new ArrayList<>();
        List<String> conditionally = new ArrayList<>();
        for (Object o : r.getJsonArray("excludedSubjects", new JsonArray())) {
            JsonObject x = (JsonObject) o;
            excluded.add(x.getString("subjectObjectId"));
            if (WireClient.lookupPermissionship(x.getString("permissionship")).equals("CONDITIONAL")) {
                conditionally.add(x.getString("subjectObjectId"));
            }
        }
        // The deprecated fields SpiceDB still fills must tell the same story.
        assertThat(r.getString("subjectObjectId")).as("deprecated subjectObjectId of %s", r)
                .isEqualTo(s.getString("subjectObjectId"));
        assertThat(r.getJsonArray("excludedSubjectIds", new JsonArray()).getList()).as("excludedSubjectIds of %s", r)
                .containsExactlyElementsOf(excluded);
        return new Found(s.getString("subjectObjectId"), WireClient.lookupPermissionship(s.getString("permissionship")),
                missing(s), excluded, conditionally);
    }

    private static List<String> missing(JsonObject r) {
        JsonObject partial = r.getJsonObject("partialCaveatInfo");
        List<String> out = new ArrayList<>();
        if (partial != null) {
            partial.getJsonArray("missingRequiredContext", new JsonArray()).forEach(x -> out.add((String) x));
        }
        return out;
    }

    private JsonObject ok(String path, JsonObject body) throws Exception {
        TestServer.Reply reply = server.post(path, body.encode(), key);
        assertThat(reply.status()).as("%s %s: %s", path, body, reply.body()).isEqualTo(200);
        return reply.json();
    }

    private static JsonObject item(JsonNode check) {
        JsonObject item = new JsonObject().put("resource", object(ObjectRef.parse(check.get("resource").asText())))
                .put("permission", check.get("permission").asText())
                .put("subject", subject(SubjectRef.parse(check.get("subject").asText())));
        if (check.has("context")) {
            item.put("context", new JsonObject(check.get("context").toString()));
        }
        return item;
    }

    static JsonObject relationship(Relationship r) {
        JsonObject out = new JsonObject().put("resource", object(r.resource())).put("relation", r.relation())
                .put("subject", subject(r.subject()));
        if (r.caveat() != null) {
            JsonObject caveat = new JsonObject().put("caveatName", r.caveat().name());
            if (!r.caveat().context().isEmpty()) {
                caveat.put("context", new JsonObject(r.caveat().context()));
            }
            out.put("optionalCaveat", caveat);
        }
        if (r.expiresAt() != null) {
            out.put("optionalExpiresAt", r.expiresAt().toString());
        }
        return out;
    }

    private static JsonObject object(ObjectRef o) {
        return object(o.type(), o.id());
    }

    private static JsonObject object(String type, String id) {
        return new JsonObject().put("objectType", type).put("objectId", id);
    }

    private static JsonObject subject(SubjectRef s) {
        JsonObject out = new JsonObject().put("object", object(s.type(), s.id()));
        if (s.relation() != null) {
            out.put("optionalRelation", s.relation());
        }
        return out;
    }
}
