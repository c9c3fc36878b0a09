package io.relata.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;

/**
 * Where a client command connects: the current context (or {@code --context}), with any of
 * its parts overridden by {@code --endpoint}, {@code --token}, {@code --insecure} and
 * {@code --ca-cert} or their {@code RELATA_*} variables. Without a context, endpoint and
 * token must both be given.
 */
public final class Connection {

    @Option(names = "--context", defaultValue = "${env:RELATA_CONTEXT}",
            description = "The saved context to use (default: the current one; RELATA_CONTEXT).")
    String context;

    @Option(names = "--endpoint", defaultValue = "${env:RELATA_ENDPOINT}",
            description = "The server's HTTP API, e.g. https://relata.example.com:8443 or localhost:8443"
                    + " (RELATA_ENDPOINT).")
    String endpoint;

    @Option(names = "--token", defaultValue = "${env:RELATA_TOKEN}",
            description = "The bearer token (API key) (RELATA_TOKEN).")
    String token;

    @Option(names = "--insecure", arity = "0..1", fallbackValue = "true", defaultValue = "${env:RELATA_INSECURE}",
            description = "Plaintext HTTP instead of TLS (RELATA_INSECURE).")
    Boolean insecure;

    @Option(names = "--ca-cert", defaultValue = "${env:RELATA_CA_CERT}",
            description = "PEM file of the CA certificate(s) to trust for the server's TLS certificate"
                    + " (RELATA_CA_CERT; default: the system's).")
    Path caCert;

    /**
     * A client for the resolved endpoint and token.
     *
     * @throws ClientException (usage) when no endpoint or token can be found, or the CA file is unusable
     */
    public ApiClient client() {
        Contexts contexts = Contexts.fromEnvironment();
        String name = context != null ? context : contexts.current();
        Contexts.Context saved = name == null ? null : contexts.all().get(name);
        if (context != null && saved == null) {
            throw ClientException.usage("no context `" + context + "`; `relata context list` shows them");
        }
        String endpoint = this.endpoint != null ? this.endpoint : saved == null ? null : saved.endpoint();
        String token = this.token != null ? this.token : saved == null ? null : saved.token();
        if (endpoint == null || token == null) {
            throw ClientException.usage("no server to talk to: run `relata context set NAME ENDPOINT TOKEN` first, or"
                    + " give --endpoint and --token (RELATA_ENDPOINT, RELATA_TOKEN)");
        }
        boolean plaintext = insecure != null ? insecure : saved != null && saved.insecure();
        Path ca = caCert != null ? caCert : saved == null || saved.caCert() == null ? null : Path.of(saved.caCert());
        return new ApiClient(baseUri(endpoint, plaintext), token, ca == null ? null : trusting(ca));
    }

    /**
     * The endpoint as a base URI: kept when it names its scheme, else {@code https://} (or
     * {@code http://} when plaintext) is put before it.
     *
     * @throws ClientException (usage) when it is not an address
     */
    static URI baseUri(String endpoint, boolean plaintext) {
        String text = endpoint.strip();
        if (!text.contains("://")) {
            text = (plaintext ? "http://" : "https://") + text;
        } else if (plaintext && text.startsWith("https://")) {
            text = "http://" + text.substring("https://".length());
        }
        try {
            URI uri = URI.create(text.endsWith("/") ? text : text + "/");
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw ClientException.usage("`" + endpoint + "` is not an endpoint; write it as host:port or"
                    + " https://host:port");
        }
    }

    /** A TLS context that trusts the PEM certificates of {@code file} (and only them). */
    static SSLContext trusting(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw ClientException.usage(file + " holds no PEM certificate (--ca-cert)");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return tls;
        } catch (IOException | GeneralSecurityException e) {
            throw ClientException.usage("cannot use " + file + " as a CA certificate (--ca-cert): " + e.getMessage());
        }
    }
}
