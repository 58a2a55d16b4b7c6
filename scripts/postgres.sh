#!/usr/bin/env bash
# Start and stop a REAL, throw-away PostgreSQL server (Debian's postgresql package) for development and tests.
#
# Usage: scripts/postgres.sh start [--port N] [--timeout S] [--watch-pid PID] [--keep]
#        scripts/postgres.sh stop [--port N] [--keep]
#        scripts/postgres.sh status|url [--port N]
#        scripts/postgres.sh bindir
#
# `start` makes a new cluster (initdb) in a per-port directory, listening on 127.0.0.1 only (no Unix socket),
# trust authentication for the superuser `postgres`, fsync off (a test server: its data is thrown away), and
# prints its URL: postgresql+psycopg://postgres@127.0.0.1:PORT/postgres. `stop` stops it and deletes the cluster.
# `--keep` restarts the same cluster (fault tests: a server restarted with its data): `stop --keep` stops the
# server (immediate mode, as a crash would) and keeps the cluster; `start --keep` starts a kept cluster again
# (no initdb), or makes a new one when there is none.
# PostgreSQL refuses to run as root: invoked as root, the server runs as $PG_USER (created if missing).
#
# Environment: VOLUNTEER_HUB_PG_DIR  where clusters live (default: <repo>/var/postgres, or a directory under
#                                    /var/tmp when the checkout cannot be reached by $PG_USER)
#              PG_BINDIR             PostgreSQL's bin directory (default: the newest /usr/lib/postgresql/*/bin)
#              PG_USER               user that runs the server when invoked as root (default: vh-pg)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$REPO/scripts/postgres.sh"
PG_USER="${PG_USER:-vh-pg}"
DEFAULT_PORT=54329
DEFAULT_TIMEOUT=60

die() { echo "postgres.sh: error: $*" >&2; exit 1; }
info() { echo "postgres.sh: $*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# True when every directory from / down to $1 can be traversed by "other" users (the server's user).
world_traversable() {
    local d="$1"
    while [ -n "$d" ] && [ "$d" != "/" ]; do
        [ -e "$d" ] || { d="$(dirname "$d")"; continue; }
        case "$(stat -c %A "$d")" in
            d????????[xt]*) ;;
            *) return 1 ;;
        esac
        d="$(dirname "$d")"
    done
    return 0
}

if [ -n "${VOLUNTEER_HUB_PG_DIR:-}" ]; then
    PG_DIR="$VOLUNTEER_HUB_PG_DIR"
elif is_root && ! world_traversable "$REPO"; then
    PG_DIR="/var/tmp/volunteer-hub-pg/$(printf '%s' "$REPO" | sha1sum | cut -c1-12)"
else
    PG_DIR="$REPO/var/postgres"
fi

find_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return 0; fi
    local best="" d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && best="$d"
    done
    if [ -z "$best" ] && command -v pg_ctl >/dev/null 2>&1; then best="$(dirname "$(command -v pg_ctl)")"; fi
    [ -n "$best" ] || die "PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BINDIR)"
    echo "$best"
}

PORT=""; TIMEOUT="$DEFAULT_TIMEOUT"; WATCH_PID=""; KEEP=0
parse_args() {
    while [ $# -gt 0 ]; do
        case "$1" in
            --port) PORT="${2:?--port needs a value}"; shift 2 ;;
            --port=*) PORT="${1#*=}"; shift ;;
            --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
            --timeout=*) TIMEOUT="${1#*=}"; shift ;;
            --watch-pid) WATCH_PID="${2:?--watch-pid needs a value}"; shift 2 ;;
            --watch-pid=*) WATCH_PID="${1#*=}"; shift ;;
            --keep) KEEP=1; shift ;;
            *) die "unknown argument: $1" ;;
        esac
    done
    PORT="${PORT:-$DEFAULT_PORT}"
    case "$PORT" in ''|*[!0-9]*) die "bad --port: $PORT" ;; esac
    case "$TIMEOUT" in ''|*[!0-9]*) die "bad --timeout: $TIMEOUT" ;; esac
    CLUSTER="$PG_DIR/clusters/$PORT"
    DATA="$CLUSTER/data"
    URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
}

