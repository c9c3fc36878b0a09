package io.relata.store.postgres;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import io.relata.store.ApiKeys;
import io.relata.store.KeyAccess;
import io.relata.store.StoreException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** {@link ApiKeys} in the {@code api_keys} table, for the tenants of a {@link PostgresTupleStore}. */
public final class PostgresApiKeys implements ApiKeys {

    static final Table<Record> API_KEYS = table(name("api_keys"));
    static final Field<String> KEY_ID = field(name("key_id"), SQLDataType.CLOB);
    static final Field<byte[]> KEY_HASH = field(name("key_hash"), SQLDataType.BLOB);
    static final Field<String> LABEL = field(name("label"), SQLDataType.CLOB);
    static final Field<OffsetDateTime> REVOKED_AT = field(name("revoked_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    /** NULL: every scope (keys made before scopes). */
    static final Field<String[]> SCOPES = field(name("scopes"), SQLDataType.CLOB.getArrayDataType());
    /** NULL: every resource type. */
    static final Field<String[]> RESOURCE_TYPES = field(name("resource_types"), SQLDataType.CLOB.getArrayDataType());

    private final PostgresTupleStore store;
    private final DSLContext dsl;

    public PostgresApiKeys(PostgresTupleStore store) {
        this.store = store;
        this.dsl = DSL.using(store.dataSource(), SQLDialect.POSTGRES);
    }

    @Override
    public NewKey create(String tenant, String label, KeyAccess access) {
        long id = store.tenantId(tenant);
        NewKey key = ApiKeys.generate();
        boolean full = access.scopes().size() == KeyAccess.Scope.values().length;
        String[] scopes = full ? null : access.scopeNames().toArray(String[]::new);
        String[] types = access.allTypes() ? null : access.sortedResourceTypes().toArray(String[]::new);
        run(() -> dsl.insertInto(API_KEYS).set(Tables.TENANT_ID, id).set(KEY_ID, key.keyId())
                .set(KEY_HASH, ApiKeys.hash(key.secret())).set(LABEL, label == null ? "" : label)
                .set(SCOPES, scopes).set(RESOURCE_TYPES, types).execute());
        return key;
    }

    @Override
    public Optional<LiveKey> find(String secret) {
        return run(() -> store.reads().select(Tables.TENANT_NAME, KEY_ID, SCOPES, RESOURCE_TYPES).from(API_KEYS)
                .join(Tables.TENANTS).on(Tables.TENANT_ID_COL.eq(Tables.TENANT_ID))
                .where(KEY_HASH.eq(ApiKeys.hash(secret))).and(REVOKED_AT.isNull())
                .fetchOptional(r -> new LiveKey(r.get(Tables.TENANT_NAME), r.get(KEY_ID), access(r))));
    }

    private static KeyAccess access(Record r) {
        String[] scopes = r.get(SCOPES);
        String[] types = r.get(RESOURCE_TYPES);
        if (scopes == null && types == null) {
            return KeyAccess.FULL;
        }
        return KeyAccess.of(scopes == null ? KeyAccess.FULL.scopeNames() : List.of(scopes),
                types == null ? List.of() : List.of(types));
    }

    @Override
    public boolean revoke(String tenant, String keyId) {
        long id = store.tenantId(tenant);
        return run(() -> dsl.update(API_KEYS).set(REVOKED_AT, DSL.currentOffsetDateTime())
                .where(Tables.TENANT_ID.eq(id)).and(KEY_ID.eq(keyId)).execute()) > 0;
    }

    @Override
    public List<KeyInfo> list(String tenant) {
        long id = store.tenantId(tenant);
        return run(() -> store.reads().select(KEY_ID, LABEL, REVOKED_AT, SCOPES, RESOURCE_TYPES).from(API_KEYS)
                .where(Tables.TENANT_ID.eq(id)).orderBy(KEY_ID)
                .fetch(r -> new KeyInfo(r.get(KEY_ID), r.get(LABEL), r.get(REVOKED_AT) != null, access(r))));
    }

    private static <T> T run(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (DataAccessException e) {
            StoreException translated = PostgresTupleStore.translate(e);
            throw translated;
        }
    }
}
