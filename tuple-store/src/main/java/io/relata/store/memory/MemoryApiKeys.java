package io.relata.store.memory;

import io.relata.store.ApiKeys;
import io.relata.store.KeyAccess;
import io.relata.store.TenantNotFoundException;
import io.relata.store.TupleStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link ApiKeys} in memory, for the tenants of a memory store. */
public final class MemoryApiKeys implements ApiKeys {

    private record Entry(String tenant, String keyId, String label, ByteBuffer hash, boolean revoked, KeyAccess access) {}

    private final TupleStore tenants;
    private final Map<ByteBuffer, Entry> byHash = new ConcurrentHashMap<>();

    public MemoryApiKeys(TupleStore tenants) {
        this.tenants = tenants;
    }

    @Override
    public NewKey create(String tenant, String label, KeyAccess access) {
        java.util.Objects.requireNonNull(access, "access");
        if (!tenants.tenantExists(tenant)) {
            throw new TenantNotFoundException("tenant `" + tenant + "` does not exist");
        }
        NewKey key = ApiKeys.generate();
        ByteBuffer hash = ByteBuffer.wrap(ApiKeys.hash(key.secret()));
        byHash.put(hash, new Entry(tenant, key.keyId(), label == null ? "" : label, hash, false, access));
        return key;
    }

    @Override
    public Optional<LiveKey> find(String secret) {
        Entry e = byHash.get(ByteBuffer.wrap(ApiKeys.hash(secret)));
        return e == null || e.revoked() ? Optional.empty() : Optional.of(new LiveKey(e.tenant(), e.keyId(), e.access()));
    }

    @Override
    public boolean revoke(String tenant, String keyId) {
        for (Entry e : byHash.values()) {
            if (e.tenant().equals(tenant) && e.keyId().equals(keyId)) {
                byHash.put(e.hash(), new Entry(e.tenant(), e.keyId(), e.label(), e.hash(), true, e.access()));
                return true;
            }
        }
        return false;
    }

    @Override
    public List<KeyInfo> list(String tenant) {
        List<KeyInfo> out = new ArrayList<>();
        byHash.values().stream().filter(e -> e.tenant().equals(tenant))
                .sorted((a, b) -> a.keyId().compareTo(b.keyId()))
                .forEach(e -> out.add(new KeyInfo(e.keyId(), e.label(), e.revoked(), e.access())));
        return out;
    }
}
