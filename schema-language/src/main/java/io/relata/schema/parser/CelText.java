package io.relata.schema.parser;

import java.util.ArrayList;
import java.util.List;

/**
 * A caveat body as written, reduced to its canonical text: blank lines around it removed,
 * trailing spaces removed, and the indentation its lines share taken off, remembering where
 * each line starts in the file so CEL's positions can be mapped back.
 */
record CelText(String expression, int firstLine, List<Integer> lineColumns) {

    static CelText of(String raw, int bodyLine, int bodyColumn) {
        String[] lines = raw.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        int first = 0;
        while (first < lines.length && lines[first].isBlank()) {
            first++;
        }
        int last = lines.length - 1;
        while (last >= first && lines[last].isBlank()) {
            last--;
        }
        if (first > last) {
            return new CelText("", bodyLine, List.of());
        }
        // Indentation shared by every non-blank line that starts a line of the file. A
        // multi-line string literal is text whose spaces matter: then nothing is removed.
        boolean multiLineString = raw.contains("'''") || raw.contains("\"\"\"");
        String common = multiLineString ? "" : null;
        for (int i = Math.max(first, 1); i <= last; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String indent = leadingWhitespace(lines[i]);
            common = common == null ? indent : commonPrefix(common, indent);
        }
        if (common == null) {
            common = "";
        }
        StringBuilder out = new StringBuilder();
        List<Integer> columns = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            String line = lines[i];
            int removed;
            if (i == 0 || (multiLineString && i == first)) {
                removed = leadingWhitespace(line).length();
            } else {
                removed = line.isBlank() ? line.length() : common.length();
            }
            int startColumn = (i == 0 ? bodyColumn : 1) + removed;
            if (i > first) {
                out.append('\n');
            }
            String kept = line.substring(Math.min(removed, line.length()));
            out.append(multiLineString ? kept : kept.stripTrailing());
            columns.add(startColumn);
        }
        return new CelText(out.toString(), bodyLine + first, List.copyOf(columns));
    }

    private static String leadingWhitespace(String line) {
        int i = 0;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return line.substring(0, i);
    }

    private static String commonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return a.substring(0, i);
    }
}
