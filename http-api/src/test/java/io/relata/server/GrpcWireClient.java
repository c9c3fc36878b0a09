package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.CheckBulkPermissionsPair;
import com.authzed.api.v1.CheckBulkPermissionsRequest;
import com.authzed.api.v1.CheckBulkPermissionsRequestItem;
import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ContextualizedCaveat;
import com.authzed.api.v1.LookupResourcesRequest;
import com.authzed.api.v1.LookupResourcesResponse;
import com.authzed.api.v1.LookupSubjectsRequest;
import com.authzed.api.v1.LookupSubjectsResponse;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.RelationshipUpdate;
import com.authzed.api.v1.ResolvedSubject;
import com.authzed.api.v1.SchemaServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.api.v1.WriteRelationshipsRequest;
import com.authzed.api.v1.WriteSchemaRequest;
import com.authzed.grpcutil.BearerToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Channel;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.SubjectRef;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A conformance case put to the server through its gRPC API with SpiceDB's official Java client:
 * {@code WriteSchema}, {@code WriteRelationships}, {@code CheckPermission}, {@code CheckBulkPermissions}
 * and the {@code LookupResources} and {@code LookupSubjects} server streams.
 */
final class GrpcWireClient implements WireClient {

    private static final Consistency FULLY_CONSISTENT = Consistency.newBuilder().setFullyConsistent(true).build();

    private final PermissionsServiceGrpc.PermissionsServiceBlockingStub permissions;
    private final SchemaServiceGrpc.SchemaServiceBlockingStub schema;

    GrpcWireClient(Channel channel, String key) {
        BearerToken token = new BearerToken(key);
        this.permissions = PermissionsServiceGrpc.newBlockingStub(channel).withCallCredentials(token);
        this.schema = SchemaServiceGrpc.newBlockingStub(channel).withCallCredentials(token);
    }

    @Override
    public void writeSchema(String text) {
        assertThat(schema.writeSchema(WriteSchemaRequest.newBuilder().setSchema(text).build()).getWrittenAt()
                .getToken()).isNotEmpty();
    }

    @Override
    public void write(List<Relationship> relationships) {
        WriteRelationshipsRequest.Builder request = WriteRelationshipsRequest.newBuilder();
        for (Relationship r : relationships) {
            request.addUpdates(RelationshipUpdate.newBuilder().setOperation(RelationshipUpdate.Operation.OPERATION_TOUCH)
                    .setRelationship(relationship(r)));
        }
        assertThat(permissions.writeRelationships(request.build()).getWrittenAt().getToken()).isNotEmpty();
    }

    @Override
    public String check(JsonNode check) {
        CheckPermissionRequest.Builder request = CheckPermissionRequest.newBuilder().setConsistency(FULLY_CONSISTENT)
                .setResource(object(ObjectRef.parse(check.get("resource").asText())))
                .setPermission(check.get("permission").asText())
                .setSubject(subject(SubjectRef.parse(check.get("subject").asText())));
        if (check.has("context")) {
            request.setContext(struct(check.get("context").toString()));
        }
        return WireClient.checkPermissionship(permissions.checkPermission(request.build()).getPermissionship().name());
    }

    @Override
    public List<String> checkBulk(List<JsonNode> checks) {
        CheckBulkPermissionsRequest.Builder request = CheckBulkPermissionsRequest.newBuilder()
                .setConsistency(FULLY_CONSISTENT);
        for (JsonNode check : checks) {
            CheckBulkPermissionsRequestItem.Builder item = CheckBulkPermissionsRequestItem.newBuilder()
                    .setResource(object(ObjectRef.parse(check.get("resource").asText())))
                    .setPermission(check.get("permission").asText())
                    .setSubject(subject(SubjectRef.parse(check.get("subject").asText())));
            if (check.has("context")) {
                item.setContext(struct(check.get("context").toString()));
            }
            request.addItems(item);
        }
        List<String> out = new ArrayList<>();
        for (CheckBulkPermissionsPair pair : permissions.checkBulkPermissions(request.build()).getPairsList()) {
            assertThat(pair.hasError()).as("bulk item %s: %s", pair.getRequest(), pair.getError()).isFalse();
            out.add(WireClient.checkPermissionship(pair.getItem().getPermissionship().name()));
        }
        return out;
    }

