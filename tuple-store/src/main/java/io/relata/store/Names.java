package io.relata.store;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** SpiceDB's rules for type names, relation names and object ids, with errors a person can act on. */
final class Names {

    private static final Pattern TYPE =
            Pattern.compile("([a-z][a-z0-9_]{1,61}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]");
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9/_|\\-=+]+");
    private static final Pattern CAVEAT = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9/_|-]{0,127}");

    private Names() {}

    /** The most characters of a value that an error message repeats. */
    static final int MAX_ECHO_CHARS = 100;

    /** {@code value} in backquotes, cut to {@link #MAX_ECHO_CHARS} characters with its length when longer. */
    static String quoted(String value) {
        if (value == null || value.length() <= MAX_ECHO_CHARS) {
            return "`" + value + "`";
        }
        return "`" + value.substring(0, MAX_ECHO_CHARS) + "…` (" + value.length() + " characters)";
    }

    /**
     * Refuses the NUL character (U+0000) in the keys and strings of a JSON value (caveat
     * context, transaction metadata): PostgreSQL cannot store it in {@code jsonb}, so no store
     * takes it.
     *
     * @throws IllegalArgumentException naming where the NUL is
     */
    static void noNul(String what, Object value) {
        String at = nulAt(value, "");
        if (at != null) {
            throw new IllegalArgumentException(what + " contains the NUL character (U+0000)"
                    + (at.isEmpty() ? "" : " at " + quoted(at)) + ", which cannot be stored");
        }
    }

    private static String nulAt(Object value, String path) {
        if (value instanceof String s) {
            return s.indexOf('\0') >= 0 ? path : null;
        }
        if (value instanceof java.util.Map<?, ?> map) {
            for (java.util.Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                String inner = path.isEmpty() ? key : path + "." + key;
                if (key.indexOf('\0') >= 0) {
                    return inner;
                }
                String found = nulAt(e.getValue(), inner);
                if (found != null) {
                    return found;
                }
            }
        }
        if (value instanceof java.util.List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String found = nulAt(list.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    static String type(String what, String type) {
        if (type == null || type.isEmpty()) {
            throw new IllegalArgumentException(what + " type is missing");
        }
        boolean valid = simpleName(type) || type.indexOf('/') >= 0 && TYPE.matcher(type).matches() && bytes(type) <= 128;
        if (!valid) {
            throw new IllegalArgumentException(what + " type " + quoted(type) + " is invalid: a type is 3 to 64 lowercase"
                    + " letters, digits and `_`, starting with a letter, optionally after `prefix/` (128 bytes in all)");
        }
        return type;
    }

    static String relation(String what, String relation) {
        if (relation == null || relation.isEmpty()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        if (!simpleName(relation)) {
            throw new IllegalArgumentException(what + " " + quoted(relation) + " is invalid: a relation is 3 to 64"
                    + " lowercase letters, digits and `_`, starting with a letter and not ending with `_`");
        }
        return relation;
    }

    static String id(String what, String id, boolean wildcardAllowed) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException(what + " id is missing");
        }
        if (id.equals("*")) {
            if (!wildcardAllowed) {
                throw new IllegalArgumentException(what + " id `*` is only allowed as a wildcard subject");
            }
            return id;
        }
        if (!simpleId(id)) {
            throw new IllegalArgumentException(what + " id " + quoted(id) + " is invalid: ids use letters, digits and"
                    + " `/ _ | - = +`");
        }
        if (bytes(id) > 1024) {
            throw new IllegalArgumentException(what + " id is " + bytes(id) + " bytes long; at most 1,024 are allowed");
        }
        return id;
    }

    static String caveat(String name) {
        if (name == null || !CAVEAT.matcher(name).matches()) {
            throw new IllegalArgumentException("caveat name " + quoted(name) + " is invalid: use letters, digits and `_`,"
                    + " up to 128 characters");
        }
        return name;
    }

    /**
     * {@code [a-z][a-z0-9_]{1,62}[a-z0-9]}: a relation, or a type without a prefix (the rules'
     * pattern, checked without a regex: every relationship of a bulk import is checked).
     */
    static boolean simpleName(String s) {
        int n = s.length();
        if (n < 3 || n > 64) {
            return false;
        }
        char first = s.charAt(0);
        char last = s.charAt(n - 1);
        if (first < 'a' || first > 'z' || !(last >= 'a' && last <= 'z' || last >= '0' && last <= '9')) {
            return false;
        }
        for (int i = 1; i < n - 1; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** {@code [a-zA-Z0-9/_|\-=+]+} of at most 1,024 characters (all ASCII, so bytes), without a regex. */
    private static boolean simpleId(String s) {
        int n = s.length();
        if (n > 1024) {
            return ID.matcher(s).matches(); // and the length check after it refuses the id
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '_'
                    || c == '|' || c == '-' || c == '=' || c == '+')) {
                return false;
            }
        }
        return true;
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
