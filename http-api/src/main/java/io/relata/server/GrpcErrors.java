package io.relata.server;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * An error as a gRPC status: the code and message {@link Errors} chose, and, where the error
 * has one, SpiceDB's {@code google.rpc.ErrorInfo} detail.
 */
final class GrpcErrors {

    private GrpcErrors() {}

    static StatusRuntimeException of(Throwable failure) {
        return of(Errors.of(failure));
    }

    static StatusRuntimeException of(Errors.Status status) {
        return StatusProto.toStatusRuntimeException(status(status));
    }

    /** The error as a {@code google.rpc.Status} message (as a bulk check item's error carries it). */
    static com.google.rpc.Status status(Errors.Status status) {
        com.google.rpc.Status.Builder proto = com.google.rpc.Status.newBuilder().setCode(status.code())
                .setMessage(status.message());
        ErrorInfo info = errorInfo(status);
        if (info != null) {
            proto.addDetails(Any.pack(info));
        }
        return proto.build();
    }

    private static ErrorInfo errorInfo(Errors.Status status) {
        if (status.reason() == null) {
            return null;
        }
        return ErrorInfo.newBuilder().setReason(status.reason()).setDomain(Errors.DOMAIN)
                .putAllMetadata(status.metadata()).build();
    }
}
