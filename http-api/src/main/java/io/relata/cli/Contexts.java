package io.relata.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The saved contexts: each a name, an endpoint, whether it is plaintext and an optional CA
 * certificate, plus which one is current. They live in {@code config.json} of the config
 * directory ({@link #directory()}), and their tokens apart in {@code tokens.json}, which is
 * written with mode 0600 (the directory with 0700) so only its owner can read it. Files are
 * replaced atomically, so a crash leaves the old file or the new one.
 */
final class Contexts {

    /** One saved context. */
    record Context(String name, String endpoint, String token, boolean insecure, String caCert) {}

    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path dir;

    Contexts(Path dir) {
        this.dir = dir;
    }

    /** The config directory in effect. */
    static Contexts fromEnvironment() {
        return new Contexts(directory());
    }

    /**
     * {@code relata.config.dir} (a system property), else {@code $RELATA_CONFIG_DIR}, else
     * {@code $XDG_CONFIG_HOME/relata}, else {@code ~/.config/relata}.
     */
    static Path directory() {
        String property = System.getProperty("relata.config.dir");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv("RELATA_CONFIG_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, "relata") : Path.of(System.getProperty("user.home"),
                ".config", "relata");
    }

    Path configFile() {
        return dir.resolve("config.json");
    }

    Path tokenFile() {
        return dir.resolve("tokens.json");
    }

    /** The contexts by name, with their tokens. */
    Map<String, Context> all() {
        JsonObject contexts = read(configFile()).getJsonObject("contexts", new JsonObject());
        JsonObject tokens = read(tokenFile());
        Map<String, Context> out = new TreeMap<>();
        for (String name : contexts.fieldNames()) {
            JsonObject c = contexts.getJsonObject(name);
            out.put(name, new Context(name, c.getString("endpoint"), tokens.getString(name),
                    c.getBoolean("insecure", false), c.getString("caCert")));
        }
        return out;
    }

    /** The name of the current context, or null. */
    String current() {
        return read(configFile()).getString("current");
    }

    /** Saves {@code context} (replacing one of the same name) and makes it current. */
    void save(Context context) {
        JsonObject config = read(configFile());
        JsonObject contexts = config.getJsonObject("contexts", new JsonObject());
        contexts.put(context.name(), new JsonObject().put("endpoint", context.endpoint())
                .put("insecure", context.insecure()).put("caCert", context.caCert()));
        config.put("contexts", contexts).put("current", context.name());
        JsonObject tokens = read(tokenFile()).put(context.name(), context.token());
        write(tokenFile(), tokens); // the secret first: a context never points at a missing token
        write(configFile(), config);
    }

    /** Makes {@code name} current. @throws ClientException (usage) when there is no such context */
    void use(String name) {
        JsonObject config = read(configFile());
        if (!config.getJsonObject("contexts", new JsonObject()).containsKey(name)) {
            throw ClientException.usage("no context `" + name + "`; `relata context list` shows them");
        }
        write(configFile(), config.put("current", name));
    }

    /** Removes {@code name} and its token. @throws ClientException (usage) when there is no such context */
    void remove(String name) {
        JsonObject config = read(configFile());
        JsonObject contexts = config.getJsonObject("contexts", new JsonObject());
        if (contexts.remove(name) == null) {
            throw ClientException.usage("no context `" + name + "`; `relata context list` shows them");
        }
        if (name.equals(config.getString("current"))) {
            config.remove("current");
        }
        write(configFile(), config.put("contexts", contexts));
        JsonObject tokens = read(tokenFile());
        tokens.remove(name);
        write(tokenFile(), tokens);
    }

    private static JsonObject read(Path file) {
        if (!Files.exists(file)) {
            return new JsonObject();
        }
        try {
            return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | DecodeException e) {
            throw ClientException.usage("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Writes through a temporary file created owner-only, then renames it over {@code file}. */
    private void write(Path file, JsonObject content) {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        try {
            if (!Files.isDirectory(dir)) {
                if (posix) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
                } else {
                    Files.createDirectories(dir);
                }
            }
            Path temp = posix ? Files.createTempFile(dir, ".tmp-", ".json", PosixFilePermissions.asFileAttribute(OWNER_FILE))
                    : Files.createTempFile(dir, ".tmp-", ".json");
            try {
                Files.writeString(temp, content.encodePrettily() + "\n", StandardCharsets.UTF_8);
                try {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw ClientException.usage("cannot write " + file + ": " + e.getMessage());
        }
    }
}
