package io.relata.cli;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** What the client commands print: JSON lines for scripts, aligned tables for people. */
final class Output {

    private Output() {}

    /** One JSON object on one line. */
    static void json(JsonObject value) {
        System.out.println(value.encode());
    }

    /**
     * A table printed in blocks of {@link #BLOCK} rows, each block aligned on its own, so a long
     * stream is shown as it arrives and never held whole. A column other than the first that is
     * empty in every row of a block is left out of it (such as CAVEAT when none has one); a block
     * with other columns than the one before starts with the header again.
     */
    static final class Table implements AutoCloseable {

        static final int BLOCK = 1_000;

        private final String[] header;
        private final List<String[]> rows = new ArrayList<>();
        private boolean[] shown;
        private boolean headerShown;
        private long count;

        Table(String... header) {
            this.header = header;
        }

        void row(String... cells) {
            rows.add(cells);
            count++;
            if (rows.size() >= BLOCK) {
                flush();
            }
        }

        long count() {
            return count;
        }

        private void flush() {
            if (rows.isEmpty()) {
                return;
            }
            boolean[] columns = new boolean[header.length];
            columns[0] = true;
            for (String[] row : rows) {
                for (int i = 1; i < row.length; i++) {
                    columns[i] |= !row[i].isEmpty();
                }
            }
            if (!java.util.Arrays.equals(columns, shown)) {
                headerShown = false; // other columns than the block before: say which
                shown = columns;
            }
            int[] widths = new int[header.length];
            for (int i = 0; i < header.length; i++) {
                widths[i] = header[i].length();
            }
            for (String[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    widths[i] = Math.max(widths[i], row[i].length());
                }
            }
            StringBuilder out = new StringBuilder();
            if (!headerShown) {
                line(out, header, widths, shown);
                headerShown = true;
            }
            rows.forEach(r -> line(out, r, widths, shown));
            System.out.print(out);
            rows.clear();
        }

        private static void line(StringBuilder out, String[] cells, int[] widths, boolean[] shown) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                if (shown[i]) {
                    line.append(cells[i]).append(" ".repeat(widths[i] - cells[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }

        @Override
        public void close() {
            flush();
        }
    }
}
