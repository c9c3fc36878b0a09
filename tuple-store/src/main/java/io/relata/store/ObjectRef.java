package io.relata.store;

/**
 * An object: {@code document:readme}.
 *
 * @throws IllegalArgumentException if the type or id breaks SpiceDB's naming rules
 */
public record ObjectRef(String type, String id) implements Comparable<ObjectRef> {

    public ObjectRef {
        Names.type("object", type);
        Names.id("object", id, false);
    }

    public static ObjectRef of(String type, String id) {
        return new ObjectRef(type, id);
    }

    /** Parses {@code type:id}. */
    public static ObjectRef parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(Names.quoted(text) + " is not an object; write it as `type:id`");
        }
        return new ObjectRef(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public int compareTo(ObjectRef o) {
        int c = type.compareTo(o.type);
        return c != 0 ? c : id.compareTo(o.id);
    }

    @Override
    public String toString() {
        return type + ":" + id;
    }
}
