package io.relata.server;

/** Bodies of API requests, in SpiceDB's v1 JSON shape, for tests. */
final class Requests {

    private Requests() {}

    /** An OPERATION_TOUCH update of {@code resourceType:id#relation@subjectType:subjectId}. */
    static String touch(String resourceType, String id, String relation, String subjectType, String subjectId) {
        return update("OPERATION_TOUCH", resourceType, id, relation, subjectType, subjectId);
    }

    /** An OPERATION_DELETE update of {@code resourceType:id#relation@subjectType:subjectId}. */
    static String delete(String resourceType, String id, String relation, String subjectType, String subjectId) {
        return update("OPERATION_DELETE", resourceType, id, relation, subjectType, subjectId);
    }

    /** A relationships/write body carrying {@code updates}. */
    static String write(String... updates) {
        return "{\"updates\":[" + String.join(",", updates) + "]}";
    }

    /** A permissions/check body; {@code consistency} is a JSON object such as {@link #atLeastAsFresh}. */
    static String check(String consistency, String resourceType, String id, String permission, String subjectType,
            String subjectId) {
        return "{\"consistency\":" + consistency + ",\"resource\":" + object(resourceType, id) + ",\"permission\":\""
                + permission + "\",\"subject\":{\"object\":" + object(subjectType, subjectId) + "}}";
    }

    static String minimizeLatency() {
        return "{\"minimizeLatency\":true}";
    }

    static String atLeastAsFresh(String token) {
        return "{\"atLeastAsFresh\":{\"token\":\"" + token + "\"}}";
    }

    static String atExactSnapshot(String token) {
        return "{\"atExactSnapshot\":{\"token\":\"" + token + "\"}}";
    }

    private static String update(String operation, String resourceType, String id, String relation,
            String subjectType, String subjectId) {
        return "{\"operation\":\"" + operation + "\",\"relationship\":{\"resource\":" + object(resourceType, id)
                + ",\"relation\":\"" + relation + "\",\"subject\":{\"object\":" + object(subjectType, subjectId) + "}}}";
    }

    private static String object(String type, String id) {
        return "{\"objectType\":\"" + type + "\",\"objectId\":\"" + id + "\"}";
    }
}
