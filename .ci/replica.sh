#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL on port 5433 (cluster "replica", from
# pg_basebackup), for the read-replica tests. Idempotent: does nothing when it already runs.
set -euo pipefail
version="$(ls /etc/postgresql | head -n 1)"
port=5433
if pg_isready -h 127.0.0.1 -p "$port" -q; then
  exit 0
fi
hba="/etc/postgresql/$version/main/pg_hba.conf"
if ! grep -q '^host replication all 127.0.0.1/32 trust' "$hba"; then
  echo 'host replication all 127.0.0.1/32 trust' >> "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload
fi
data="/var/lib/postgresql/$version/replica"
if ! pg_lsclusters -h | awk '{print $2}' | grep -qx replica; then
  pg_createcluster "$version" replica -p "$port" >/dev/null
fi
if [ ! -f "$data/standby.signal" ]; then
  install -d -o postgres -g postgres -m 700 "$data"
  find "$data" -mindepth 1 -delete
  su postgres -c "pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D '$data' -R -X stream -c fast"
fi
# The replica lets in whom the primary lets in (trust on 127.0.0.1 for the tests).
cp "$hba" "/etc/postgresql/$version/replica/pg_hba.conf"
pg_ctlcluster --skip-systemctl-redirect "$version" replica start
for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p "$port" -q && break; sleep 1; done
