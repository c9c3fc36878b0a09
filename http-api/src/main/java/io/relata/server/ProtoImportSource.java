package io.relata.server;

import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.SubjectReference;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.relata.store.Caveat;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.SubjectRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The messages of a gRPC bulk import, read straight from protobuf into relationships (no
 * JSON in between): each message is a batch. A relationship whose caveat carries a context
 * goes through the gateway's JSON, so that its values are read exactly as over HTTP.
 */
final class ProtoImportSource<M extends Message> implements ImportSource {

    private final Iterator<M> requests;
    private final Function<M, List<com.authzed.api.v1.Relationship>> relationships;
    private long request;

    ProtoImportSource(Iterator<M> requests, Function<M, List<com.authzed.api.v1.Relationship>> relationships) {
        this.requests = requests;
        this.relationships = relationships;
    }

    @Override
    public Batch next() {
        if (!requests.hasNext()) {
            return null;
        }
        List<com.authzed.api.v1.Relationship> items = relationships.apply(requests.next());
        long n = ++request;
        List<Relationship> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            try {
                out.add(relationship(items.get(i)));
            } catch (ApiException | IllegalArgumentException e) {
                throw ImportSource.refused("request " + n + ", relationships[" + i + "]", e);
            }
        }
        return new Batch(out, i -> "request " + n + ", relationships[" + i + "]");
    }

    static Relationship relationship(com.authzed.api.v1.Relationship p) {
        if (p.hasOptionalCaveat() && p.getOptionalCaveat().hasContext()
                && p.getOptionalCaveat().getContext().getFieldsCount() > 0) {
            return Json.relationship(ProtoJson.toJson(p));
        }
        if (!p.hasResource()) {
            throw ApiException.invalid("`resource` is required, as {\"objectType\": ..., \"objectId\": ...}");
        }
        if (!p.hasSubject() || !p.getSubject().hasObject()) {
            throw ApiException.invalid("`subject.object` is required");
        }
        ObjectReference resource = p.getResource();
        SubjectReference subject = p.getSubject();
        String subjectRelation = subject.getOptionalRelation();
        Caveat caveat = p.hasOptionalCaveat() ? new Caveat(p.getOptionalCaveat().getCaveatName(), Map.of()) : null;
        Instant expires = null;
        if (p.hasOptionalExpiresAt()) {
            Timestamp t = p.getOptionalExpiresAt();
            expires = Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
        }
        return new Relationship(new ObjectRef(resource.getObjectType(), resource.getObjectId()), p.getRelation(),
                new SubjectRef(subject.getObject().getObjectType(), subject.getObject().getObjectId(),
                        subjectRelation.isEmpty() ? null : subjectRelation), caveat, expires);
    }
}
