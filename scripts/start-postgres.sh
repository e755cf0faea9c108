#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the test suite.
#
# Two ways to use it:
#   source scripts/start-postgres.sh && start_postgres   # exports the variables below, stop_postgres stops it
#   eval "$(bash scripts/start-postgres.sh)"              # prints `export ...` lines; later:
#   bash scripts/start-postgres.sh stop                   # stops the server named by CONCIERGE_PG_DATADIR
#
# Exports:
#   CONCIERGE_TEST_POSTGRES_URL  postgres://USER:PASS@127.0.0.1:PORT/DB
#   CONCIERGE_PG_DATADIR         the temporary cluster directory (removed by stop_postgres)
#   CONCIERGE_PG_PORT
#   CONCIERGE_PG_APP_URL         an ordinary role's own database (for running a server)
# CONCIERGE_PG_DURABLE=1 starts it with PostgreSQL's durable defaults (for benchmarks).
#
# Uses the PostgreSQL binaries on PATH (/usr/local/bin on this machine kind), then
# /usr/lib/postgresql/*/bin, and installs Debian's `postgresql` package as a last resort.
# initdb refuses to run as root, so as root the cluster runs as the `postgres` user
# (created when missing).

_pg_log() { echo "[start-postgres] $*" >&2; }

_pg_find_bindir() {
    local candidate
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    for candidate in /usr/lib/postgresql/*/bin; do
        if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/postgres" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

_pg_ensure_binaries() {
    local bindir
    if bindir=$(_pg_find_bindir); then
        echo "$bindir"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        _pg_log "ERROR: no PostgreSQL server binaries (initdb, pg_ctl, postgres) found and not root to install them."
        _pg_log "       Install Debian's 'postgresql' package."
        return 1
    fi
    _pg_log "no PostgreSQL binaries found; installing Debian's postgresql package"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2 || {
        _pg_log "ERROR: apt-get install postgresql failed"
        return 1
    }
    _pg_find_bindir || { _pg_log "ERROR: postgresql installed but initdb/pg_ctl/postgres not found"; return 1; }
}

_pg_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_postgres: start a server and export CONCIERGE_TEST_POSTGRES_URL etc.
start_postgres() {
    local bindir user pass db port datadir run_as
    bindir=$(_pg_ensure_binaries) || return 1
    user=concierge
    pass=concierge
    db=concierge_test
    port=$(_pg_free_port) || { _pg_log "ERROR: could not pick a free port (python3 missing?)"; return 1; }
    datadir=$(mktemp -d /tmp/concierge-pg.XXXXXX) || return 1

    run_as=()
    if [ "$(id -u)" -eq 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            useradd --system --no-create-home --shell /usr/sbin/nologin postgres || {
                _pg_log "ERROR: could not create the postgres system user"
                return 1
            }
        fi
        chown postgres: "$datadir"
        run_as=(runuser -u postgres --)
    fi

    printf '%s\n' "$pass" >"$datadir.pw"
    chmod 644 "$datadir.pw"
    if ! "${run_as[@]}" "$bindir/initdb" -D "$datadir/data" -U "$user" --pwfile="$datadir.pw" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$datadir.initdb.log" 2>&1; then
        # Older clusters/builds may lack C.UTF-8; retry with plain C.
        if ! "${run_as[@]}" "$bindir/initdb" -D "$datadir/data" -U "$user" --pwfile="$datadir.pw" \
            --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync >"$datadir.initdb.log" 2>&1; then
            _pg_log "ERROR: initdb failed:"
            cat "$datadir.initdb.log" >&2
            rm -f "$datadir.pw"
            return 1
        fi
    fi
    rm -f "$datadir.pw"

    # Create the test database, and an ordinary role owning a database of its own (what
    # a production server connects as: it must not bypass row-level security), in
    # single-user mode: needs no client (psql) and no socket. -j ends commands at ";" + blank line.
    if ! printf '%s\n\n' "CREATE DATABASE $db OWNER $user;" \
        "CREATE ROLE concierge_app LOGIN PASSWORD 'app' NOSUPERUSER NOBYPASSRLS;" \
        "CREATE DATABASE concierge_app OWNER concierge_app;" |
        "${run_as[@]}" "$bindir/postgres" --single -D "$datadir/data" -j postgres >"$datadir.single.log" 2>&1; then
        _pg_log "ERROR: could not create database $db:"
        cat "$datadir.single.log" >&2
        return 1
    fi

    # Loopback only; the unix socket lives in the data dir (no /var/run/postgresql needed).
    # Tests trade durability for speed; CONCIERGE_PG_DURABLE=1 keeps PostgreSQL's defaults
    # (benchmarks: every commit flushed, as in production).
    local speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${CONCIERGE_PG_DURABLE:-0}" = 1 ] && speed=""
    if ! "${run_as[@]}" "$bindir/pg_ctl" -D "$datadir/data" -l "$datadir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $datadir/data $speed -c max_connections=200" \
        start >"$datadir.pg_ctl.log" 2>&1; then
        _pg_log "ERROR: pg_ctl start failed:"
        cat "$datadir.pg_ctl.log" "$datadir/server.log" >&2 2>/dev/null
        return 1
    fi

    export CONCIERGE_PG_BINDIR="$bindir"
    export CONCIERGE_PG_DATADIR="$datadir"
    export CONCIERGE_PG_PORT="$port"
    export CONCIERGE_TEST_POSTGRES_URL="postgres://$user:$pass@127.0.0.1:$port/$db"
    export CONCIERGE_PG_APP_URL="postgres://concierge_app:app@127.0.0.1:$port/concierge_app"
    _pg_log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $datadir"
    _pg_log "CONCIERGE_TEST_POSTGRES_URL=$CONCIERGE_TEST_POSTGRES_URL"
}

# stop_postgres [DATADIR]: stop the server and remove its data.
stop_postgres() {
    local datadir="${1:-${CONCIERGE_PG_DATADIR:-}}"
    local bindir="${CONCIERGE_PG_BINDIR:-}"
    [ -n "$datadir" ] || { _pg_log "stop: no data dir given and CONCIERGE_PG_DATADIR is unset"; return 1; }
    [ -n "$bindir" ] || bindir=$(_pg_find_bindir) || return 1
    if [ -f "$datadir/data/postmaster.pid" ]; then
        if [ "$(id -u)" -eq 0 ]; then
            runuser -u postgres -- "$bindir/pg_ctl" -D "$datadir/data" -m immediate -w stop >/dev/null 2>&1
        else
            "$bindir/pg_ctl" -D "$datadir/data" -m immediate -w stop >/dev/null 2>&1
        fi
    fi
    case "$datadir" in
    /tmp/concierge-pg.*) rm -rf "$datadir" "$datadir".*.log ;;
    esac
    _pg_log "stopped PostgreSQL in $datadir"
}

# Executed (not sourced): `start` (default) prints export lines; `stop [DATADIR]` stops.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-start}" in
    start)
        start_postgres
        printf 'export CONCIERGE_TEST_POSTGRES_URL=%q\n' "$CONCIERGE_TEST_POSTGRES_URL"
        printf 'export CONCIERGE_PG_DATADIR=%q\n' "$CONCIERGE_PG_DATADIR"
        printf 'export CONCIERGE_PG_PORT=%q\n' "$CONCIERGE_PG_PORT"
        printf 'export CONCIERGE_PG_APP_URL=%q\n' "$CONCIERGE_PG_APP_URL"
        printf 'export CONCIERGE_PG_BINDIR=%q\n' "$CONCIERGE_PG_BINDIR"
        ;;
    stop) stop_postgres "${2:-}" ;;
    *)
        echo "usage: $0 [start|stop [DATADIR]]" >&2
        exit 2
        ;;
    esac
fi
