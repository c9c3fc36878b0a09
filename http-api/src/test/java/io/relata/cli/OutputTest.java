package io.relata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tables for people: aligned per block, empty columns left out, never a value hidden. */
class OutputTest {

    private static List<String> printed(Runnable body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aColumnEmptyInTheFirstBlock_isShownWithItsHeader_whenALaterBlockHasAValue() {
        List<String> lines = printed(() -> {
            try (Output.Table table = new Output.Table("RESOURCE", "CAVEAT")) {
                for (int i = 0; i < Output.Table.BLOCK; i++) {
                    table.row("doc:" + i, "");
                }
                table.row("doc:last", "on_weekday");
            }
        });

        assertThat(lines.get(0)).isEqualTo("RESOURCE");
        assertThat(lines.get(1)).isEqualTo("doc:0");
        assertThat(lines).hasSize(Output.Table.BLOCK + 3);
        assertThat(lines.subList(Output.Table.BLOCK + 1, lines.size()))
                .containsExactly("RESOURCE  CAVEAT", "doc:last  on_weekday");
    }
}
