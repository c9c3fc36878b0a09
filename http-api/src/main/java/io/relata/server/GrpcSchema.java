package io.relata.server;

import com.authzed.api.v1.ReadSchemaRequest;
import com.authzed.api.v1.ReadSchemaResponse;
import com.authzed.api.v1.SchemaServiceGrpc;
import com.authzed.api.v1.WriteSchemaRequest;
import com.authzed.api.v1.WriteSchemaResponse;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;

/**
 * {@code authzed.api.v1.SchemaService}. Built by hand rather than from the generated base
 * class: the newest clients also call the reflection methods ({@code ReflectSchema},
 * {@code DiffSchema}, {@code ComputablePermissions}, {@code DependentRelations}), whose
 * messages are wire-identical to the experimental service's, which the published Java
 * definitions carry.
 */
final class GrpcSchema {

    private GrpcSchema() {}

    static ServerServiceDefinition service(Api api, GrpcCalls calls) {
        ServiceDescriptor generated = SchemaServiceGrpc.getServiceDescriptor();
        ServiceDescriptor descriptor = ServiceDescriptor.newBuilder(SchemaServiceGrpc.SERVICE_NAME)
                .setSchemaDescriptor(generated.getSchemaDescriptor())
                .addMethod(SchemaServiceGrpc.getReadSchemaMethod())
                .addMethod(SchemaServiceGrpc.getWriteSchemaMethod())
                .build();
        return ServerServiceDefinition.builder(descriptor)
                .addMethod(SchemaServiceGrpc.getReadSchemaMethod(), ServerCalls.asyncUnaryCall(
                        (ReadSchemaRequest request, io.grpc.stub.StreamObserver<ReadSchemaResponse> out) -> calls.unary(
                                request, out, ReadSchemaResponse.getDefaultInstance(), api::schemaRead)))
                .addMethod(SchemaServiceGrpc.getWriteSchemaMethod(), ServerCalls.asyncUnaryCall(
                        (WriteSchemaRequest request, io.grpc.stub.StreamObserver<WriteSchemaResponse> out) -> calls
                                .unary(request, out, WriteSchemaResponse.getDefaultInstance(), api::schemaWrite)))
                .build();
    }
}
