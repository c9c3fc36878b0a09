package io.relata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The expand tree as drawn for a terminal: nesting, the operation of non-union nodes, usersets. */
class ExpandTreeTest {

    private static String node(String id, String relation, String body) {
        return "{\"expandedObject\": {\"objectType\": \"doc\", \"objectId\": \"" + id + "\"}, \"expandedRelation\": \""
                + relation + "\", " + body + "}";
    }

    @Test
    void anExclusion_isNamed_andUsersetsKeepTheirRelation() {
        JsonObject root = new JsonObject(node("a", "view", "\"intermediate\": {\"operation\": \"OPERATION_EXCLUSION\","
                + " \"children\": [" + node("a", "viewer", "\"leaf\": {\"subjects\": ["
                + "{\"object\": {\"objectType\": \"user\", \"objectId\": \"alice\"}, \"optionalRelation\": \"\"},"
                + "{\"object\": {\"objectType\": \"group\", \"objectId\": \"eng\"}, \"optionalRelation\": \"member\"}]}")
                + ", " + node("a", "banned", "\"leaf\": {\"subjects\": []}") + "]}"));

        assertThat(ExpandTree.render(root)).isEqualTo("""
                doc:a->view (exclusion: in the first, not in the others)
                ├── doc:a->viewer
                │   ├── user:alice
                │   └── group:eng#member
                └── doc:a->banned
                """);
    }
}
