package io.relata.server;

import com.authzed.api.v1.CheckPermissionRequest;
import io.grpc.stub.StreamObserver;
import io.relata.api.v1.ExplainPermissionResponse;
import io.relata.api.v1.ExplainServiceGrpc;

/**
 * Relata's {@code relata.v1.ExplainService}: {@code ExplainPermission} is the
 * {@code /relata/v1/permissions/explain} route's {@link Api#explain}, through the messages' proto3 JSON.
 */
final class GrpcExplain extends ExplainServiceGrpc.ExplainServiceImplBase {

    private final Api api;
    private final GrpcCalls calls;

    GrpcExplain(Api api, GrpcCalls calls) {
        this.api = api;
        this.calls = calls;
    }

    @Override
    public void explainPermission(CheckPermissionRequest request, StreamObserver<ExplainPermissionResponse> out) {
        calls.unary(request, out, ExplainPermissionResponse.getDefaultInstance(), api::explain);
    }
}
