package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input gets a clear, bounded error at the service layer: schemas too large, echoed values
 * cut short, unknown consistency fields and garbage lookup cursors refused, NUL characters
 * refused before any store sees them; an empty write writes nothing; a malformed chunked body
 * is a 400 and one log line.
 */
class RequestBoundsTest {

    private static final String KEY = "bounds-key";
    private static final String TENANT = "bounds";

    private static MemoryTupleStore store;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        store = new MemoryTupleStore();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, TENANT), "bounds-secret-0123456789",
                Duration.ZERO, 4 * 1024 * 1024, 10, EngineOptions.DEFAULTS, null), store, new MemoryApiKeys(store));
        Reply schema = post("/v1/schema/write", new JsonObject().put("schema", """
                caveat nothing(flag bool) {
                    flag
                }
                definition user {}
                definition doc {
                    relation viewer: user | user with nothing
                }
                """));
        assertThat(schema.status()).as(schema.body()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
        store.close();
    }

    private static Reply post(String path, JsonObject body) throws Exception {
        return server.post(path, body.encode(), KEY);
    }

    private static JsonObject check(String resourceId) {
        return new JsonObject().put("resource", new JsonObject().put("objectType", "doc").put("objectId", resourceId))
                .put("permission", "viewer").put("subject", new JsonObject().put("object",
                        new JsonObject().put("objectType", "user").put("objectId", "ann")));
    }

    private static JsonObject touch(String id, JsonObject caveat) {
        JsonObject relationship = new JsonObject()
                .put("resource", new JsonObject().put("objectType", "doc").put("objectId", id)).put("relation", "viewer")
                .put("subject", new JsonObject().put("object", new JsonObject().put("objectType", "user")
                        .put("objectId", "ann")));
        if (caveat != null) {
            relationship.put("optionalCaveat", caveat);
        }
        return new JsonObject().put("updates", new JsonArray().add(new JsonObject().put("operation", "OPERATION_TOUCH")
                .put("relationship", relationship)));
    }

    @Test
    void aSchemaOverOneMebibyte_isRefusedBeforeCompiling() throws Exception {
        String schema = "definition user {}\n// " + "x".repeat(Api.MAX_SCHEMA_BYTES) + "\n";

        Reply r = post("/v1/schema/write", new JsonObject().put("schema", schema));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().getInteger("code")).isEqualTo(3);
        assertThat(r.json().getString("message")).isEqualTo("the schema is " + schema.length() + " bytes; at most "
                + Api.MAX_SCHEMA_BYTES + " are accepted");
    }

    @Test
    void aHundredKilobyteId_givesAnErrorThatRepeatsOnlyItsStart() throws Exception {
        String id = "!".repeat(100_000);

        Reply r = post("/v1/permissions/check", check(id));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().length()).isLessThan(1_000);
        assertThat(r.json().getString("message")).contains("`" + "!".repeat(100) + "…` (100000 characters)");
    }

    @Test
    void anUnknownConsistencyField_isInvalidArgument() throws Exception {
        Reply r = post("/v1/permissions/check", check("d1").put("consistency",
                new JsonObject().put("fullyConsistnet", true)));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().getInteger("code")).isEqualTo(3);
        assertThat(r.json().getString("message")).startsWith("`consistency` has no field `fullyConsistnet`");
    }

    @Test
    void aGarbageLookupCursor_isInvalidCursor() throws Exception {
        Reply r = post("/v1/permissions/resources", new JsonObject().put("resourceObjectType", "doc")
                .put("permission", "viewer").put("subject", new JsonObject().put("object",
                        new JsonObject().put("objectType", "user").put("objectId", "ann")))
                .put("optionalCursor", new JsonObject().put("token", "not a cursor!")));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().getInteger("code")).isEqualTo(3);
        assertThat(r.json().getJsonArray("details").getJsonObject(0).getString("reason"))
                .isEqualTo("ERROR_REASON_INVALID_CURSOR");
    }

    @Test
    void anEmptyWrite_writesNothing_andAnswersTheCurrentRevision() throws Exception {
        assertThat(post("/v1/relationships/write", touch("d1", null)).status()).isEqualTo(200);
        var before = store.headRevision(TENANT);

        Reply r = post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(store.headRevision(TENANT)).isEqualTo(before);
        JsonObject read = post("/v1/permissions/check", check("d1").put("consistency", new JsonObject()
                .put("atExactSnapshot", r.json().getJsonObject("writtenAt")))).json();
        assertThat(read.getString("permissionship")).isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
    }

    @Test
    void aNulInTransactionMetadata_isRefused() throws Exception {
        Reply r = post("/v1/relationships/write", touch("d2", null).put("optionalTransactionMetadata",
                new JsonObject().put("note", "a\u0000b")));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().getString("message"))
                .isEqualTo("the transaction metadata contains the NUL character (U+0000) at `note`, which cannot be stored");
    }

    @Test
    void aNulInACaveatContext_isRefused() throws Exception {
        Reply r = post("/v1/relationships/write", touch("d3", new JsonObject().put("caveatName", "nothing")
                .put("context", new JsonObject().put("flag", true).put("extra", "\u0000"))));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().getString("message")).contains("contains the NUL character (U+0000) at `extra`");
    }

    @Test
    void aMalformedChunkedBody_isA400_loggedOnOneLine() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String reply;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(server.base().replaceAll(".*:", "")))) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/permissions/check HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz-not-a-size\r\n{}\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder got = new StringBuilder();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    got.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    if (got.indexOf("\r\n\r\n") >= 0 && got.indexOf("}") > 0) {
                        break;
                    }
                }
            } catch (java.net.SocketException reset) {
                // closed after answering
            }
            reply = got.toString();
            Thread.sleep(200); // let the log line be written
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);

        assertThat(reply).as(log).startsWith("HTTP/1.1 400");
        assertThat(log).doesNotContain("\tat ").doesNotContain("Exception in");
        assertThat(log.lines().filter(l -> !l.isBlank()).count()).as(log).isLessThanOrEqualTo(1);
    }
}
