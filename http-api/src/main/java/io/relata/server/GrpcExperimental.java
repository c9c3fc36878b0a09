package io.relata.server;

import com.authzed.api.v1.BulkCheckPermissionRequest;
import com.authzed.api.v1.BulkCheckPermissionResponse;
import com.authzed.api.v1.ExperimentalServiceGrpc;
import com.authzed.api.v1.ExperimentalComputablePermissionsRequest;
import com.authzed.api.v1.ExperimentalComputablePermissionsResponse;
import com.authzed.api.v1.ExperimentalDependentRelationsRequest;
import com.authzed.api.v1.ExperimentalDependentRelationsResponse;
import com.authzed.api.v1.ExperimentalDiffSchemaRequest;
import com.authzed.api.v1.ExperimentalDiffSchemaResponse;
import com.authzed.api.v1.ExperimentalReflectSchemaRequest;
import com.authzed.api.v1.ExperimentalReflectSchemaResponse;
import com.authzed.api.v1.BulkExportRelationshipsRequest;
import com.authzed.api.v1.BulkExportRelationshipsResponse;
import com.authzed.api.v1.BulkImportRelationshipsRequest;
import com.authzed.api.v1.BulkImportRelationshipsResponse;
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
        calls.unary(request, out, BulkCheckPermissionResponse.getDefaultInstance(), api::bulkCheckPermission);
    }

    @Override
    public void experimentalReflectSchema(ExperimentalReflectSchemaRequest request,
            StreamObserver<ExperimentalReflectSchemaResponse> out) {
        calls.unary(request, out, ExperimentalReflectSchemaResponse.getDefaultInstance(), api::reflectSchema);
    }

    @Override
    public void experimentalDiffSchema(ExperimentalDiffSchemaRequest request,
            StreamObserver<ExperimentalDiffSchemaResponse> out) {
        calls.unary(request, out, ExperimentalDiffSchemaResponse.getDefaultInstance(), api::diffSchema);
    }

    @Override
    public void experimentalComputablePermissions(ExperimentalComputablePermissionsRequest request,
            StreamObserver<ExperimentalComputablePermissionsResponse> out) {
        calls.unary(request, out, ExperimentalComputablePermissionsResponse.getDefaultInstance(),
                api::computablePermissions);
    }

    @Override
    public void experimentalDependentRelations(ExperimentalDependentRelationsRequest request,
            StreamObserver<ExperimentalDependentRelationsResponse> out) {
        calls.unary(request, out, ExperimentalDependentRelationsResponse.getDefaultInstance(),
                api::dependentRelations);
    }

    @Override
    public StreamObserver<BulkImportRelationshipsRequest> bulkImportRelationships(
            StreamObserver<BulkImportRelationshipsResponse> out) {
        return calls.clientStream(out, BulkImportRelationshipsResponse.getDefaultInstance(), (tenant, requests) ->
                api.importBulk(tenant, new ProtoImportSource<>(requests,
                        BulkImportRelationshipsRequest::getRelationshipsList)));
    }

    @Override
    public void bulkExportRelationships(BulkExportRelationshipsRequest request,
            StreamObserver<BulkExportRelationshipsResponse> out) {
        calls.stream(request, out, BulkExportRelationshipsResponse.getDefaultInstance(), api::bulkExportRelationships);
    }
}
