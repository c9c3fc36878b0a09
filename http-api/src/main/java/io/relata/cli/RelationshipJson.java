package io.relata.cli;

import io.relata.store.Caveat;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.SubjectRef;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** Relationships between their canonical text ({@code doc:a#viewer@user:u}) and the API's JSON. */
final class RelationshipJson {

    private RelationshipJson() {}

    static JsonObject object(ObjectRef ref) {
        return new JsonObject().put("objectType", ref.type()).put("objectId", ref.id());
    }

    static JsonObject subject(SubjectRef s) {
        JsonObject out = new JsonObject().put("object", new JsonObject().put("objectType", s.type())
                .put("objectId", s.id()));
        return s.relation() == null ? out : out.put("optionalRelation", s.relation());
    }

    static JsonObject json(Relationship r) {
        JsonObject out = new JsonObject().put("resource", object(r.resource())).put("relation", r.relation())
                .put("subject", subject(r.subject()));
        if (r.caveat() != null) {
            out.put("optionalCaveat", new JsonObject().put("caveatName", r.caveat().name())
                    .put("context", new JsonObject(r.caveat().context())));
        }
        if (r.expiresAt() != null) {
            out.put("optionalExpiresAt", r.expiresAt().toString());
        }
        return out;
    }

    /** The relationship the API's JSON describes. @throws IllegalArgumentException when it is not one */
    static Relationship parse(JsonObject json) {
        JsonObject resource = json.getJsonObject("resource");
        JsonObject subject = json.getJsonObject("subject");
        JsonObject subjectObject = subject.getJsonObject("object");
        String subjectRelation = subject.getString("optionalRelation");
        SubjectRef s = new SubjectRef(subjectObject.getString("objectType"), subjectObject.getString("objectId"),
                subjectRelation == null || subjectRelation.isEmpty() ? null : subjectRelation);
        JsonObject caveat = json.getJsonObject("optionalCaveat");
        String expires = json.getString("optionalExpiresAt");
        return new Relationship(ObjectRef.of(resource.getString("objectType"), resource.getString("objectId")),
                json.getString("relation"), s, caveat == null ? null : new Caveat(caveat.getString("caveatName"),
                        caveat.getJsonObject("context", new JsonObject()).getMap()),
                expires == null ? null : Instant.parse(expires));
    }
}
