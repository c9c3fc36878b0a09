package io.relata.server;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The trace options of {@code serve}: where to send spans (OTLP over HTTP) and under which
 * service name. Without an endpoint there are no traces, and nothing of them on a request's path.
 */
final class TraceOptions {

    @Option(names = "--otel-endpoint", defaultValue = "${env:RELATA_OTEL_ENDPOINT}",
            description = "OpenTelemetry collector to send traces to over OTLP/HTTP (protobuf), e.g."
                    + " http://localhost:4318; without it no spans are made.")
    String endpoint;

    @Option(names = "--otel-service-name", defaultValue = "${env:RELATA_OTEL_SERVICE_NAME:-relata}",
            description = "service.name of the traces (default relata).")
    String serviceName;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /**
     * The tracing these options ask for: {@link Tracing#OFF} without an endpoint.
     *
     * @throws CommandLine.ParameterException when the endpoint is not an http(s) URL or the name is blank
     */
    Tracing open() {
        if (endpoint == null || endpoint.isBlank()) {
            return Tracing.OFF;
        }
        try {
            return Tracing.exportingTo(endpoint, serviceName);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--otel-endpoint / --otel-service-name: "
                    + e.getMessage());
        }
    }
}
