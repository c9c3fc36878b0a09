package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * TLS on the HTTP listener: a self-signed certificate made here (keytool, then PEM), the server
 * started with it through the command's options, a client that trusts it, and the errors of
 * TLS options that do not hold.
 */
class TlsTest {

    @TempDir
    static Path dir;

    private static Path cert;
    private static Path key;
    private static Certificate certificate;

    /** A self-signed certificate for 127.0.0.1 and localhost, as PEM files. */
    @BeforeAll
    static void selfSigned() throws Exception {
        Path store = dir.resolve("self.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "relata", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        certificate = keys.getCertificate("relata");
        PrivateKey privateKey = (PrivateKey) keys.getKey("relata", "changeit".toCharArray());
        cert = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
        key = Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", privateKey.getEncoded()));
    }

    private static String pem(String kind, byte[] der) {
        return "-----BEGIN " + kind + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + kind + "-----\n";
    }

    /** A client trusting only the certificate made here. */
    private static HttpClient trusting() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("relata", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static ServeTesting.Running serveTesting(PrintStream out, String... tls) throws Exception {
        ServeTesting command = new ServeTesting();
        String[] args = new String[6 + tls.length];
        args[0] = "--http-port";
        args[1] = "0";
        args[2] = "--host";
        args[3] = "127.0.0.1";
        args[4] = "--grpc-port";
        args[5] = "0";
        System.arraycopy(tls, 0, args, 6, tls.length);
        new CommandLine(command).parseArgs(args);
        return command.start(out);
    }

    private static HttpResponse<String> post(HttpClient client, String url, String token) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withACertificateAndKey_theApiAnswersOverHttps_andPlaintextFails() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ServeTesting.Running running = serveTesting(new PrintStream(out, true, StandardCharsets.UTF_8),
                "--tls-cert-path", cert.toString(), "--tls-key-path", key.toString());
        try {
            int port = running.httpPort();
            HttpResponse<String> secure = post(trusting(), "https://127.0.0.1:" + port + "/v1/schema/read", "tls-suite");

            assertThat(secure.statusCode()).as(secure.body()).isEqualTo(404); // authenticated, no schema yet
            assertThat(secure.body()).contains("schema");
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("https://127.0.0.1:" + port);
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> post(plain, "http://127.0.0.1:" + port + "/v1/schema/read", "tls-suite"))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> post(HttpClient.newHttpClient(), "https://127.0.0.1:" + port + "/healthz", "x"))
                    .as("a client that does not trust the certificate").isInstanceOf(IOException.class);
        } finally {
            running.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void withACertificateAndKey_theGrpcApiAnswersOverTls_toTheOfficialClient_andPlaintextFails() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ServeTesting.Running running = serveTesting(new PrintStream(out, true, StandardCharsets.UTF_8),
                "--tls-cert-path", cert.toString(), "--tls-key-path", key.toString());
        io.grpc.ManagedChannel secure = io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", running.server().grpcPort(),
                io.grpc.TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build()).build();
        io.grpc.ManagedChannel plain = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1",
                running.server().grpcPort()).usePlaintext().build();
        try {
            com.authzed.api.v1.WriteSchemaResponse written = com.authzed.api.v1.SchemaServiceGrpc.newBlockingStub(secure)
                    .withCallCredentials(new com.authzed.grpcutil.BearerToken("tls-grpc"))
                    .withDeadline(io.grpc.Deadline.after(20, TimeUnit.SECONDS))
                    .writeSchema(com.authzed.api.v1.WriteSchemaRequest.newBuilder().setSchema("definition user {}").build());
            assertThat(written.getWrittenAt().getToken()).isNotEmpty();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("with TLS");
            assertThatThrownBy(() -> com.authzed.api.v1.SchemaServiceGrpc.newBlockingStub(plain)
                    .withCallCredentials(new com.authzed.grpcutil.BearerToken("tls-grpc"))
                    .withDeadline(io.grpc.Deadline.after(5, TimeUnit.SECONDS))
                    .readSchema(com.authzed.api.v1.ReadSchemaRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isIn(io.grpc.Status.Code.UNAVAILABLE, io.grpc.Status.Code.INTERNAL,
                                    io.grpc.Status.Code.DEADLINE_EXCEEDED));
        } finally {
            secure.shutdownNow();
            plain.shutdownNow();
            running.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void theClientCommands_trustTheServerThroughCaCert_andRefuseItWithout() throws Exception {
        ServeTesting.Running running = serveTesting(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), "--tls-cert-path", cert.toString(), "--tls-key-path", key.toString());
        System.setProperty("relata.config.dir", dir.resolve("client-config").toString());
        try {
            String endpoint = "localhost:" + running.httpPort(); // https: no scheme and no --insecure
            Path schema = Files.writeString(dir.resolve("tls.zed"), "definition user {}\n");
            Cli.Run set = Cli.run("context", "set", "tls", endpoint, "tls-client", "--ca-cert", cert.toString());
            Cli.Run written = Cli.run("schema", "write", schema.toString());
            Cli.Run read = Cli.run("schema", "read");
            Cli.Run untrusted = Cli.run("schema", "read", "--endpoint", endpoint, "--token", "tls-client",
                    "--ca-cert", dir.resolve("self.p12").toString());
            Cli.run("context", "set", "system-trust", endpoint, "tls-client");
            Cli.Run systemTrust = Cli.run("schema", "read");

            assertThat(set.status()).as(set.err()).isZero();
            assertThat(written.status()).as(written.err()).isZero();
            assertThat(read.out()).isEqualTo("definition user {}\n");
            assertThat(untrusted.status()).as("not a PEM certificate").isEqualTo(io.relata.cli.ExitCodes.USAGE);
            assertThat(systemTrust.status()).isEqualTo(io.relata.cli.ExitCodes.UNAVAILABLE);
            assertThat(systemTrust.err()).contains("TLS with https://localhost:" + running.httpPort());
        } finally {
            System.clearProperty("relata.config.dir");
            running.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void withoutTlsOptions_theListenerIsPlaintext() throws Exception {
        ServeTesting.Running running = serveTesting(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        try {
            HttpResponse<String> plain = post(HttpClient.newHttpClient(),
                    "http://127.0.0.1:" + running.httpPort() + "/v1/schema/read", "plain-suite");
            assertThat(plain.statusCode()).isEqualTo(404);
        } finally {
            running.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void onlyOnePath_isAClearErrorAtStart_onServeAndServeTesting() {
        Cli.Run serveCert = Cli.run("serve", "--preshared-key", "k", "--port", "0", "--tls-cert-path", cert.toString());
        Cli.Run testingKey = Cli.run("serve-testing", "--http-port", "0", "--tls-key-path", key.toString());

        assertThat(serveCert.status()).isEqualTo(2);
        assertThat(serveCert.err()).contains("TLS needs both --tls-cert-path and --tls-key-path")
                .contains("only --tls-cert-path was given");
        assertThat(testingKey.status()).isEqualTo(2);
        assertThat(testingKey.err()).contains("only --tls-key-path was given");
        assertThat(serveCert.out() + testingKey.out()).doesNotContain("serving");
    }

    @Test
    void aFileThatCannotBeRead_orIsNotPem_isAClearErrorAtStart() throws Exception {
        Path missing = dir.resolve("missing.pem");
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");

        Cli.Run absent = Cli.run("serve-testing", "--http-port", "0", "--tls-cert-path", missing.toString(),
                "--tls-key-path", key.toString());
        Cli.Run wrongKind = Cli.run("serve", "--preshared-key", "k", "--port", "0", "--tls-cert-path", cert.toString(),
                "--tls-key-path", notPem.toString());
        Cli.Run swapped = Cli.run("serve-testing", "--http-port", "0", "--tls-cert-path", key.toString(),
                "--tls-key-path", cert.toString());

        assertThat(absent.status()).isEqualTo(2);
        assertThat(absent.err()).contains("--tls-cert-path " + missing + " cannot be read (no such file)");
        assertThat(wrongKind.status()).isEqualTo(2);
        assertThat(wrongKind.err()).contains("--tls-key-path " + notPem + " is not a PEM file holding a private key");
        assertThat(swapped.err()).contains("is not a PEM file holding a certificate");
    }

    @Test
    void bothPaths_landInTheServerConfig_forEveryListener() {
        ServeTesting command = new ServeTesting();
        new CommandLine(command).parseArgs("--tls-cert-path", cert.toString(), "--tls-key-path", key.toString());

        ServerConfig config = command.listener.applyTo(new ServerConfig("127.0.0.1", 0, java.util.Map.of(),
                "listener-secret-0123456789", Duration.ZERO, 1024, 10, io.relata.engine.EngineOptions.DEFAULTS, null));

        assertThat(config.tls()).isTrue();
        assertThat(config.tlsCertPath()).isEqualTo(cert);
        assertThat(config.tlsKeyPath()).isEqualTo(key);
        assertThatThrownBy(() -> config.withTls(cert, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the private key is missing");
    }

    @Test
    void aPemFileVertxCannotUse_failsTheStartWithItsReason() throws Exception {
        Path garbled = Files.writeString(dir.resolve("garbled.pem"),
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

        assertThatThrownBy(() -> serveTesting(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                "--tls-cert-path", garbled.toString(), "--tls-key-path", key.toString()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("relata: cannot start the HTTP listener on 127.0.0.1:0: ")
                .hasMessageContaining(garbled + " a PEM certificate chain");
    }
}
