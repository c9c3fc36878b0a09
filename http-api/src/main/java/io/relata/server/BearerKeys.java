package io.relata.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Takes the bearer key from a call's {@code authorization} metadata, as SpiceDB's clients
 * send it, into the call's context, with the call's {@link Operation}; a call without a key,
 * or of a method the operation table does not know, is refused before it starts. Which tenant
 * the key belongs to, and whether it may do the operation, is asked later, off the transport's
 * threads ({@link Access}).
 */
final class BearerKeys implements ServerInterceptor {

    static final Context.Key<String> KEY = Context.key("relata-bearer-key");
    static final Context.Key<Operation> OPERATION = Context.key("relata-operation");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String header = headers.get(AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            call.close(Status.UNAUTHENTICATED.withDescription("Unauthenticated"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Operation operation = Operation.ofGrpcOrNull(call.getMethodDescriptor().getFullMethodName());
        if (operation == null || operation.scope == null) {
            call.close(Status.PERMISSION_DENIED.withDescription("no tenant key may call "
                    + call.getMethodDescriptor().getFullMethodName()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(KEY, header.substring(7).strip())
                .withValue(OPERATION, operation), call, headers, next);
    }
}
