package io.relata.server;

import io.grpc.stub.StreamObserver;
import io.relata.api.v1.CheckBulkCompositePermissionsRequest;
import io.relata.api.v1.CheckBulkCompositePermissionsResponse;
import io.relata.api.v1.CheckCompositePermissionRequest;
import io.relata.api.v1.CheckCompositePermissionResponse;
import io.relata.api.v1.CompositePermissionsServiceGrpc;
import io.relata.api.v1.LookupCompositeResourcesRequest;
import io.relata.api.v1.LookupCompositeResourcesResponse;

/**
 * Relata's {@code relata.v1.CompositePermissionsService}: each method is the
 * {@code /relata/v1/permissions/...} route's {@link CompositeApi} method, through the messages'
 * proto3 JSON.
 */
final class GrpcComposite extends CompositePermissionsServiceGrpc.CompositePermissionsServiceImplBase {

    private final CompositeApi composites;
    private final GrpcCalls calls;

    GrpcComposite(CompositeApi composites, GrpcCalls calls) {
        this.composites = composites;
        this.calls = calls;
    }

    @Override
    public void checkCompositePermission(CheckCompositePermissionRequest request,
            StreamObserver<CheckCompositePermissionResponse> out) {
        calls.unary(request, out, CheckCompositePermissionResponse.getDefaultInstance(), composites::check);
    }

    @Override
    public void checkBulkCompositePermissions(CheckBulkCompositePermissionsRequest request,
            StreamObserver<CheckBulkCompositePermissionsResponse> out) {
        calls.unary(request, out, CheckBulkCompositePermissionsResponse.getDefaultInstance(), composites::checkBulk);
    }

    @Override
    public void lookupCompositeResources(LookupCompositeResourcesRequest request,
            StreamObserver<LookupCompositeResourcesResponse> out) {
        calls.stream(request, out, LookupCompositeResourcesResponse.getDefaultInstance(), composites::lookupResources);
    }
}
