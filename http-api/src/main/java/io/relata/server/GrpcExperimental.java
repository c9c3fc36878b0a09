package io.relata.server;

import com.authzed.api.v1.BulkCheckPermissionRequest;
import com.authzed.api.v1.BulkCheckPermissionResponse;
import com.authzed.api.v1.ExperimentalServiceGrpc;
import io.grpc.stub.StreamObserver;

/**
 * {@code authzed.api.v1.ExperimentalService}: the methods SpiceDB has since moved to the
 * stable services, delegating to the same {@link Api} methods (their messages have the same
 * fields). The relationship counters are not offered (UNIMPLEMENTED).
 */
final class GrpcExperimental extends ExperimentalServiceGrpc.ExperimentalServiceImplBase {

    private final Api api;
    private final GrpcCalls calls;

    GrpcExperimental(Api api, GrpcCalls calls) {
        this.api = api;
        this.calls = calls;
    }

    @Override
    public void bulkCheckPermission(BulkCheckPermissionRequest request,
            StreamObserver<BulkCheckPermissionResponse> out) {
        calls.unary(request, out, BulkCheckPermissionResponse.getDefaultInstance(), api::checkBulk);
    }
}