    @Override
    public List<Found> lookup(JsonNode lookup) {
        Struct context = lookup.has("context") ? struct(lookup.get("context").toString()) : null;
        List<Found> out = new ArrayList<>();
        if (lookup.get("kind").asText().equals("resources")) {
            LookupResourcesRequest.Builder request = LookupResourcesRequest.newBuilder()
                    .setConsistency(FULLY_CONSISTENT).setResourceObjectType(lookup.get("resourceType").asText())
                    .setPermission(lookup.get("permission").asText())
                    .setSubject(subject(SubjectRef.parse(lookup.get("subject").asText())));
            if (context != null) {
                request.setContext(context);
            }
            permissions.lookupResources(request.build()).forEachRemaining((LookupResourcesResponse r) ->
                    out.add(new Found(r.getResourceObjectId(),
                            WireClient.lookupPermissionship(r.getPermissionship().name()),
                            r.getPartialCaveatInfo().getMissingRequiredContextList(), List.of(), List.of())));
        } else {
            LookupSubjectsRequest.Builder request = LookupSubjectsRequest.newBuilder()
                    .setConsistency(FULLY_CONSISTENT).setResource(object(ObjectRef.parse(lookup.get("resource").asText())))
                    .setPermission(lookup.get("permission").asText())
                    .setSubjectObjectType(lookup.get("subjectType").asText());
            if (lookup.has("optionalSubjectRelation")) {
                request.setOptionalSubjectRelation(lookup.get("optionalSubjectRelation").asText());
            }
            if (context != null) {
                request.setContext(context);
            }
            permissions.lookupSubjects(request.build()).forEachRemaining((LookupSubjectsResponse r) ->
                    out.add(subjectFound(r)));
        }
        return out;
    }

    @SuppressWarnings("deprecation")
    private static Found subjectFound(LookupSubjectsResponse r) {
        ResolvedSubject s = r.getSubject();
        List<String> excluded = new ArrayList<>();
        List<String> conditionally = new ArrayList<>();
        for (ResolvedSubject x : r.getExcludedSubjectsList()) {
            excluded.add(x.getSubjectObjectId());
            if (WireClient.lookupPermissionship(x.getPermissionship().name()).equals("CONDITIONAL")) {
                conditionally.add(x.getSubjectObjectId());
            }
        }
        // The deprecated fields SpiceDB still fills must tell the same story.
        assertThat(r.getSubjectObjectId()).as("deprecated subjectObjectId of %s", r).isEqualTo(s.getSubjectObjectId());
        assertThat(r.getExcludedSubjectIdsList()).as("deprecated excludedSubjectIds of %s", r)
                .containsExactlyElementsOf(excluded);
        return new Found(s.getSubjectObjectId(), WireClient.lookupPermissionship(s.getPermissionship().name()),
                s.getPartialCaveatInfo().getMissingRequiredContextList(), excluded, conditionally);
    }

    private static com.authzed.api.v1.Relationship relationship(Relationship r) {
        com.authzed.api.v1.Relationship.Builder out = com.authzed.api.v1.Relationship.newBuilder()
                .setResource(object(r.resource())).setRelation(r.relation()).setSubject(subject(r.subject()));
        if (r.caveat() != null) {
            ContextualizedCaveat.Builder caveat = ContextualizedCaveat.newBuilder().setCaveatName(r.caveat().name());
            if (!r.caveat().context().isEmpty()) {
                caveat.setContext(struct(r.caveat().context()));
            }
            out.setOptionalCaveat(caveat);
        }
        if (r.expiresAt() != null) {
            out.setOptionalExpiresAt(Timestamp.newBuilder().setSeconds(r.expiresAt().getEpochSecond())
                    .setNanos(r.expiresAt().getNano()));
        }
        return out.build();
    }

    private static ObjectReference object(ObjectRef o) {
        return object(o.type(), o.id());
    }

    private static ObjectReference object(String type, String id) {
        return ObjectReference.newBuilder().setObjectType(type).setObjectId(id).build();
    }

    private static SubjectReference subject(SubjectRef s) {
        SubjectReference.Builder out = SubjectReference.newBuilder().setObject(object(s.type(), s.id()));
        if (s.relation() != null) {
            out.setOptionalRelation(s.relation());
        }
        return out.build();
    }

    private static Struct struct(Map<String, Object> values) {
        return struct(new JsonObject(values).encode());
    }

    private static Struct struct(String json) {
        Struct.Builder out = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json, out);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a JSON object: " + json, e);
        }
        return out.build();
    }
}
