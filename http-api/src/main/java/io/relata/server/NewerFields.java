package io.relata.server;

import com.authzed.api.v1.DeleteRelationshipsResponse;
import com.authzed.api.v1.WatchRequest;
import com.authzed.api.v1.WatchResponse;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields SpiceDB's API gained after the newest published Java definitions
 * ({@code com.authzed.api:authzed} 1.2.0), carried as protobuf unknown fields with their
 * numbers in the current API: read from requests and written into answers, so that clients
 * built on newer definitions (the Node.js client 1.6) send and see them. Older clients
 * ignore them, as protobuf does.
 */
final class NewerFields {

    /** {@code WatchRequest.optional_update_kinds}. */
    private static final int WATCH_UPDATE_KINDS = 4;
    private static final String[] WATCH_KINDS = {"WATCH_KIND_UNSPECIFIED", "WATCH_KIND_INCLUDE_RELATIONSHIP_UPDATES",
        "WATCH_KIND_INCLUDE_SCHEMA_UPDATES", "WATCH_KIND_INCLUDE_CHECKPOINTS"};
    /** {@code DeleteRelationshipsResponse.relationships_deleted_count}. */
    private static final int DELETED_COUNT = 3;
    /** {@code WatchResponse.schema_updated} and {@code is_checkpoint}. */
    private static final int SCHEMA_UPDATED = 4;
    private static final int IS_CHECKPOINT = 5;

    private NewerFields() {}

    /** Adds to a request's JSON what its message carried in fields newer than its definition. */
    static JsonObject request(Message request, JsonObject json) {
        if (request instanceof WatchRequest) {
            UnknownFieldSet.Field kinds = request.getUnknownFields().getField(WATCH_UPDATE_KINDS);
            List<Long> values = new ArrayList<>(kinds.getVarintList());
            for (ByteString packed : kinds.getLengthDelimitedList()) {
                values.addAll(varints(packed));
            }
            if (!values.isEmpty()) {
                JsonArray names = new JsonArray();
                for (long v : values) {
                    names.add(v >= 0 && v < WATCH_KINDS.length ? WATCH_KINDS[(int) v] : Long.toString(v));
                }
                json.put("optionalUpdateKinds", names);
            }
        }
        return json;
    }

    /** Adds to an answer the fields of its JSON that its message's definition lacks. */
    @SuppressWarnings("unchecked")
    static <T extends Message> T answer(T message, JsonObject json) {
        UnknownFieldSet.Builder extra = UnknownFieldSet.newBuilder();
        if (message instanceof DeleteRelationshipsResponse) {
            Object count = json.getValue("relationshipsDeletedCount");
            if (count != null) {
                extra.addField(DELETED_COUNT, UnknownFieldSet.Field.newBuilder()
                        .addVarint(Long.parseLong(count.toString())).build());
            }
        } else if (message instanceof WatchResponse) {
            flag(extra, SCHEMA_UPDATED, json.getValue("schemaUpdated"));
            flag(extra, IS_CHECKPOINT, json.getValue("isCheckpoint"));
        } else {
            return message;
        }
        return (T) message.toBuilder().mergeUnknownFields(extra.build()).build();
    }

    private static void flag(UnknownFieldSet.Builder extra, int number, Object value) {
        if (Boolean.TRUE.equals(value)) {
            extra.addField(number, UnknownFieldSet.Field.newBuilder().addVarint(1).build());
        }
    }

    private static List<Long> varints(ByteString packed) {
        List<Long> out = new ArrayList<>();
        CodedInputStream in = packed.newCodedInput();
        try {
            while (!in.isAtEnd()) {
                out.add(in.readRawVarint64());
            }
        } catch (IOException e) {
            throw ApiException.invalid("`optionalUpdateKinds` cannot be read: " + e.getMessage());
        }
        return out;
    }
}
