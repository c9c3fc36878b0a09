package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineException;
import io.relata.schema.SchemaCompiler;
import io.relata.schema.SchemaException;
import io.relata.store.ConflictException;
import io.relata.store.ErrorInfo;
import io.relata.store.ErrorReason;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** How {@link Errors} renders a status, with and without SpiceDB's ErrorInfo detail. */
class ErrorsTest {

    @Test
    void aStatusWithAReason_rendersOneErrorInfoDetail() {
        Errors.Status s = Errors.of(new ApiException(3, "bad cursor", ErrorInfo.of(ErrorReason.INVALID_CURSOR,
                "reason", "did not parse")));

        assertThat(s.code()).isEqualTo(3);
        assertThat(s.http()).isEqualTo(400);
        assertThat(s.reason()).isEqualTo("ERROR_REASON_INVALID_CURSOR");
        assertThat(s.metadata()).containsExactlyEntriesOf(Map.of("reason", "did not parse"));
        assertThat(s.json()).isEqualTo(new JsonObject("""
                {"code": 3, "message": "bad cursor", "details": [{
                  "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                  "reason": "ERROR_REASON_INVALID_CURSOR",
                  "domain": "authzed.com",
                  "metadata": {"reason": "did not parse"}}]}
                """));
    }

    @Test
    void aStatusWithoutAReason_hasNoDetails_andNoMetadata() {
        Errors.Status s = Errors.of(ApiException.invalid("`resource` is required"));

        assertThat(s.reason()).isNull();
        assertThat(s.metadata()).isEmpty();
        assertThat(s.json().getJsonArray("details")).isEmpty();
    }

    @Test
    void metadataValues_areBoundedInLength_andNullValuesLeftOut() {
        ErrorInfo info = ErrorInfo.of(ErrorReason.SCHEMA_PARSE_ERROR, "source_code", "x".repeat(10_000),
                "start_line_number", null);

        assertThat(info.metadata()).containsOnlyKeys("source_code");
        assertThat(info.metadata().get("source_code")).hasSize(ErrorInfo.MAX_VALUE_LENGTH).endsWith("…");
    }

    @Test
    void metadata_isBoundedInEntries() {
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            many.put("k" + i, "v");
        }

        assertThat(new ErrorInfo(ErrorReason.UNSPECIFIED, many).metadata()).hasSize(ErrorInfo.MAX_ENTRIES);
    }

    @Test
    void engineErrors_keepTheirReasonThroughACompletionException_andDepthIsResourceExhausted() {
        EngineException deep = new EngineException(EngineException.Reason.DEPTH_EXCEEDED, "too deep",
                ErrorInfo.of(ErrorReason.MAXIMUM_DEPTH_EXCEEDED, "maximum_depth_allowed", "50"));

        Errors.Status s = Errors.of(new CompletionException(deep));

        assertThat(s.code()).isEqualTo(8);
        assertThat(s.http()).isEqualTo(429);
        assertThat(s.reason()).isEqualTo("ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED");
        assertThat(s.metadata()).containsEntry("maximum_depth_allowed", "50");
    }

    @Test
    void storeConflicts_areAbortedSerializationFailures() {
        Errors.Status s = Errors.of(new ConflictException("the write collided with another; retry it"));

        assertThat(s.code()).isEqualTo(10);
        assertThat(s.http()).isEqualTo(409);
        assertThat(s.reason()).isEqualTo("ERROR_REASON_SERIALIZATION_FAILURE");
    }

    @Test
    void aSchemaException_isASchemaParseError_atItsFirstError() {
        SchemaException e = new SchemaException(SchemaCompiler.compile("definition user {}\ndefinition doc {\n"
                + "  relation viewer: usr\n}").errors());

        Errors.Status s = Errors.of(e);

        assertThat(s.code()).isEqualTo(3);
        assertThat(s.reason()).isEqualTo("ERROR_REASON_SCHEMA_PARSE_ERROR");
        assertThat(s.metadata()).containsEntry("start_line_number", "2").containsEntry("start_column_position", "19")
                .containsEntry("source_code", "usr");
    }

    @Test
    void unexpectedErrors_areInternal_withoutDetails() {
        Errors.Status s = Errors.of(new IllegalStateException("secret internals"));

        assertThat(s.code()).isEqualTo(13);
        assertThat(s.message()).isEqualTo("internal error");
        assertThat(s.json().getJsonArray("details")).isEmpty();
    }
}
