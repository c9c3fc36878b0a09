package io.relata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How an endpoint becomes the base URI: TLS unless told otherwise, an explicit scheme kept. */
class ConnectionTest {

    @Test
    void anEndpointWithoutScheme_isHttps_orHttpWhenInsecure() {
        assertThat(Connection.baseUri("relata.example.com:8443", false)).hasToString("https://relata.example.com:8443/");
        assertThat(Connection.baseUri("localhost:8443", true)).hasToString("http://localhost:8443/");
        assertThat(Connection.baseUri("http://localhost:8443", false)).hasToString("http://localhost:8443/");
        assertThat(Connection.baseUri("https://localhost:8443/", true)).hasToString("http://localhost:8443/");
    }

    @Test
    void somethingElse_isAUsageError() {
        assertThatThrownBy(() -> Connection.baseUri("grpc://host:1", false)).isInstanceOf(ClientException.class)
                .hasMessageContaining("is not an endpoint")
                .satisfies(e -> assertThat(((ClientException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
    }
}
