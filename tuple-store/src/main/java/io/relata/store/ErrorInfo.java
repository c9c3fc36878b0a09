package io.relata.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an error says about itself beyond its message: SpiceDB's reason and the metadata that
 * reason documents (string keys and values, as in {@code google.rpc.ErrorInfo}). Bounded: at
 * most {@link #MAX_ENTRIES} entries, each value at most {@link #MAX_VALUE_LENGTH} characters
 * (longer ones are cut and end in "…"); null values are left out.
 *
 * @param reason   why the request failed
 * @param metadata details, in insertion order, unmodifiable
 */
public record ErrorInfo(ErrorReason reason, Map<String, String> metadata) {

    /** At most this many metadata entries are kept. */
    public static final int MAX_ENTRIES = 16;
    /** A metadata value longer than this is cut to it. */
    public static final int MAX_VALUE_LENGTH = 512;

    /** An exception that carries an {@link ErrorInfo}. */
    public interface Carrier {
        /** The error's reason and metadata, or null when it has none. */
        ErrorInfo errorInfo();
    }

    public ErrorInfo {
        Objects.requireNonNull(reason, "reason");
        Map<String, String> bounded = new LinkedHashMap<>();
        if (metadata != null) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (bounded.size() == MAX_ENTRIES) {
                    break;
                }
                if (e.getKey() != null && e.getValue() != null) {
                    bounded.put(e.getKey(), bound(e.getValue()));
                }
            }
        }
        metadata = Collections.unmodifiableMap(bounded);
    }

    /**
     * The reason with metadata given as alternating keys and values; a null value leaves its
     * key out.
     */
    public static ErrorInfo of(ErrorReason reason, String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("metadata needs a value for every key");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            metadata.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new ErrorInfo(reason, metadata);
    }

    /** This reason with one more metadata entry (or the entry replaced). */
    public ErrorInfo with(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(metadata);
        more.put(key, value);
        return new ErrorInfo(reason, more);
    }

    private static String bound(String value) {
        return value.length() <= MAX_VALUE_LENGTH ? value : value.substring(0, MAX_VALUE_LENGTH - 1) + "…";
    }
}
