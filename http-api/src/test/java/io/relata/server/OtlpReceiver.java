package io.relata.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A local OTLP/HTTP trace receiver for tests: a real HTTP server on a free port that accepts
 * {@code POST /v1/traces} (protobuf {@code ExportTraceServiceRequest}, gzip or not), as a
 * collector does, and keeps every span it was sent.
 */
final class OtlpReceiver implements AutoCloseable {

    /** A span as it arrived: ids in hex (parent empty for a root), its attributes as strings. */
    record Received(String traceId, String spanId, String parentSpanId, String name, String kind,
            Map<String, String> attributes, String serviceName) {}

    private final HttpServer server;
    private final List<Received> spans = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base address, as {@code --otel-endpoint} takes it. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            paths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals("/v1/traces")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            InputStream body = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(body);
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
            for (ResourceSpans resource : request.getResourceSpansList()) {
                String service = resource.getResource().getAttributesList().stream()
                        .filter(a -> a.getKey().equals("service.name")).map(a -> text(a.getValue())).findFirst()
                        .orElse(null);
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    for (io.opentelemetry.proto.trace.v1.Span span : scope.getSpansList()) {
                        Map<String, String> attributes = new LinkedHashMap<>();
                        for (KeyValue kv : span.getAttributesList()) {
                            attributes.put(kv.getKey(), text(kv.getValue()));
                        }
                        spans.add(new Received(hex(span.getTraceId()), hex(span.getSpanId()),
                                hex(span.getParentSpanId()), span.getName(), span.getKind().name(), attributes, service));
                    }
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    private static String hex(com.google.protobuf.ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> Long.toString(value.getIntValue());
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            default -> value.toString();
        };
    }

    /** Every span received so far. */
    List<Received> spans() {
        return new ArrayList<>(spans);
    }

    /** Every request received so far, as {@code METHOD /path}. */
    List<String> requests() {
        return new ArrayList<>(paths);
    }

    /** The spans of one trace received so far. */
    List<Received> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    /**
     * Waits (up to 30 s) until the spans of {@code traceId} satisfy {@code done}, asking
     * {@code tracing} to send what it holds every 100 ms; gives the trace's spans then.
     */
    List<Received> await(Tracing tracing, String traceId, Predicate<List<Received>> done) throws InterruptedException {
        long until = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < until) {
            tracing.flush(java.time.Duration.ofSeconds(5));
            if (done.test(trace(traceId))) {
                break;
            }
            Thread.sleep(100);
        }
        return trace(traceId);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
