package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java client example, as written: compiled here with the test's class path and
 * run against {@code serve-testing}'s gRPC port (only the address differs).
 */
class ReadmeJavaExampleTest {

    @TempDir
    Path dir;

    @Test
    void theReadmesJavaExample_compilesAndAnswersHas() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String block = readme.split("<!-- java-example:start -->")[1].split("<!-- java-example:end -->")[0];
        String code = block.replaceFirst("(?s)^\\s*```java\\n", "").replaceFirst("(?s)```\\s*$", "");
        assertThat(code).contains("localhost:50051");
        String source = """
                import com.authzed.api.v1.*;
                import com.authzed.grpcutil.BearerToken;
                import io.grpc.ManagedChannel;
                import io.grpc.ManagedChannelBuilder;

                public class ReadmeExample {
                    public static String run(String target) throws Exception {
                %s
                        channel.shutdownNow();
                        return answer.getPermissionship().name();
                    }
                }
                """.formatted(code.replace("\"localhost:50051\"", "target"));
        Path file = Files.writeString(dir.resolve("ReadmeExample.java"), source);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        int status = compiler.run(null, null, null, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
                file.toString());
        assertThat(status).as("the README's Java example compiles").isZero();

        ServeTesting command = new ServeTesting();
        new picocli.CommandLine(command).parseArgs("--http-port", "0", "--grpc-port", "0", "--host", "127.0.0.1");
        ServeTesting.Running running = command.start(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Object answer = loader.loadClass("ReadmeExample").getMethod("run", String.class).invoke(null,
                    "127.0.0.1:" + running.server().grpcPort());
            assertThat(answer).isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
        } finally {
            running.stop(java.time.Duration.ofSeconds(1));
        }
    }
}
