package io.relata.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.relata.store.Relationship;
import java.util.List;

/**
 * One transport's way of putting a conformance case to the server: the schema and relationships
 * written, the checks and lookups asked, always fully consistent, and the answers given back in the
 * case's own terms ({@code HAS}, {@code NO}, {@code CONDITIONAL}) so that both transports are judged
 * by one comparison.
 */
interface WireClient {

    /** One result of a lookup, as the server streamed it. */
    record Found(String id, String permissionship, List<String> missing, List<String> excluded,
            List<String> conditionally) {}

    /** Writes the schema; fails the test unless the server accepts it. */
    void writeSchema(String schema) throws Exception;

    /** Touches these relationships in one write request; fails the test unless the server accepts it. */
    void write(List<Relationship> relationships) throws Exception;

    /** The answer to one check ({@code resource}, {@code permission}, {@code subject}, {@code context}?). */
    String check(JsonNode check) throws Exception;

    /** The answers to all these checks asked in one bulk request, in their order. */
    List<String> checkBulk(List<JsonNode> checks) throws Exception;

    /** Every result the server streams for a lookup ({@code kind} resources or subjects), in its order. */
    List<Found> lookup(JsonNode lookup) throws Exception;

    /** A check's permissionship in the case's terms; any other name is returned as it is, and will not match. */
    static String checkPermissionship(String name) {
        return switch (name) {
            case "PERMISSIONSHIP_HAS_PERMISSION" -> "HAS";
            case "PERMISSIONSHIP_NO_PERMISSION" -> "NO";
            case "PERMISSIONSHIP_CONDITIONAL_PERMISSION" -> "CONDITIONAL";
            default -> name;
        };
    }

    /** A lookup result's permissionship in the case's terms; any other name is returned as it is. */
    static String lookupPermissionship(String name) {
        return switch (name) {
            case "LOOKUP_PERMISSIONSHIP_HAS_PERMISSION" -> "HAS";
            case "LOOKUP_PERMISSIONSHIP_CONDITIONAL_PERMISSION" -> "CONDITIONAL";
            default -> name;
        };
    }
}
