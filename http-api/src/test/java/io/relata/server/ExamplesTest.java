package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every validation file under examples/ holds. */
class ExamplesTest {

    static Stream<Arguments> files() throws Exception {
        try (Stream<Path> walk = Files.walk(Path.of("..", "examples"))) {
            List<Path> files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(files).hasSizeGreaterThanOrEqualTo(3);
            return files.stream().map(p -> Arguments.of(Named.of(p.getFileName().toString(), p)));
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void validationFileHolds(Path file) {
        ValidationRun.Outcome outcome = ValidationRun.run(ValidationFile.read(file));

        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.assertions()).isPositive();
    }
}
