package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.engine.EngineOptions;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The operation table ({@link Operation}) and what the server serves are the same: every HTTP
 * route and every gRPC method registered has its entry (so a new one cannot be served without
 * saying which scope it needs), and every entry is served.
 */
class OperationTableTest {

    @Test
    void everyRouteAndMethodServed_isInTheTable_andTheTableHoldsNothingElse() throws Exception {
        try (MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
                TestServer server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of("table-key-0123", "t"),
                        "table-secret-0123456789", Duration.ofMillis(100), 64 * 1024, 50, EngineOptions.DEFAULTS,
                        "table-admin-0123"), store, new MemoryApiKeys(store))) {
            server.startGrpc();
            Set<String> routes = new TreeSet<>(server.server().routePaths());
            Set<String> methods = new TreeSet<>(server.server().grpcMethods());

            Set<String> tablePaths = Arrays.stream(Operation.values()).flatMap(o -> o.httpPaths.stream())
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> tableMethods = Arrays.stream(Operation.values()).flatMap(o -> o.grpcMethods.stream())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(routes).isEqualTo(tablePaths);
            assertThat(methods).isEqualTo(tableMethods);
            assertThat(routes).contains("/v1/watch", "/v1/relationships/importbulk", "/metrics");
            assertThat(methods).contains("authzed.api.v1.WatchService/Watch",
                    "authzed.api.v1.ExperimentalService/BulkImportRelationships");
        }
    }

    @Test
    void aRouteOrMethodMissingFromTheTable_cannotBeRegistered() {
        assertThatThrownBy(() -> Operation.ofHttp("/v1/new/thing")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not in the operation table");
        assertThatThrownBy(() -> Operation.ofGrpc("authzed.api.v1.PermissionsService/NewThing"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not in the operation table");
    }
}
