package io.relata.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An expand answer's tree ({@code treeRoot}: nodes with {@code intermediate} children or a
 * {@code leaf} of subjects) drawn for a terminal, as zed draws it:
 *
 * <pre>
 * doc:readme->view
 * ├── doc:readme->viewer
 * │   └── user:alice
 * └── doc:readme->owner
 *     └── user:bob
 * </pre>
 *
 * Union nodes list their children; intersections and exclusions say so after their name.
 */
final class ExpandTree {

    private ExpandTree() {}

    static String render(JsonObject root) {
        StringBuilder out = new StringBuilder();
        out.append(label(root)).append('\n');
        children(root, "", out);
        return out.toString();
    }

    private static String label(JsonObject node) {
        JsonObject object = node.getJsonObject("expandedObject", new JsonObject());
        String label = object.getString("objectType") + ":" + object.getString("objectId") + "->"
                + node.getString("expandedRelation");
        JsonObject intermediate = node.getJsonObject("intermediate");
        if (intermediate != null) {
            String operation = intermediate.getString("operation", "");
            if (operation.equals("OPERATION_INTERSECTION")) {
                label += " (intersection: in all of)";
            } else if (operation.equals("OPERATION_EXCLUSION")) {
                label += " (exclusion: in the first, not in the others)";
            }
        }
        return label;
    }

    private static void children(JsonObject node, String indent, StringBuilder out) {
        JsonObject intermediate = node.getJsonObject("intermediate");
        if (intermediate != null) {
            JsonArray children = intermediate.getJsonArray("children", new JsonArray());
            for (int i = 0; i < children.size(); i++) {
                boolean last = i == children.size() - 1;
                JsonObject child = children.getJsonObject(i);
                out.append(indent).append(last ? "└── " : "├── ").append(label(child)).append('\n');
                children(child, indent + (last ? "    " : "│   "), out);
            }
            return;
        }
        JsonArray subjects = node.getJsonObject("leaf", new JsonObject()).getJsonArray("subjects", new JsonArray());
        for (int i = 0; i < subjects.size(); i++) {
            boolean last = i == subjects.size() - 1;
            out.append(indent).append(last ? "└── " : "├── ").append(subject(subjects.getJsonObject(i))).append('\n');
        }
    }

    private static String subject(JsonObject s) {
        JsonObject object = s.getJsonObject("object", new JsonObject());
        String relation = s.getString("optionalRelation", "");
        return object.getString("objectType") + ":" + object.getString("objectId")
                + (relation.isEmpty() || relation.equals("...") ? "" : "#" + relation);
    }
}
