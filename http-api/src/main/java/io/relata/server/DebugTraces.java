package io.relata.server;

import com.authzed.api.v1.CaveatEvalInfo;
import com.authzed.api.v1.CheckDebugTrace;
import com.authzed.api.v1.DebugInformation;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PartialCaveatInfo;
import com.authzed.api.v1.SubjectReference;
import com.google.protobuf.Duration;
import io.relata.engine.CheckTrace;
import io.relata.schema.Schema;

/**
 * A traced check ({@link io.relata.engine.CheckTrace}) as SpiceDB's {@code DebugInformation}:
 * the tree of sub-problems ({@code CheckDebugTrace}: resource, permission and whether it is a
 * relation or a permission, subject, result, duration, and either {@code subProblems} or
 * {@code wasCachedResult}) and the schema used. Both transports send this one message: gRPC as
 * the response's {@code debug_trace}, HTTP as its JSON ({@link ProtoJson}).
 *
 * <p>As SpiceDB does, a CONDITIONAL sub-problem that rests on a caveat carries
 * {@code caveatEvaluationInfo} with the caveat's name and expression and the missing parameters;
 * {@code source} is {@code relata}; {@code traceOperationId} is left empty.
 */
final class DebugTraces {

    private DebugTraces() {}

    /** The debug information of a traced check against {@code schema} (whose text is {@code schemaText}). */
    static DebugInformation of(CheckTrace trace, Schema schema, String schemaText) {
        return DebugInformation.newBuilder().setCheck(trace(trace, schema)).setSchemaUsed(schemaText.strip()).build();
    }

    private static CheckDebugTrace trace(CheckTrace t, Schema schema) {
        CheckDebugTrace.Builder out = CheckDebugTrace.newBuilder()
                .setResource(ObjectReference.newBuilder().setObjectType(t.resource().type())
                        .setObjectId(t.resource().id()))
                .setPermission(t.relation())
                .setPermissionType(t.permission() ? CheckDebugTrace.PermissionType.PERMISSION_TYPE_PERMISSION
                        : CheckDebugTrace.PermissionType.PERMISSION_TYPE_RELATION)
                .setSubject(SubjectReference.newBuilder().setObject(ObjectReference.newBuilder()
                        .setObjectType(t.subject().type()).setObjectId(t.subject().id()))
                        .setOptionalRelation(t.subject().relationOrEmpty()))
                .setResult(switch (t.result().permissionship()) {
                    case HAS -> CheckDebugTrace.Permissionship.PERMISSIONSHIP_HAS_PERMISSION;
                    case NO -> CheckDebugTrace.Permissionship.PERMISSIONSHIP_NO_PERMISSION;
                    case CONDITIONAL -> CheckDebugTrace.Permissionship.PERMISSIONSHIP_CONDITIONAL_PERMISSION;
                })
                .setDuration(Duration.newBuilder().setSeconds(t.durationNanos() / 1_000_000_000)
                        .setNanos((int) (t.durationNanos() % 1_000_000_000)))
                .setSource("relata");
        if (t.caveat() != null && !t.result().missingContext().isEmpty()) {
            CaveatEvalInfo.Builder caveat = CaveatEvalInfo.newBuilder().setCaveatName(t.caveat())
                    .setResult(CaveatEvalInfo.Result.RESULT_MISSING_SOME_CONTEXT)
                    .setPartialCaveatInfo(PartialCaveatInfo.newBuilder()
                            .addAllMissingRequiredContext(t.result().missingContext()));
            schema.caveat(t.caveat()).ifPresent(c -> caveat.setExpression(c.expression()));
            out.setCaveatEvaluationInfo(caveat);
        }
        if (t.subProblems().isEmpty()) {
            out.setWasCachedResult(t.cached());
        } else {
            CheckDebugTrace.SubProblems.Builder subs = CheckDebugTrace.SubProblems.newBuilder();
            t.subProblems().forEach(s -> subs.addTraces(trace(s, schema)));
            out.setSubProblems(subs);
        }
        return out.build();
    }
}
