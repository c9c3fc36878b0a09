package io.relata.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link ApiKeys} must do. */
public abstract class ApiKeysContract {

    protected abstract TupleStore store();

    protected abstract ApiKeys keys();

    @Test
    void keys_belongToTheirTenant_untilRevoked() {
        String acme = "t-" + UUID.randomUUID();
        String other = "t-" + UUID.randomUUID();
        store().createTenant(acme);
        store().createTenant(other);

        ApiKeys.NewKey first = keys().create(acme, "ci");
        ApiKeys.NewKey second = keys().create(other, "");

        assertThat(keys().tenantOf(first.secret())).contains(acme);
        assertThat(keys().tenantOf(second.secret())).contains(other);
        assertThat(keys().tenantOf("rk_not-a-key")).isEmpty();
        assertThat(keys().list(acme)).containsExactly(new ApiKeys.KeyInfo(first.keyId(), "ci", false));
        assertThat(keys().revoke(other, first.keyId())).as("another tenant cannot revoke it").isFalse();
        assertThat(keys().revoke(acme, first.keyId())).isTrue();
        assertThat(keys().tenantOf(first.secret())).isEmpty();
        assertThat(keys().list(acme)).containsExactly(new ApiKeys.KeyInfo(first.keyId(), "ci", true));
        assertThatThrownBy(() -> keys().create("t-missing-" + UUID.randomUUID(), ""))
                .isInstanceOf(TenantNotFoundException.class);
    }

    @Test
    void scopedKey_keepsItsScopesAndResourceTypes_whileKeysWithoutScopesHoldFullAccess() {
        String acme = "t-" + UUID.randomUUID();
        store().createTenant(acme);
        KeyAccess limited = KeyAccess.of(java.util.List.of("check", "read"), java.util.List.of("project", "group"));
        ApiKeys.NewKey scoped = keys().create(acme, "ci", limited);
        ApiKeys.NewKey full = keys().create(acme, "admin");

        ApiKeys.LiveKey found = keys().find(scoped.secret()).orElseThrow();
        assertThat(found.tenant()).isEqualTo(acme);
        assertThat(found.keyId()).isEqualTo(scoped.keyId());
        assertThat(found.access().scopes()).containsExactlyInAnyOrder(KeyAccess.Scope.CHECK, KeyAccess.Scope.READ);
        assertThat(found.access().resourceTypes()).containsExactlyInAnyOrder("project", "group");
        assertThat(keys().find(full.secret()).orElseThrow().access()).isEqualTo(KeyAccess.FULL);
        assertThat(keys().list(acme)).extracting(ApiKeys.KeyInfo::access).containsExactlyInAnyOrder(limited,
                KeyAccess.FULL);

        KeyAccess writeOnly = KeyAccess.of(java.util.List.of("write"), java.util.List.of());
        ApiKeys.NewKey writer = keys().create(acme, "writer", writeOnly);
        assertThat(keys().find(writer.secret()).orElseThrow().access()).isEqualTo(writeOnly);
        keys().revoke(acme, scoped.keyId());
        assertThat(keys().find(scoped.secret())).isEmpty();
    }

    @Test
    void keyAccess_refusesWhatCannotBeEnforced() {
        assertThatThrownBy(() -> KeyAccess.of(java.util.List.of(), java.util.List.of()))
                .hasMessageContaining("at least one scope").hasMessageContaining("check, read, write, schema, watch");
        assertThatThrownBy(() -> KeyAccess.of(java.util.List.of("admin"), java.util.List.of()))
                .hasMessageContaining("unknown scope `admin`");
        assertThatThrownBy(() -> KeyAccess.of(java.util.List.of("schema"), java.util.List.of("project")))
                .hasMessageContaining("cannot hold the `schema` scope");
        assertThatThrownBy(() -> KeyAccess.of(java.util.List.of("read"), java.util.List.of("Not A Type")))
                .hasMessageContaining("is invalid");
    }
}
