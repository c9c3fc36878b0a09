package io.relata.server;

import com.authzed.api.v1.CheckBulkPermissionsPair;
import com.authzed.api.v1.CheckBulkPermissionsRequest;
import com.authzed.api.v1.CheckBulkPermissionsRequestItem;
import com.authzed.api.v1.CheckBulkPermissionsResponse;
import com.authzed.api.v1.CheckBulkPermissionsResponseItem;
import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PartialCaveatInfo;
import com.authzed.api.v1.SubjectReference;
import com.authzed.api.v1.ZedToken;
import com.google.protobuf.Struct;
import io.relata.engine.BulkCheckResult;
import io.relata.engine.CheckRequest;
import io.relata.engine.CheckResult;
import io.relata.store.ObjectRef;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.zookie.Consistency;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * gRPC's CheckPermission and CheckBulkPermissions translated straight between protobuf and
 * the service layer's values ({@link Checks}), without the gateway JSON the other methods go
 * through ({@link ProtoJson}): the hottest calls skip two JSON renderings and two parses. The
 * translation gives what the JSON route would: the same values, the same refusals in the
 * same order, the same answers.
 */
final class ProtoChecks {

    private final Checks checks;

    ProtoChecks(Checks checks) {
        this.checks = checks;
    }

    /** CheckPermission (blocking). */
    CheckPermissionResponse check(String tenant, CheckPermissionRequest request) {
        Revision revision = checks.revision(tenant, consistency(request.hasConsistency(), request.getConsistency()));
        CheckRequest typed = checkRequest(request);
        return answer(request.getWithTracing() ? checks.checkTraced(tenant, revision, typed)
                : checks.check(tenant, revision, typed));
    }

    /** CheckPermission's answer when it is at hand without waiting, else null (never blocks). */
    CheckPermissionResponse cachedCheck(String tenant, CheckPermissionRequest request) {
        if (request.getWithTracing()) {
            return null;
        }
        Revision revision = checks.knownRevision(tenant, consistency(request.hasConsistency(), request.getConsistency()));
        Checks.Answer answer = revision == null ? null : checks.cachedCheck(tenant, revision, checkRequest(request));
        return answer == null ? null : answer(answer);
    }

    /** CheckBulkPermissions (blocking); each pair echoes its request item. */
    CheckBulkPermissionsResponse checkBulk(String tenant, CheckBulkPermissionsRequest request) {
        Revision revision = checks.revision(tenant, consistency(request.hasConsistency(), request.getConsistency()));
        checks.requireBulkSize(request.getItemsCount());
        List<CheckRequest> requests = new ArrayList<>(request.getItemsCount());
        for (CheckBulkPermissionsRequestItem item : request.getItemsList()) {
            requests.add(checkRequest(item.hasResource(), item.getResource(), item.getPermission(), item.hasSubject(),
                    item.getSubject(), item.hasContext(), item.getContext()));
        }
        Checks.BulkAnswer answer = checks.checkBulk(tenant, revision, requests, request.getWithTracing());
        CheckBulkPermissionsResponse.Builder out = CheckBulkPermissionsResponse.newBuilder()
                .setCheckedAt(ZedToken.newBuilder().setToken(answer.checkedAt()));
        for (int i = 0; i < answer.results().size(); i++) {
            BulkCheckResult r = answer.results().get(i);
            CheckBulkPermissionsPair.Builder pair = CheckBulkPermissionsPair.newBuilder().setRequest(request.getItems(i));
            if (r.error() != null) {
                pair.setError(GrpcErrors.status(Errors.of(r.error())));
            } else {
                CheckBulkPermissionsResponseItem.Builder item = CheckBulkPermissionsResponseItem.newBuilder()
                        .setPermissionship(permissionship(r.result()));
                if (!r.result().missingContext().isEmpty()) {
                    item.setPartialCaveatInfo(partial(r.result()));
                }
                if (answer.traces() != null) {
                    item.setDebugTrace(answer.traces().get(i));
                }
                pair.setItem(item);
            }
            out.addPairs(pair);
        }
        return out.build();
    }

    private static CheckPermissionResponse answer(Checks.Answer answer) {
        CheckPermissionResponse.Builder out = CheckPermissionResponse.newBuilder()
                .setCheckedAt(ZedToken.newBuilder().setToken(answer.checkedAt()))
                .setPermissionship(permissionship(answer.result()));
        if (!answer.result().missingContext().isEmpty()) {
            out.setPartialCaveatInfo(partial(answer.result()));
        }
        if (answer.trace() != null) {
            out.setDebugTrace(answer.trace());
        }
        return out.build();
    }

    private static CheckPermissionResponse.Permissionship permissionship(CheckResult result) {
        return switch (result.permissionship()) {
            case HAS -> CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION;
            case NO -> CheckPermissionResponse.Permissionship.PERMISSIONSHIP_NO_PERMISSION;
            case CONDITIONAL -> CheckPermissionResponse.Permissionship.PERMISSIONSHIP_CONDITIONAL_PERMISSION;
        };
    }

    private static PartialCaveatInfo partial(CheckResult result) {
        return PartialCaveatInfo.newBuilder().addAllMissingRequiredContext(result.missingContext()).build();
    }

    // ---- requests, as Json reads the same fields of the gateway's JSON ----------------------------

    /** A message's consistency; {@code given} is whether the field is set. */
    static Consistency consistency(boolean given, com.authzed.api.v1.Consistency c) {
        if (!given) {
            return Consistency.MINIMIZE_LATENCY;
        }
        return switch (c.getRequirementCase()) {
            case FULLY_CONSISTENT -> c.getFullyConsistent() ? Consistency.FULLY_CONSISTENT : Consistency.MINIMIZE_LATENCY;
            case AT_LEAST_AS_FRESH -> new Consistency.AtLeastAsFresh(required(c.getAtLeastAsFresh().getToken(), "token"));
            case AT_EXACT_SNAPSHOT -> new Consistency.AtExactSnapshot(required(c.getAtExactSnapshot().getToken(), "token"));
            default -> Consistency.MINIMIZE_LATENCY;
        };
    }

    private static CheckRequest checkRequest(CheckPermissionRequest r) {
        return checkRequest(r.hasResource(), r.getResource(), r.getPermission(), r.hasSubject(), r.getSubject(),
                r.hasContext(), r.getContext());
    }

    private static CheckRequest checkRequest(boolean hasResource, ObjectReference resource, String permission,
            boolean hasSubject, SubjectReference subject, boolean hasContext, Struct context) {
        if (!hasResource) {
            throw Json.missingObjectRef("resource");
        }
        ObjectRef ref = objectRef(resource);
        String name = required(permission, "permission");
        if (!hasSubject) {
            throw Json.missingSubjectRef("subject");
        }
        if (!subject.hasObject()) {
            throw Json.missingSubjectObject("subject");
        }
        ObjectReference object = subject.getObject();
        String type = required(object.getObjectType(), "objectType");
        String id = required(object.getObjectId(), "objectId");
        String relation = subject.getOptionalRelation().isEmpty() ? null : subject.getOptionalRelation();
        return new CheckRequest(ref, name, new SubjectRef(type, id, relation),
                hasContext ? ProtoJson.map(context) : Map.of());
    }

    private static ObjectRef objectRef(ObjectReference ref) {
        return new ObjectRef(required(ref.getObjectType(), "objectType"), required(ref.getObjectId(), "objectId"));
    }

    private static String required(String value, String name) {
        if (value.isEmpty()) {
            throw Json.missing(name);
        }
        return value;
    }
}
