package io.relata.server;

import static io.relata.server.Requests.touch;
import static io.relata.server.Requests.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.relata.server.TestServer.Reply;
import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonObject;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-token mode of {@link Authenticator} (what {@code relata serve-testing} serves), over
 * HTTP, on every store (each store's test extends this class): every distinct bearer token gets
 * an empty tenant of its own, named by the token's hash, and finds it again; no token is refused;
 * the number of tenants is bounded.
 */
abstract class PerTokenTenantsContract {

    /** A started server in the per-token mode holding at most {@code maxTenants} tenants. */
    protected abstract TestServer start(int maxTenants) throws Exception;

    /** The store of the server {@link #start} last started. */
    protected abstract TupleStore store();

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static final String SCHEMA = """
            definition user {}

            definition doc {
            \trelation viewer: user
            \tpermission view = viewer
            }
            """;

    private static String token() {
        return "suite-" + UUID.randomUUID();
    }

    private static String checkAlice() {
        return Requests.check("{\"fullyConsistent\":true}", "doc", "readme", "view", "user", "alice");
    }

    @Test
    void twoTokens_getIsolatedTenants_andTheSameTokenFindsItsDataAgain() throws Exception {
        server = start(100);
        String a = token();
        String b = token();

        Reply schema = server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), a);
        assertThat(schema.status()).as(schema.body()).isEqualTo(200);
        Reply written = server.post("/v1/relationships/write", write(touch("doc", "readme", "viewer", "user", "alice")),
                a);
        assertThat(written.status()).as(written.body()).isEqualTo(200);

        Reply otherSchema = server.post("/v1/schema/read", "{}", b);
        assertThat(otherSchema.status()).as("a fresh tenant has no schema: " + otherSchema.body()).isEqualTo(404);
        assertThat(server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), b).status())
                .isEqualTo(200);
        Reply otherRead = server.post("/v1/relationships/read", "{\"consistency\":{\"fullyConsistent\":true},"
                + "\"relationshipFilter\":{\"resourceType\":\"doc\"}}", b);
        assertThat(otherRead.status()).isEqualTo(200);
        assertThat(otherRead.lines()).as("b sees none of a's relationships").isEmpty();
        assertThat(server.post("/v1/permissions/check", checkAlice(), b).json().getString("permissionship"))
                .isEqualTo("PERMISSIONSHIP_NO_PERMISSION");

        assertThat(server.post("/v1/schema/read", "{}", a).json().getString("schemaText")).isEqualTo(SCHEMA);
        Reply ownRead = server.post("/v1/relationships/read", "{\"consistency\":{\"fullyConsistent\":true},"
                + "\"relationshipFilter\":{\"resourceType\":\"doc\"}}", a);
        assertThat(ownRead.lines()).hasSize(1);
        assertThat(ownRead.lines().get(0).getJsonObject("result").getJsonObject("relationship")
                .getJsonObject("subject").getJsonObject("object").getString("objectId")).isEqualTo("alice");
        assertThat(server.post("/v1/permissions/check", checkAlice(), a).json().getString("permissionship"))
                .isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
    }

    @Test
    void tenantsAreNamedByTheTokensHash_neverTheToken() throws Exception {
        server = start(100);
        String a = token();

        assertThat(server.post("/v1/schema/read", "{}", a).status()).isEqualTo(404);

        String expected = "token-" + HexFormat.of().formatHex(ApiKeys.hash(a));
        assertThat(store().tenantExists(expected)).isTrue();
        assertThat(store().tenantExists(a)).isFalse();
    }

    @Test
    void noToken_orABlankOne_isRefused() throws Exception {
        server = start(100);

        Reply missing = server.post("/v1/schema/read", "{}", null);
        Reply blank = server.post("/v1/schema/read", "{}", "   ");

        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().getString("message")).isEqualTo("Unauthenticated");
        assertThat(blank.status()).isEqualTo(401);
    }

    @Test
    void beyondTheMostTenants_aNewTokenIsRefusedClearly_andKnownTokensStillWork() throws Exception {
        server = start(2);
        String first = token();
        String second = token();
        String third = token();
        assertThat(server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), first).status())
                .isEqualTo(200);
        assertThat(server.post("/v1/schema/read", "{}", second).status()).isEqualTo(404);

        Reply refused = server.post("/v1/schema/read", "{}", third);

        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.json().getInteger("code")).isEqualTo(8);
        assertThat(refused.json().getString("message")).contains("most tenants, 2").contains("--max-tenants");
        assertThat(store().tenantExists("token-" + HexFormat.of().formatHex(ApiKeys.hash(third)))).isFalse();
        assertThat(server.post("/v1/schema/read", "{}", first).json().getString("schemaText")).isEqualTo(SCHEMA);
        assertThat(server.post("/v1/schema/read", "{}", second).status()).isEqualTo(404);
    }
}
