package io.relata.store.postgres;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * How to reach PostgreSQL: a JDBC URL with user and password, read from a
 * {@code postgresql://user:password@host:port/database?options} URL (as libpq and SpiceDB
 * take it) or a {@code jdbc:postgresql://} URL.
 *
 * @param jdbcUrl   the JDBC URL without credentials
 * @param user      the user, or null for the driver's default
 * @param password  the password, or null
 * @param poolSize  connections in the pool
 */
public record PostgresConfig(String jdbcUrl, String user, String password, int poolSize) {

    public static final int DEFAULT_POOL_SIZE = 10;

    public PostgresConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (poolSize < 1) {
            throw new IllegalArgumentException("the pool needs at least 1 connection, got " + poolSize);
        }
    }

    /**
     * Reads a {@code postgresql://}, {@code postgres://} or {@code jdbc:postgresql://} URL.
     *
     * @throws IllegalArgumentException with what is wrong and the expected form
     */
    public static PostgresConfig fromUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("the datastore URL is empty; expected postgresql://user@host:5432/database");
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return new PostgresConfig(url, null, null, DEFAULT_POOL_SIZE);
        }
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            throw new IllegalArgumentException("`" + redact(url) + "` is not a PostgreSQL URL; expected"
                    + " postgresql://user:password@host:5432/database");
        }
        try {
            URI uri = new URI(url);
            String host = uri.getHost() == null ? "localhost" : uri.getHost();
            int port = uri.getPort() < 0 ? 5432 : uri.getPort();
            String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
            String user = null;
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = decode(parts[0]);
                password = parts.length > 1 ? decode(parts[1]) : null;
            }
            String jdbc = "jdbc:postgresql://" + host + ":" + port + "/" + database
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            return new PostgresConfig(jdbc, user, password, DEFAULT_POOL_SIZE);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("`" + redact(url) + "` is not a valid URL: " + e.getReason(), e);
        }
    }

    public PostgresConfig withPoolSize(int size) {
        return new PostgresConfig(jdbcUrl, user, password, size);
    }

    /** The same server, another database. */
    public PostgresConfig withDatabase(String database) {
        int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = jdbcUrl.indexOf('?');
        String base = slash < 0 ? jdbcUrl : jdbcUrl.substring(0, slash);
        String options = query < 0 ? "" : jdbcUrl.substring(query);
        return new PostgresConfig(base + "/" + database + options, user, password, poolSize);
    }

    /** The database name in the URL. */
    public String database() {
        int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = jdbcUrl.indexOf('?');
        return slash < 0 ? "postgres" : jdbcUrl.substring(slash + 1, query < 0 ? jdbcUrl.length() : query);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String redact(String url) {
        return url.replaceAll("//([^:@/]*):[^@/]*@", "//$1:***@");
    }

    @Override
    public String toString() {
        return "PostgresConfig[" + jdbcUrl + ", user=" + user + ", poolSize=" + poolSize + "]";
    }
}
