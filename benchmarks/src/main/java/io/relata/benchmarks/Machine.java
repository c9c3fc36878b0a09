package io.relata.benchmarks;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a benchmark ran on, for its report. */
final class Machine {

    private Machine() {}

    static JsonObject describe() {
        String cpu = "unknown";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (Exception e) {
            // Not Linux: leave it unknown.
        }
        return new JsonObject().put("cores", Runtime.getRuntime().availableProcessors()).put("cpu", cpu)
                .put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20)
                .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    }
}
