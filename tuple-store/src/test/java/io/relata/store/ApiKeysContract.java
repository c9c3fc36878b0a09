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
}
