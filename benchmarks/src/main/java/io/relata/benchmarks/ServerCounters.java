package io.relata.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The server's counters that explain a check's cost, read from its {@code /metrics}
 * (Prometheus text, summed over labels): store calls, sub-result cache hits and misses,
 * relationship cache hits and misses. As a program it prints them on one line, separated by
 * {@code |}, for {@code benchmarks/run-grpc.sh}; {@link GrpcLoad} reads them in process at
 * the edges of its measured window.
 */
final class ServerCounters {

    static final String[] NAMES = {"relata_store_calls_seconds_count", "relata_engine_cache_hits",
            "relata_engine_cache_misses", "relata_engine_relationship_cache_hits",
            "relata_engine_relationship_cache_misses"};

    private ServerCounters() {}

    public static void main(String[] args) throws Exception {
        System.out.println(read(args[0]));
    }

    /** The counters of {@code NAMES}, in order and separated by {@code |}; empty fields when unreadable. */
    static String read(String metricsUrl) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String text = client.send(HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Map<String, Double> sums = new HashMap<>();
            for (String line : text.split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                int brace = line.indexOf('{');
                String name = line.substring(0, brace >= 0 && brace < space ? brace : space).trim();
                sums.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
            }
            StringBuilder out = new StringBuilder();
            for (String name : NAMES) {
                out.append(out.length() == 0 ? "" : "|").append(String.format("%.0f", sums.getOrDefault(name, 0.0)));
            }
            return out.toString();
        } catch (Exception e) {
            return "||||";
        }
    }
}
