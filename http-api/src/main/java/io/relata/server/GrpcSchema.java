package io.relata.server;

import com.authzed.api.v1.ReadSchemaRequest;
import com.authzed.api.v1.ReadSchemaResponse;
import com.authzed.api.v1.SchemaServiceGrpc;
import com.authzed.api.v1.WriteSchemaRequest;
import com.authzed.api.v1.WriteSchemaResponse;
import com.authzed.api.v1.ExperimentalComputablePermissionsRequest;
import com.authzed.api.v1.ExperimentalComputablePermissionsResponse;
import com.authzed.api.v1.ExperimentalDependentRelationsRequest;
import com.authzed.api.v1.ExperimentalDependentRelationsResponse;
import com.authzed.api.v1.ExperimentalDiffSchemaRequest;
import com.authzed.api.v1.ExperimentalDiffSchemaResponse;
import com.authzed.api.v1.ExperimentalReflectSchemaRequest;
import com.authzed.api.v1.ExperimentalReflectSchemaResponse;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import java.util.function.BiFunction;
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

    private static final MethodDescriptor<ExperimentalReflectSchemaRequest, ExperimentalReflectSchemaResponse> REFLECT =
            method("ReflectSchema", ExperimentalReflectSchemaRequest.getDefaultInstance(),
                    ExperimentalReflectSchemaResponse.getDefaultInstance());
    private static final MethodDescriptor<ExperimentalDiffSchemaRequest, ExperimentalDiffSchemaResponse> DIFF =
            method("DiffSchema", ExperimentalDiffSchemaRequest.getDefaultInstance(),
                    ExperimentalDiffSchemaResponse.getDefaultInstance());
    private static final MethodDescriptor<ExperimentalComputablePermissionsRequest,
            ExperimentalComputablePermissionsResponse> COMPUTABLE = method("ComputablePermissions",
                    ExperimentalComputablePermissionsRequest.getDefaultInstance(),
                    ExperimentalComputablePermissionsResponse.getDefaultInstance());
    private static final MethodDescriptor<ExperimentalDependentRelationsRequest,
            ExperimentalDependentRelationsResponse> DEPENDENT = method("DependentRelations",
                    ExperimentalDependentRelationsRequest.getDefaultInstance(),
                    ExperimentalDependentRelationsResponse.getDefaultInstance());

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(String name, Q request,
            R response) {
        return MethodDescriptor.<Q, R>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SchemaServiceGrpc.SERVICE_NAME, name))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response)).build();
    }

    private static <Q extends Message, R extends Message> io.grpc.ServerCallHandler<Q, R> unary(GrpcCalls calls,
            R prototype, BiFunction<String, io.vertx.core.json.JsonObject, io.vertx.core.json.JsonObject> work) {
        return ServerCalls.asyncUnaryCall((Q request, io.grpc.stub.StreamObserver<R> out) -> calls.unary(request, out,
                prototype, work));
    }

    /**
     * The schema service's file as server reflection shows it: the published file with the
     * four methods added, so tools that list methods (grpcurl) see what is served.
     */
    static com.google.protobuf.Descriptors.FileDescriptor withReflectionMethods() {
        com.google.protobuf.Descriptors.FileDescriptor published =
                com.authzed.api.v1.SchemaServiceOuterClass.getDescriptor();
        com.google.protobuf.DescriptorProtos.FileDescriptorProto.Builder file = published.toProto().toBuilder();
        com.google.protobuf.Descriptors.FileDescriptor experimental =
                com.authzed.api.v1.ExperimentalServiceOuterClass.getDescriptor();
        file.addDependency(experimental.getName());
        com.google.protobuf.DescriptorProtos.ServiceDescriptorProto.Builder service = file.getServiceBuilder(0);
        String[][] added = {{"ReflectSchema", "ExperimentalReflectSchema"}, {"DiffSchema", "ExperimentalDiffSchema"},
            {"ComputablePermissions", "ExperimentalComputablePermissions"},
            {"DependentRelations", "ExperimentalDependentRelations"}};
        for (String[] m : added) {
            service.addMethod(com.google.protobuf.DescriptorProtos.MethodDescriptorProto.newBuilder().setName(m[0])
                    .setInputType(".authzed.api.v1." + m[1] + "Request")
                    .setOutputType(".authzed.api.v1." + m[1] + "Response"));
        }
        java.util.List<com.google.protobuf.Descriptors.FileDescriptor> dependencies =
                new java.util.ArrayList<>(published.getDependencies());
        dependencies.add(experimental);
        try {
            return com.google.protobuf.Descriptors.FileDescriptor.buildFrom(file.build(),
                    dependencies.toArray(com.google.protobuf.Descriptors.FileDescriptor[]::new));
        } catch (com.google.protobuf.Descriptors.DescriptorValidationException e) {
            throw new IllegalStateException("the schema service's file cannot be extended: " + e.getMessage(), e);
        }
    }

    /** What server reflection reads of a service: its file and its name. */
    private record ReflectedFile(com.google.protobuf.Descriptors.FileDescriptor file)
            implements io.grpc.protobuf.ProtoServiceDescriptorSupplier {

        @Override
        public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
            return file;
        }

        @Override
        public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
            return file.findServiceByName("SchemaService");
        }
    }

    static ServerServiceDefinition service(Api api, GrpcCalls calls) {
        ServiceDescriptor generated = SchemaServiceGrpc.getServiceDescriptor();
        ServiceDescriptor descriptor = ServiceDescriptor.newBuilder(SchemaServiceGrpc.SERVICE_NAME)
                .setSchemaDescriptor(new ReflectedFile(withReflectionMethods()))
                .addMethod(SchemaServiceGrpc.getReadSchemaMethod())
                .addMethod(SchemaServiceGrpc.getWriteSchemaMethod())
                .addMethod(REFLECT).addMethod(DIFF).addMethod(COMPUTABLE).addMethod(DEPENDENT)
                .build();
        return ServerServiceDefinition.builder(descriptor)
                .addMethod(REFLECT, unary(calls, ExperimentalReflectSchemaResponse.getDefaultInstance(),
                        api::reflectSchema))
                .addMethod(DIFF, unary(calls, ExperimentalDiffSchemaResponse.getDefaultInstance(), api::diffSchema))
                .addMethod(COMPUTABLE, unary(calls, ExperimentalComputablePermissionsResponse.getDefaultInstance(),
                        api::computablePermissions))
                .addMethod(DEPENDENT, unary(calls, ExperimentalDependentRelationsResponse.getDefaultInstance(),
                        api::dependentRelations))
                .addMethod(SchemaServiceGrpc.getReadSchemaMethod(), ServerCalls.asyncUnaryCall(
                        (ReadSchemaRequest request, io.grpc.stub.StreamObserver<ReadSchemaResponse> out) -> calls.unary(
                                request, out, ReadSchemaResponse.getDefaultInstance(), api::schemaRead)))
                .addMethod(SchemaServiceGrpc.getWriteSchemaMethod(), ServerCalls.asyncUnaryCall(
                        (WriteSchemaRequest request, io.grpc.stub.StreamObserver<WriteSchemaResponse> out) -> calls
                                .unary(request, out, WriteSchemaResponse.getDefaultInstance(), api::schemaWrite)))
                .build();
    }
}