as_server_user() {  # run a command as the server's user (root: $PG_USER)
    if is_root; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

server_pid() { [ -s "$DATA/postmaster.pid" ] && head -n1 "$DATA/postmaster.pid"; return 0; }
pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

cmd_start() {
    local bindir
    bindir="$(find_bindir)"
    if pid_alive "$(server_pid)"; then
        info "already running on port $PORT (pid $(server_pid))"; echo "$URL"; return 0
    fi
    if (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        die "port $PORT on 127.0.0.1 is already in use by another process; choose another --port"
    fi
    if [ "$KEEP" = 1 ] && [ -s "$DATA/PG_VERSION" ]; then
        info "starting the kept cluster in $CLUSTER"
    else
        rm -rf "$CLUSTER"
        mkdir -p "$CLUSTER"
        if is_root; then
            if ! id -u "$PG_USER" >/dev/null 2>&1; then
                useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER" \
                    || die "could not create system user $PG_USER (PostgreSQL refuses to run as root)"
            fi
            world_traversable "$CLUSTER" || die "$PG_USER cannot reach $CLUSTER; set VOLUNTEER_HUB_PG_DIR"
            chown "$PG_USER:" "$CLUSTER"
        fi
        # --no-sync and fsync=off: a throw-away test cluster, speed over durability.
        as_server_user "$bindir/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
            >"$CLUSTER/initdb.log" 2>&1 || { cat "$CLUSTER/initdb.log" >&2; die "initdb failed"; }
        cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
timezone = 'UTC'
log_min_messages = warning
EOF
    fi
    # setsid: Ctrl-C in the caller's terminal does not reach the server; `stop` ends it.
    local -a run_as=()
    is_root && run_as=(runuser -u "$PG_USER" --)
    # setsid: Ctrl-C in the caller's terminal does not reach the server; `stop` ends it.
    if ! setsid -w "${run_as[@]}" "$bindir/pg_ctl" -D "$DATA" -l "$CLUSTER/server.log" -w -t "$TIMEOUT" start \
            </dev/null >"$CLUSTER/pg_ctl.log" 2>&1; then
        cat "$CLUSTER/pg_ctl.log" >&2
        tail -n 40 "$CLUSTER/server.log" >&2 2>/dev/null || true
        die "PostgreSQL did not start on port $PORT"
    fi
    echo "$URL" >"$CLUSTER/url"
    info "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') ready at 127.0.0.1:$PORT (pid $(server_pid))"
    if [ -n "$WATCH_PID" ]; then
        # Stops the server when the process that asked for it dies without stopping it (e.g. kill -9 of pytest).
        setsid bash -c '
            while kill -0 "$1" 2>/dev/null && [ -s "$2/postmaster.pid" ]; do sleep 2; done
            [ -s "$2/postmaster.pid" ] && exec bash "$3" stop --port "$4"
        ' watchdog "$WATCH_PID" "$DATA" "$SELF" "$PORT" </dev/null >/dev/null 2>&1 &
        echo $! >"$CLUSTER/watchdog.pid"
    fi
    echo "$URL"
}

cmd_stop() {
    local bindir wd
    bindir="$(find_bindir)"
    wd="$([ -s "$CLUSTER/watchdog.pid" ] && cat "$CLUSTER/watchdog.pid" || true)"
    if [ -n "$wd" ] && [ "$wd" != "$PPID" ] && [ "$wd" != "$$" ] && pid_alive "$wd"; then kill "$wd" 2>/dev/null || true; fi
    if pid_alive "$(server_pid)"; then
        as_server_user "$bindir/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 \
            || kill -KILL "$(server_pid)" 2>/dev/null || true
        info "stopped the server on port $PORT"
    else
        info "no server running on port $PORT"
    fi
    if [ "$KEEP" = 1 ]; then rm -f "$CLUSTER/watchdog.pid"; else rm -rf "$CLUSTER"; fi
}

cmd_status() {
    local pid
    pid="$(server_pid)"
    if pid_alive "$pid"; then echo "running: $URL pid=$pid"; else echo "not running (port $PORT)"; return 1; fi
}

main() {
    local cmd="${1:-}"
    [ $# -gt 0 ] && shift
    case "$cmd" in
        start) parse_args "$@"; cmd_start ;;
        stop) parse_args "$@"; cmd_stop ;;
        status) parse_args "$@"; cmd_status ;;
        url) parse_args "$@"; [ -s "$CLUSTER/url" ] || die "no server started on port $PORT"; cat "$CLUSTER/url" ;;
        bindir) find_bindir ;;
        -h|--help|help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SELF" ;;
        *) sed -n '4,6p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
}

main "$@"
