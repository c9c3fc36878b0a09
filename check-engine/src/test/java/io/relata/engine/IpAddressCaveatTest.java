package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.schema.CaveatDefinition;
import io.relata.schema.Schema;
import io.relata.schema.SchemaCompiler;
import java.security.Permission;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ipaddress} caveat parameters take IPv4 and IPv6 literals as SpiceDB reads them (Go's
 * {@code netip.ParseAddr}), and {@code in_cidr} networks as {@code netip.ParsePrefix}; any other
 * text is a bad context value, and is never looked up as a host name.
 */
class IpAddressCaveatTest {

    private static final Schema SCHEMA = SchemaCompiler.compile("""
            caveat ip_allowed(ip ipaddress, network string) {
                ip.in_cidr(network)
            }
            caveat same_address(first ipaddress, second ipaddress) {
                first == second
            }
            """).orThrow();
    private static final CaveatDefinition ALLOWED = SCHEMA.caveat("ip_allowed").orElseThrow();

    private final CaveatEvaluator evaluator = new CaveatEvaluator();

    @ParameterizedTest
    @ValueSource(strings = {"cafe", "dead.beef", "example.com", "localhost", "1.2.3", "127.1", "1", "256.1.1.1",
            "01.2.3.4", "1.2.3.4.5", "", " 10.0.0.1", "10.0.0.1 ", "[::1]", "1::2::3", "1:2:3:4:5:6:7:8:9",
            "::ffff:01.2.3.4", "\u0661.\u0662.\u0663.\u0664", "10.0.0.1%eth0", "fe80::1%"})
    void textThatIsNotAnAddressLiteral_isABadContextValue(String text) {
        String message = "caveat `ip_allowed`: parameter `ip` must be ipaddress, got \"" + text + "\": `" + text
                + "` is not an IP address";

        assertThatThrownBy(() -> evaluator.evaluate(ALLOWED, Map.of("ip", text, "network", "10.0.0.0/8"), Map.of()))
                .as("in a request's context")
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.reason()).isEqualTo(EngineException.Reason.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
        assertThatThrownBy(() -> CaveatContexts.check(ALLOWED, Map.of("ip", text)))
                .as("in a relationship's context, when it is written")
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.reason()).isEqualTo(EngineException.Reason.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    /**
     * Java resolves host names through {@code InetAddress}, which asks the security manager
     * {@code checkConnect(host, -1)} before each lookup; a recording one shows none is made.
     */
    @Test
    @SuppressWarnings("removal")
    void hostNames_areNeverLookedUp() {
        List<String> lookedUp = new CopyOnWriteArrayList<>();
        SecurityManager previous = System.getSecurityManager();
        try {
            System.setSecurityManager(new SecurityManager() {
                @Override
                public void checkPermission(Permission permission) {}

                @Override
                public void checkPermission(Permission permission, Object context) {}

                @Override
                public void checkConnect(String host, int port) {
                    if (port == -1) {
                        lookedUp.add(host);
                    }
                }
            });
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("this JVM does not allow installing a security manager");
        }
        try {
            for (String name : List.of("cafe", "dead.beef", "256.1.1.1", "face.b00c")) {
                assertThatThrownBy(() -> evaluator.evaluate(ALLOWED, Map.of("ip", name, "network", "10.0.0.0/8"),
                        Map.of())).isInstanceOf(EngineException.class);
                assertThatThrownBy(() -> evaluator.evaluate(ALLOWED, Map.of("ip", "10.0.0.1", "network", name + "/8"),
                        Map.of())).isInstanceOf(EngineException.class);
                assertThatThrownBy(() -> CaveatContexts.check(ALLOWED, Map.of("ip", name)))
                        .isInstanceOf(EngineException.class);
            }
        } finally {
            System.setSecurityManager(previous);
        }
        assertThat(lookedUp).as("host names looked up").isEmpty();
    }

    @ParameterizedTest(name = "{0} in {1}: {2}")
    @CsvSource({
            "10.0.0.1, 10.0.0.0/8, true",
            "10.0.0.1, 10.1.0.0/16, false",
            "10.0.0.1, 10.0.0.1/32, true",
            "10.0.0.1, 10.0.0.2/32, false",
            "10.0.0.1, 0.0.0.0/0, true",
            "10.255.0.1, 10.0.0.0/9, false",
            "::1, ::1/128, true",
            "::1, ::/0, true",
            "2001:db8::1, 2001:db8::/32, true",
            "2001:DB8::1, 2001:db8::/32, true",
            "2001:db8::1, 2001:db9::/32, false",
            "2001:db8::1, 10.0.0.0/8, false",
            "10.0.0.1, ::/0, false",
            // An IPv4-mapped IPv6 address stays an IPv6 address, as in SpiceDB.
            "::ffff:1.2.3.4, ::ffff:1.2.3.0/120, true",
            "::ffff:1.2.3.4, 1.2.3.0/24, false",
            "1.2.3.4, ::ffff:1.2.3.0/120, false",
            "::1.2.3.4, ::1.2.3.0/120, true",
            // An address with a zone is in no network.
            "fe80::1%eth0, fe80::/10, false",
            "fe80::1, fe80::/10, true"})
    void addressLiteral_isInTheNetworksThatHoldIt(String ip, String network, boolean inside) {
        Truth truth = evaluator.evaluate(ALLOWED, Map.of("ip", ip, "network", network), Map.of());

        assertThat(truth.isTrue()).as("%s in %s", ip, network).isEqualTo(inside);
        assertThat(truth.isFalse()).isEqualTo(!inside);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/08", "10.0.0.0/-1",
            "10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0/8", "cafe/8", "localhost/8", "fe80::%eth0/64", "/8"})
    void networkThatIsNotACidr_cannotBeEvaluated(String network) {
        assertThatThrownBy(() -> evaluator.evaluate(ALLOWED, Map.of("ip", "10.0.0.1", "network", network), Map.of()))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.reason()).isEqualTo(EngineException.Reason.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).startsWith("caveat `ip_allowed` could not be evaluated: ")
                            .contains("`" + network + "` is not a network such as \"10.0.0.0/8\"");
                });
    }

    @ParameterizedTest(name = "{0} == {1}: {2}")
    @CsvSource({
            "10.0.0.1, 10.0.0.1, true",
            "2001:db8::1, 2001:DB8:0::1, true",
            "10.0.0.1, 10.0.0.2, false",
            "::ffff:10.0.0.1, 10.0.0.1, false",
            "fe80::1%eth0, fe80::1, false"})
    void addresses_areEqualWhenTheyAreTheSameAddress(String first, String second, boolean equal) {
        Truth truth = evaluator.evaluate(SCHEMA.caveat("same_address").orElseThrow(),
                Map.of("first", first, "second", second), Map.of());

        assertThat(truth.isTrue()).isEqualTo(equal);
    }
}
