package io.relata.server;

import com.authzed.api.v1.CheckBulkPermissionsRequest;
import com.authzed.api.v1.CheckBulkPermissionsResponse;
import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.DeleteRelationshipsRequest;
import com.authzed.api.v1.DeleteRelationshipsResponse;
import com.authzed.api.v1.ExpandPermissionTreeRequest;
import com.authzed.api.v1.ExpandPermissionTreeResponse;
import com.authzed.api.v1.LookupResourcesRequest;
import com.authzed.api.v1.LookupResourcesResponse;
import com.authzed.api.v1.LookupSubjectsRequest;
import com.authzed.api.v1.LookupSubjectsResponse;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.ReadRelationshipsRequest;
import com.authzed.api.v1.ReadRelationshipsResponse;
import com.authzed.api.v1.WriteRelationshipsRequest;
import com.authzed.api.v1.WriteRelationshipsResponse;
import com.authzed.api.v1.ExportBulkRelationshipsRequest;
import com.authzed.api.v1.ExportBulkRelationshipsResponse;
import com.authzed.api.v1.ImportBulkRelationshipsRequest;
import com.authzed.api.v1.ImportBulkRelationshipsResponse;
import io.grpc.stub.StreamObserver;

/**
 * {@code authzed.api.v1.PermissionsService}: each method is the HTTP route's {@link Api} method;
 * CheckPermission and CheckBulkPermissions translate protobuf straight to the same checks
 * ({@link ProtoChecks}), and a check whose answer is cached is answered on the calling thread.
 */
final class GrpcPermissions extends PermissionsServiceGrpc.PermissionsServiceImplBase {

    private final Api api;
    private final GrpcCalls calls;
    /** The checks, translated without the gateway's JSON. */
    private final ProtoChecks checks;

    GrpcPermissions(Api api, GrpcCalls calls) {
        this.api = api;
        this.calls = calls;
        this.checks = new ProtoChecks(api.checks());
    }

    @Override
    public void readRelationships(ReadRelationshipsRequest request, StreamObserver<ReadRelationshipsResponse> out) {
        calls.stream(request, out, ReadRelationshipsResponse.getDefaultInstance(), api::relationshipsRead);
    }

    @Override
    public void writeRelationships(WriteRelationshipsRequest request, StreamObserver<WriteRelationshipsResponse> out) {
        calls.unary(request, out, WriteRelationshipsResponse.getDefaultInstance(), api::relationshipsWrite);
    }

    @Override
    public void deleteRelationships(DeleteRelationshipsRequest request,
            StreamObserver<DeleteRelationshipsResponse> out) {
        calls.unary(request, out, DeleteRelationshipsResponse.getDefaultInstance(), api::relationshipsDelete);
    }

    @Override
    public void checkPermission(CheckPermissionRequest request, StreamObserver<CheckPermissionResponse> out) {
        calls.unary(request, out, tenant -> checks.cachedCheck(tenant, request), tenant -> checks.check(tenant, request));
    }

    @Override
    public void checkBulkPermissions(CheckBulkPermissionsRequest request,
            StreamObserver<CheckBulkPermissionsResponse> out) {
        calls.unary(request, out, null, tenant -> checks.checkBulk(tenant, request));
    }

    @Override
    public void expandPermissionTree(ExpandPermissionTreeRequest request,
            StreamObserver<ExpandPermissionTreeResponse> out) {
        calls.unary(request, out, ExpandPermissionTreeResponse.getDefaultInstance(), api::expand);
    }

    @Override
    public void lookupResources(LookupResourcesRequest request, StreamObserver<LookupResourcesResponse> out) {
        calls.stream(request, out, LookupResourcesResponse.getDefaultInstance(), api::lookupResources);
    }

    @Override
    public void lookupSubjects(LookupSubjectsRequest request, StreamObserver<LookupSubjectsResponse> out) {
        calls.stream(request, out, LookupSubjectsResponse.getDefaultInstance(), api::lookupSubjects);
    }

    @Override
    public StreamObserver<ImportBulkRelationshipsRequest> importBulkRelationships(
            StreamObserver<ImportBulkRelationshipsResponse> out) {
        return calls.clientStream(out, ImportBulkRelationshipsResponse.getDefaultInstance(), (tenant, requests) ->
                api.importBulk(tenant, new ProtoImportSource<>(requests,
                        ImportBulkRelationshipsRequest::getRelationshipsList)));
    }

    @Override
    public void exportBulkRelationships(ExportBulkRelationshipsRequest request,
            StreamObserver<ExportBulkRelationshipsResponse> out) {
        calls.stream(request, out, ExportBulkRelationshipsResponse.getDefaultInstance(), api::exportBulk);
    }
}
