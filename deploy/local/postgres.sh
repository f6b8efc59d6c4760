#!/usr/bin/env bash
# Local PostgreSQL for Nimbus: the Debian "main" cluster, listening on 127.0.0.1 only.
# usage: postgres.sh start|stop|status|restart   (env NIMBUS_PG_PORT, default 5432)
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_PORT="${NIMBUS_PG_PORT:-5432}"
PG_URL="postgresql://nimbus:nimbus@127.0.0.1:$PG_PORT/postgres"
PG_CLUSTER=main

# Newest version that has a "main" cluster; else the newest installed server (cluster still to create).
pg_version() {
    local v
    v="$(pg_lsclusters -h 2>/dev/null | awk -v c="$PG_CLUSTER" '$2 == c { print $1 }' | sort -V | tail -n 1)"
    if [[ -z "$v" && -d /usr/lib/postgresql ]]; then
        v="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
    fi
    [[ -n "$v" ]] || return 1
    printf '%s\n' "$v"
}

pg_online() {
    [[ "$(pg_lsclusters -h 2>/dev/null | awk -v v="$1" -v c="$PG_CLUSTER" '$1 == v && $2 == c { print $4 }')" == online ]]
}

# Healthy = accepts TCP on 127.0.0.1 and the nimbus role can log in there with its password.
pg_healthy() {
    pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 3 &&
        [[ "$(PGCONNECT_TIMEOUT=3 psql -X -tAq "$PG_URL" -c 'select 1' 2>/dev/null)" == 1 ]]
}

pg_status_line() {
    if pg_healthy; then
        printf '%-9s up    %s\n' postgres "$PG_URL"
    else
        printf '%-9s down  127.0.0.1:%s\n' postgres "$PG_PORT"
        return 3
    fi
}

# Our settings in a conf.d drop-in (Debian's postgresql.conf include_dir's it last, so it wins).
# Returns 0 when the file changed, i.e. a restart is needed.
pg_write_conf() {
    local confd="/etc/postgresql/$1/$PG_CLUSTER/conf.d"
    mkdir -p "$confd"
    write_if_changed "$confd/nimbus.conf" <<EOF
# Managed by deploy/local/postgres.sh; rewritten on every start.
listen_addresses = '127.0.0.1'
port = $PG_PORT
max_connections = 300
# Durability stays at PostgreSQL's defaults on purpose: Nimbus promises acknowledged writes survive.
fsync = on
synchronous_commit = on
EOF
}

# Services log in over TCP with a password, so 127.0.0.1 must use scram/md5 (Debian's default does).
# Returns 0 when pg_hba.conf was changed, i.e. a reload is needed.
pg_ensure_hba() {
    local hba="/etc/postgresql/$1/$PG_CLUSTER/pg_hba.conf"
    if grep -Eq '^[[:space:]]*host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+(scram-sha-256|md5)([[:space:]]|$)' "$hba"; then
        return 1
    fi
    log "adding a scram-sha-256 rule for 127.0.0.1 to $hba"
    printf 'host    all             all             127.0.0.1/32            scram-sha-256   # nimbus\n' >>"$hba"
    return 0
}

# Superuser so each Nimbus service can create its own database; idempotent.
pg_ensure_role() {
    (
        cd / # psql as postgres would complain that it cannot read the repo's cwd
        runuser -u postgres -- psql -X -q -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nimbus') THEN
    CREATE ROLE nimbus LOGIN SUPERUSER PASSWORD 'nimbus';
  ELSE
    ALTER ROLE nimbus LOGIN SUPERUSER PASSWORD 'nimbus';
  END IF;
END
$$;
SQL
    )
}

postgres_start() {
    lock postgres
    apt_install postgresql
    local v conf_changed=0 hba_changed=0
    v="$(pg_version)" || die "no PostgreSQL server version found under /usr/lib/postgresql"
    if ! pg_lsclusters -h 2>/dev/null | awk -v v="$v" -v c="$PG_CLUSTER" '$1 == v && $2 == c { f = 1 } END { exit !f }'; then
        log "creating PostgreSQL $v cluster '$PG_CLUSTER'"
        pg_createcluster "$v" "$PG_CLUSTER" >&2
    fi
    pg_write_conf "$v" && conf_changed=1
    pg_ensure_hba "$v" && hba_changed=1

    if pg_online "$v"; then
        if ((conf_changed)); then
            log "postgres config changed; restarting PostgreSQL $v"
            pg_ctlcluster "$v" "$PG_CLUSTER" restart >&2 9>&-
        elif ((hba_changed)); then
            pg_ctlcluster "$v" "$PG_CLUSTER" reload >&2
        elif pg_healthy; then
            pg_status_line # fast path: already up, nothing to do
            return 0
        fi
    else
        if pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 1; then
            die "127.0.0.1:$PG_PORT is taken by something other than cluster $v/$PG_CLUSTER"
        fi
        log "starting PostgreSQL $v on 127.0.0.1:$PG_PORT"
        pg_ctlcluster "$v" "$PG_CLUSTER" start >&2 9>&- ||
            die "pg_ctlcluster start failed; see /var/log/postgresql/postgresql-$v-$PG_CLUSTER.log"
    fi
    wait_for 60 "postgres to accept connections" pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 1 ||
        die "postgres not ready; see /var/log/postgresql/postgresql-$v-$PG_CLUSTER.log"
    pg_ensure_role
    wait_for 30 "postgres password login as nimbus" pg_healthy ||
        die "nimbus cannot log in over 127.0.0.1; check /etc/postgresql/$v/$PG_CLUSTER/pg_hba.conf"
    pg_status_line
}

postgres_stop() {
    lock postgres
    local v
    if ! command -v pg_lsclusters >/dev/null 2>&1 || ! v="$(pg_version)"; then
        printf '%-9s down  (not installed)\n' postgres
        return 0
    fi
    if pg_online "$v"; then
        log "stopping PostgreSQL $v"
        pg_ctlcluster "$v" "$PG_CLUSTER" stop >&2 # default mode is fast: rolls back sessions, checkpoints
    fi
    printf '%-9s down\n' postgres
}

postgres_status() {
    if ! command -v pg_isready >/dev/null 2>&1; then
        printf '%-9s down  (not installed)\n' postgres
        return 3
    fi
    pg_status_line
}

usage_dispatch postgres "$@"
