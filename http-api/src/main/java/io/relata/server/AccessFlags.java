package io.relata.server;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code serve} options of {@link AccessOptions}: the key cache's expiry and the metrics key. */
final class AccessFlags {

    @Option(names = "--key-cache-ttl", defaultValue = "${env:RELATA_KEY_CACHE_TTL:-5s}",
            description = "How long a tenant key is trusted without asking the datastore again; a key revoked on"
                    + " another instance stops working here within it (default 5s, 0s: ask every time, at most 10m).")
    String keyCacheTtl;

    @Option(names = "--metrics-key", defaultValue = "${env:RELATA_METRICS_KEY}",
            description = "Bearer key GET /metrics requires (default: none, /metrics is open).")
    String metricsKey;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /**
     * These options, checked.
     *
     * @throws CommandLine.ParameterException naming the option that does not hold
     */
    AccessOptions options() {
        try {
            return new AccessOptions(Main.duration(keyCacheTtl), metricsKey);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
