package io.relata.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The playground's three static files ({@code /playground}, {@code /playground/app.js},
 * {@code /playground/style.css}), from the jar's {@code playground/} resources, read once and
 * answered from memory on the event loop. The page calls only the public HTTP API
 * ({@code /relata/v1/schema/validate} and {@code /relata/v1/validation/run}, which write
 * nothing) with the token its user gives. The three files are named one by one rather than
 * through Vert.x's {@code StaticHandler}, which would first look for a {@code playground}
 * directory in the server's working directory and serve whatever it found there.
 */
final class PlaygroundPages {

    private PlaygroundPages() {}

    /** Path to resource and content type. */
    private static final Map<String, String[]> FILES = Map.of(
            "/playground", new String[] {"playground/index.html", "text/html; charset=utf-8"},
            "/playground/", new String[] {"playground/index.html", "text/html; charset=utf-8"},
            "/playground/app.js", new String[] {"playground/app.js", "text/javascript; charset=utf-8"},
            "/playground/style.css", new String[] {"playground/style.css", "text/css; charset=utf-8"});

    /** The page may load only its own script and style, and talk only to this server. */
    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
            + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** Adds the playground's GET routes to {@code router}. */
    static void route(Router router) {
        FILES.forEach((path, file) -> {
            Buffer body = Buffer.buffer(resource(file[0]));
            router.get(path).handler(ctx -> ctx.response().putHeader("content-type", file[1])
                    .putHeader("cache-control", "no-cache").putHeader("x-content-type-options", "nosniff")
                    .putHeader("content-security-policy", POLICY).end(body));
        });
    }

    private static byte[] resource(String name) {
        try (InputStream in = PlaygroundPages.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
