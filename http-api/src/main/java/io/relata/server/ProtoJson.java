package io.relata.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.json.JsonObject;

/**
 * Protobuf messages to and from the gateway's JSON, by protobuf's own JSON mapping: the
 * mapping SpiceDB's HTTP gateway applies. This is all the gRPC transport translates: the
 * service layer ({@link Api}) speaks that JSON, so each method is written once.
 */
final class ProtoJson {

    /** The types an {@code Any} in an answer may hold: the error details of bulk check items. */
    private static final JsonFormat.TypeRegistry DETAILS = JsonFormat.TypeRegistry.newBuilder()
            .add(com.google.rpc.ErrorInfo.getDescriptor()).build();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace()
            .usingTypeRegistry(DETAILS);
    /** Fields a newer message has and this one lacks are left out, as a client would. */
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields()
            .usingTypeRegistry(DETAILS);

    private ProtoJson() {}

    /** The request as the HTTP API receives it. */
    static JsonObject toJson(Message message) {
        try {
            return NewerFields.request(message, new JsonObject(PRINTER.print(message)));
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.invalid("the request cannot be read: " + e.getMessage());
        }
    }

    /** A {@code Struct} (a caveat context) as the gateway's JSON gives it to the service layer. */
    static java.util.Map<String, Object> map(com.google.protobuf.Struct struct) {
        try {
            return new JsonObject(PRINTER.print(struct)).getMap();
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.invalid("the request cannot be read: " + e.getMessage());
        }
    }

    /** The service layer's answer as a message of {@code prototype}'s type. */
    @SuppressWarnings("unchecked")
    static <T extends Message> T fromJson(JsonObject json, T prototype) {
        Message.Builder builder = prototype.newBuilderForType();
        try {
            PARSER.merge(json.encode(), builder);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the answer does not fit " + prototype.getDescriptorForType().getFullName()
                    + ": " + e.getMessage(), e);
        }
        return NewerFields.answer((T) builder.build(), json);
    }
}
