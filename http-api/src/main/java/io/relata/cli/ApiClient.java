package io.relata.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.Timer;
import java.util.TimerTask;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * A client of one Relata server's HTTP/JSON API (SpiceDB's v1 gateway shapes), plaintext or
 * TLS, authenticated with a bearer token. Every failure becomes a {@link ClientException}
 * carrying the server's message and an exit code of {@link ExitCodes}: the server's refusals
 * {@link ExitCodes#REFUSED}, unreachable or failing servers {@link ExitCodes#UNAVAILABLE}.
 */
public final class ApiClient {

    /** gRPC codes that say the server, not the request, failed: unknown, deadline, unavailable, internal. */
    private static final Set<Integer> SERVER_FAILURES = Set.of(2, 4, 13, 14);
    private static final Duration UNARY_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final String token;
    private final HttpClient http;

    ApiClient(URI base, String token, SSLContext tls) {
        this.base = base;
        this.token = token;
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
    }

    /** The server's address, as connected to. */
    public URI base() {
        return base;
    }

    /** POSTs {@code body} to {@code path} and gives the JSON answer. */
    public JsonObject call(String path, JsonObject body) {
        HttpResponse<String> response = send(request(path).timeout(UNARY_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw refusal(response.statusCode(), response.body());
        }
        return parse(response.body());
    }

    /** POSTs a body streamed from {@code body} (newline-delimited JSON) and gives the JSON answer. */
    public JsonObject upload(String path, Supplier<InputStream> body) {
        HttpResponse<String> response = send(request(path).POST(HttpRequest.BodyPublishers.ofInputStream(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw refusal(response.statusCode(), response.body());
        }
        return parse(response.body());
    }

    /**
     * POSTs {@code body} to a streaming endpoint and hands each line's {@code result} to
     * {@code onResult} as it arrives, until the stream ends, {@code onResult} answers false, or
     * {@code timeout} (null: none) passes.
     *
     * @return false when the timeout ended the stream
     * @throws ClientException for an error before or within the stream
     */
    public boolean stream(String path, JsonObject body, Predicate<JsonObject> onResult, Duration timeout) {
        HttpResponse<InputStream> response = send(request(path).POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        Timer timer = null;
        boolean[] timedOut = {false};
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw refusal(response.statusCode(), new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8));
            }
            if (timeout != null) {
                timer = new Timer("relata-stream-timeout", true);
                timer.schedule(new TimerTask() {
                    @Override
                    public void run() {
                        timedOut[0] = true;
                        try {
                            in.close();
                        } catch (IOException ignored) {
                            // closing is all there is to do
                        }
                    }
                }, Math.max(1, timeout.toMillis()));
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject message = parse(line);
                if (message.containsKey("error")) {
                    throw refusal(0, message.getJsonObject("error").encode());
                }
                if (!onResult.test(message.getJsonObject("result", new JsonObject()))) {
                    return true;
                }
            }
            return true;
        } catch (IOException e) {
            if (timedOut[0]) {
                return false;
            }
            throw new ClientException(ExitCodes.UNAVAILABLE, "the stream from " + base + " broke: " + e.getMessage());
        } finally {
            if (timer != null) {
                timer.cancel();
            }
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).header("content-type", "application/json")
                .header("authorization", "Bearer " + token).header("user-agent", "relata-cli");
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (HttpTimeoutException e) {
            throw new ClientException(ExitCodes.UNAVAILABLE, base + " did not answer in time");
        } catch (ConnectException e) {
            throw new ClientException(ExitCodes.UNAVAILABLE, "cannot connect to " + base + (e.getMessage() == null ? ""
                    : ": " + e.getMessage()) + " (is the server running, and is the endpoint right?)");
        } catch (SSLException e) {
            throw new ClientException(ExitCodes.UNAVAILABLE, "TLS with " + base + " failed: " + e.getMessage()
                    + " (plaintext server: use --insecure or an http:// endpoint; own CA: --ca-cert FILE)");
        } catch (IOException e) {
            throw new ClientException(ExitCodes.UNAVAILABLE, "cannot talk to " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException(ExitCodes.UNAVAILABLE, "interrupted");
        }
    }

    private JsonObject parse(String text) {
        try {
            return new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            throw new ClientException(ExitCodes.UNAVAILABLE, base + " answered something that is not the API's JSON: "
                    + abbreviated(text));
        }
    }

    /** The server's error body ({@code {"code", "message", "details"}}) as a ClientException. */
    private ClientException refusal(int status, String body) {
        JsonObject error;
        try {
            error = new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            return new ClientException(ExitCodes.UNAVAILABLE, base + " answered HTTP " + status + ": " + abbreviated(body));
        }
        int code = error.getInteger("code", status == 401 ? 16 : 2);
        String message = error.getString("message", "HTTP " + status);
        String reason = null;
        JsonArray details = error.getJsonArray("details", new JsonArray());
        for (int i = 0; i < details.size(); i++) {
            if (details.getValue(i) instanceof JsonObject d && d.getString("reason") != null) {
                reason = d.getString("reason");
            }
        }
        String text = message + " (" + codeName(code) + (reason == null ? "" : ", " + reason) + ")";
        if (code == 16) {
            text += "; is the token right?";
        }
        return new ClientException(SERVER_FAILURES.contains(code) ? ExitCodes.UNAVAILABLE : ExitCodes.REFUSED, text);
    }

    private static String codeName(int code) {
        String[] names = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
            "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
            "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
        return code >= 0 && code < names.length ? names[code] : "code " + code;
    }

    private static String abbreviated(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "... (" + text.length() + " characters)";
    }
}
