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
     * stream is shown as it arrives and never held whole.
     */
    static final class Table implements AutoCloseable {

        static final int BLOCK = 1_000;

        private final String[] header;
        private final List<String[]> rows = new ArrayList<>();
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
                line(out, header, widths);
                headerShown = true;
            }
            rows.forEach(r -> line(out, r, widths));
            System.out.print(out);
            rows.clear();
        }

        private static void line(StringBuilder out, String[] cells, int[] widths) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                line.append(cells[i]);
                if (i < cells.length - 1) {
                    line.append(" ".repeat(widths[i] - cells[i].length() + 2));
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
