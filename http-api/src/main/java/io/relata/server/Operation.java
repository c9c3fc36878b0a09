package io.relata.server;

import io.relata.store.KeyAccess.Scope;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every operation the server answers, and what a key needs to use it: the one table from HTTP
 * route and gRPC method to scope ({@link Access} enforces it). A route or method that is not
 * here cannot be registered ({@link #ofHttp}, {@link #ofGrpc} throw), so none is served unguarded.
 * Each operation also says where its request names resource types ({@link ResourceTypes}), for
 * keys limited to some types.
 */
enum Operation {

    CHECK_PERMISSION(Scope.CHECK, ResourceTypes.RESOURCE, http("/v1/permissions/check"),
            grpc("PermissionsService/CheckPermission")),
    CHECK_BULK(Scope.CHECK, ResourceTypes.ITEMS, http("/v1/permissions/checkbulk",
            "/v1/experimental/permissions/bulkcheckpermission"),
            grpc("PermissionsService/CheckBulkPermissions", "ExperimentalService/BulkCheckPermission")),
    EXPAND(Scope.CHECK, ResourceTypes.RESOURCE, http("/v1/permissions/expand", "/relata/v1/permissions/expand"),
            grpc("PermissionsService/ExpandPermissionTree")),
    LOOKUP_RESOURCES(Scope.CHECK, ResourceTypes.LOOKUP_RESOURCES, http("/v1/permissions/resources"),
            grpc("PermissionsService/LookupResources")),
    LOOKUP_SUBJECTS(Scope.CHECK, ResourceTypes.RESOURCE, http("/v1/permissions/subjects"),
            grpc("PermissionsService/LookupSubjects")),

    /** Relata's: a chain of principals ({@code relata.v1.CompositePermissionsService}). */
    COMPOSITE_CHECK(Scope.CHECK, ResourceTypes.COMPOSITE, http("/relata/v1/permissions/check"),
            relata("CompositePermissionsService/CheckCompositePermission")),
    COMPOSITE_CHECK_BULK(Scope.CHECK, ResourceTypes.COMPOSITE_ITEMS, http("/relata/v1/permissions/checkbulk"),
            relata("CompositePermissionsService/CheckBulkCompositePermissions")),
    COMPOSITE_LOOKUP_RESOURCES(Scope.CHECK, ResourceTypes.COMPOSITE_LOOKUP, http("/relata/v1/permissions/resources"),
            relata("CompositePermissionsService/LookupCompositeResources")),
    /**
     * Relata's: why a check answers as it does. It shows the relationships behind the answer, of
     * any type: it needs {@code read} too, and a key not limited to types.
     */
    EXPLAIN(Scope.CHECK, Scope.READ, ResourceTypes.EVERY_TYPE, http("/relata/v1/permissions/explain"),
            relata("ExplainService/ExplainPermission")),
    /**
     * Relata's: a schema's diagnostics and a validation file run in memory (the playground); they
     * read and write nothing of the key's tenant.
     */
    VALIDATE(Scope.CHECK, ResourceTypes.NOT_TYPED, http("/relata/v1/schema/validate", "/relata/v1/validation/run"),
            grpc()),

    READ_RELATIONSHIPS(Scope.READ, ResourceTypes.READ_FILTER, http("/v1/relationships/read"),
            grpc("PermissionsService/ReadRelationships")),
    EXPORT(Scope.READ, ResourceTypes.EXPORT_FILTER, http("/v1/relationships/exportbulk",
            "/v1/experimental/relationships/bulkexport"),
            grpc("PermissionsService/ExportBulkRelationships", "ExperimentalService/BulkExportRelationships")),
    READ_SCHEMA(Scope.READ, ResourceTypes.NOT_TYPED, http("/v1/schema/read"), grpc("SchemaService/ReadSchema")),
    REFLECT_SCHEMA(Scope.READ, ResourceTypes.NOT_TYPED, http(
            "/v1/schema/reflectschema", "/v1/schema/diffschema", "/v1/schema/permissions/computable",
            "/v1/schema/permissions/dependent", "/v1/experimental/reflectschema", "/v1/experimental/diffschema",
            "/v1/experimental/permissions/computable", "/v1/experimental/permissions/dependent"),
            grpc("SchemaService/ReflectSchema", "SchemaService/DiffSchema", "SchemaService/ComputablePermissions",
                    "SchemaService/DependentRelations", "ExperimentalService/ExperimentalReflectSchema",
                    "ExperimentalService/ExperimentalDiffSchema", "ExperimentalService/ExperimentalComputablePermissions",
                    "ExperimentalService/ExperimentalDependentRelations")),
    /** Not offered (UNIMPLEMENTED), but guarded like the reads they would be. */
    COUNT_RELATIONSHIPS(Scope.READ, ResourceTypes.NOT_TYPED, http(),
            grpc("ExperimentalService/ExperimentalCountRelationships")),

    WRITE_RELATIONSHIPS(Scope.WRITE, ResourceTypes.WRITE, http("/v1/relationships/write"),
            grpc("PermissionsService/WriteRelationships")),
    DELETE_RELATIONSHIPS(Scope.WRITE, ResourceTypes.DELETE, http("/v1/relationships/delete"),
            grpc("PermissionsService/DeleteRelationships")),
    IMPORT(Scope.WRITE, ResourceTypes.UNKNOWN_AHEAD, http("/v1/relationships/importbulk",
            "/v1/experimental/relationships/bulkimport"),
            grpc("PermissionsService/ImportBulkRelationships", "ExperimentalService/BulkImportRelationships")),
    /** Not offered (UNIMPLEMENTED), but guarded like the schema changes they would be. */
    RELATIONSHIP_COUNTERS(Scope.SCHEMA, ResourceTypes.NOT_TYPED, http(),
            grpc("ExperimentalService/ExperimentalRegisterRelationshipCounter",
                    "ExperimentalService/ExperimentalUnregisterRelationshipCounter")),

    WRITE_SCHEMA(Scope.SCHEMA, ResourceTypes.NOT_TYPED, http("/v1/schema/write"), grpc("SchemaService/WriteSchema")),

    WATCH(Scope.WATCH, ResourceTypes.WATCH, http("/v1/watch"), grpc("WatchService/Watch")),

    /** The admin API: the admin key only, never a tenant's key. */
    ADMIN(null, ResourceTypes.NOT_TYPED, http("/v1/tenants/create", "/v1/tenants/keys/create",
            "/v1/tenants/keys/revoke", "/v1/tenants/keys/list"), grpc()),
    /** Prometheus metrics: open, or behind {@code --metrics-key}. */
    METRICS(null, ResourceTypes.NOT_TYPED, http("/metrics"), grpc()),
    /** Health and readiness (HTTP), the standard health service and server reflection (gRPC): open to all. */
    OPEN(null, ResourceTypes.NOT_TYPED, http("/healthz", "/readyz"), List.of("grpc.health.v1.Health/Check",
            "grpc.health.v1.Health/Watch", "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"));

    private static final Map<String, Operation> BY_HTTP = new HashMap<>();
    private static final Map<String, Operation> BY_GRPC = new HashMap<>();

    static {
        for (Operation o : values()) {
            o.httpPaths.forEach(p -> BY_HTTP.put(p, o));
            o.grpcMethods.forEach(m -> BY_GRPC.put(m, o));
        }
    }

    /** The scope a tenant key needs, or null for operations no tenant key reaches (admin, metrics, health). */
    final Scope scope;
    /** A second scope the key needs, or null. */
    final Scope alsoNeeds;
    /** Where the request names resource types. */
    final ResourceTypes resourceTypes;
    final List<String> httpPaths;
    /** Full gRPC method names, {@code service/method}. */
    final List<String> grpcMethods;

    Operation(Scope scope, ResourceTypes resourceTypes, List<String> httpPaths, List<String> grpcMethods) {
        this(scope, null, resourceTypes, httpPaths, grpcMethods);
    }

    Operation(Scope scope, Scope alsoNeeds, ResourceTypes resourceTypes, List<String> httpPaths,
            List<String> grpcMethods) {
        this.scope = scope;
        this.alsoNeeds = alsoNeeds;
        this.resourceTypes = resourceTypes;
        this.httpPaths = httpPaths;
        this.grpcMethods = grpcMethods;
    }

    private static List<String> http(String... paths) {
        return List.of(paths);
    }

    private static List<String> grpc(String... methods) {
        return java.util.Arrays.stream(methods).map(m -> "authzed.api.v1." + m).toList();
    }

    private static List<String> relata(String... methods) {
        return java.util.Arrays.stream(methods).map(m -> "relata.v1." + m).toList();
    }

    /**
     * The operation of an HTTP route.
     *
     * @throws IllegalStateException when the path is in no operation: add it to this table
     */
    static Operation ofHttp(String path) {
        Operation o = BY_HTTP.get(path);
        if (o == null) {
            throw new IllegalStateException("the route " + path + " is not in the operation table (Operation):"
                    + " say which scope it needs before serving it");
        }
        return o;
    }

    /**
     * The operation of a gRPC method, by its full name ({@code authzed.api.v1.PermissionsService/CheckPermission}).
     *
     * @throws IllegalStateException when the method is in no operation: add it to this table
     */
    static Operation ofGrpc(String fullMethodName) {
        Operation o = BY_GRPC.get(fullMethodName);
        if (o == null) {
            throw new IllegalStateException("the gRPC method " + fullMethodName + " is not in the operation table"
                    + " (Operation): say which scope it needs before serving it");
        }
        return o;
    }

    /** The operation of a gRPC method, or null when it is in none. */
    static Operation ofGrpcOrNull(String fullMethodName) {
        return BY_GRPC.get(fullMethodName);
    }

    /** The name the operation goes by in denials: its first gRPC method's, else its first route. */
    String displayName() {
        if (!grpcMethods.isEmpty()) {
            String m = grpcMethods.get(0);
            return m.substring(m.lastIndexOf('/') + 1);
        }
        return httpPaths.get(0);
    }
}
