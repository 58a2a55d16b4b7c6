#!/usr/bin/env bash
# Fetch, start and stop a REAL local Elasticsearch node for development and tests.
#
# Usage: scripts/elasticsearch.sh fetch
#        scripts/elasticsearch.sh start [--port N] [--transport-port N] [--timeout S] [--watch-pid PID]
#        scripts/elasticsearch.sh wait|stop|status|url [--port N] [--timeout S]
#        scripts/elasticsearch.sh version|fetched|java-home
#
# The node is the "integ-test-zip" distribution from Maven Central: a real Elasticsearch with a minimal
# module set (no analysis-common, no ML), no bundled JDK (a JDK >= 21 from /usr/lib/jvm is used).
# It runs single-node, security off, bound to 127.0.0.1, with a throw-away data dir under the cache dir.
#
# Environment: VOLUNTEER_HUB_ES_DIR  cache/run dir (default: <repo>/.es, git-ignored)
#              ES_JAVA_HOME          JDK to use (default: the newest JDK >= 21 found under /usr/lib/jvm)
#              ES_HEAP               heap size (default: 512m)
#              ES_USER               user that runs the node when invoked as root (default: vh-es)
#              ES_EXTRA_SETTINGS     more node settings, space-separated key=value (each passed as -E key=value)
#              ES_DATA_DIR           data directory kept across restarts (default: a fresh one per start)
#              ES_CLUSTER_NAME       cluster name (default: volunteer-hub-test-<port>)
#              ES_SEED_HOSTS         a multi-node cluster: transport host:port of every node, comma-separated,
#              ES_INITIAL_MASTERS    with the node names (vh-test-<http port>) that bootstrap it; without
#                                    them the node runs single-node
set -euo pipefail

# The ONLY place the server version is set. pyproject.toml pins the Python client to the same major
# ("elasticsearch>=9.2,<9.3"): bump both together.
ES_VERSION=9.2.0
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"
MIN_JAVA=21

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$REPO/scripts/elasticsearch.sh"
ES_USER="${ES_USER:-vh-es}"
ES_HEAP="${ES_HEAP:-512m}"
DEFAULT_PORT=9200
DEFAULT_TIMEOUT=120

die() { echo "elasticsearch.sh: error: $*" >&2; exit 1; }
info() { echo "elasticsearch.sh: $*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# True when every directory from / down to $1 can be traversed by "other" users (the unprivileged ES user).
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

resolve_es_dir() {
    if [ -n "${VOLUNTEER_HUB_ES_DIR:-}" ]; then
        ES_DIR="$VOLUNTEER_HUB_ES_DIR"
    elif is_root && ! world_traversable "$REPO"; then
        # As root the node runs as $ES_USER, which could not reach a checkout under e.g. /root (mode 700):
        # use a per-checkout directory outside it instead.
        ES_DIR="/var/tmp/volunteer-hub-es/$(printf '%s' "$REPO" | sha1sum | cut -c1-12)"
    else
        ES_DIR="$REPO/.es"
    fi
    ES_HOME="$ES_DIR/elasticsearch-$ES_VERSION"
}
resolve_es_dir

# ---------------------------------------------------------------------------------------------- java
java_major() {  # prints the major version of the JDK at $1, or nothing
    local home="$1" v=""
    [ -x "$home/bin/java" ] || return 0
    if [ -f "$home/release" ]; then
        v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n1)"
    fi
    if [ -z "$v" ]; then
        v="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
    fi
    v="${v#1.}"
    v="${v%%[.+-]*}"
    case "$v" in ''|*[!0-9]*) return 0 ;; esac
    echo "$v"
}

find_java_home() {
    local cand major best="" best_major=0
    for cand in "${ES_JAVA_HOME:-}" "${JAVA_HOME:-}"; do
        [ -n "$cand" ] || continue
        major="$(java_major "$cand")"
        if [ -n "$major" ] && [ "$major" -ge "$MIN_JAVA" ]; then echo "$cand"; return 0; fi
    done
    for cand in /usr/lib/jvm/*/; do
        cand="${cand%/}"
        major="$(java_major "$cand")"
        [ -n "$major" ] || continue
        if [ "$major" -ge "$MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
            best="$cand"; best_major="$major"
        fi
    done
    [ -n "$best" ] || die "Elasticsearch $ES_VERSION needs a JDK >= $MIN_JAVA; none found (ES_JAVA_HOME, JAVA_HOME, /usr/lib/jvm/*). Install one (e.g. a Temurin or OpenJDK $MIN_JAVA+ package) or set ES_JAVA_HOME."
    echo "$best"
}

# ---------------------------------------------------------------------------------------------- http
http_get() {  # http_get URL [max-seconds] -> body on stdout; non-zero on connection error / HTTP >= 400
    local url="$1" max="${2:-5}"
    if command -v curl >/dev/null 2>&1; then
        curl -fsS --max-time "$max" "$url" 2>/dev/null
    else
        python3 - "$url" "$max" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])) as r:
    sys.stdout.write(r.read().decode())
PY
    fi
}

health_ok() {  # health_ok URL -> 0 when the cluster is yellow or green
    local body
    body="$(http_get "$1/_cluster/health?wait_for_status=yellow&timeout=2s" 5)" || return 1
    case "$body" in *'"status":"green"'*|*'"status":"yellow"'*) return 0 ;; esac
    return 1
}

# ---------------------------------------------------------------------------------------------- fetch
extract_zip() {  # extract_zip ZIP DEST, keeping the executable bits
    if command -v unzip >/dev/null 2>&1; then
        unzip -q "$1" -d "$2"
    else
        python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        path = z.extract(info, sys.argv[2])
        mode = (info.external_attr >> 16) & 0o777
        if mode:
            os.chmod(path, mode)
PY
    fi
}

cmd_fetch() {
    [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
    mkdir -p "$ES_DIR"
    command -v flock >/dev/null 2>&1 && { exec 8>"$ES_DIR/.fetch.lock"; flock 8; }
    [ -x "$ES_HOME/bin/elasticsearch" ] && return 0   # fetched by a concurrent run meanwhile
    local zip="$ES_DIR/download/elasticsearch-$ES_VERSION.zip"
    if [ ! -s "$zip" ]; then
        command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to fetch Elasticsearch from Maven Central (apt-get install maven)"
        info "fetching Elasticsearch $ES_VERSION ($ES_ARTIFACT) ..."
        local mvn_log="$ES_DIR/mvn-fetch.log"
        if ! mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$ES_ARTIFACT" \
                -DoutputDirectory="$ES_DIR/download" >"$mvn_log" 2>&1; then
            cat "$mvn_log" >&2
            die "mvn could not fetch $ES_ARTIFACT"
        fi
        rm -f "$mvn_log"
        [ -s "$zip" ] || die "mvn did not produce $zip"
    fi
    local tmp
    tmp="$(mktemp -d "$ES_DIR/.unzip.XXXXXX")"
    extract_zip "$zip" "$tmp" || { rm -rf "$tmp"; die "could not unzip $zip"; }
    [ -x "$tmp/elasticsearch-$ES_VERSION/bin/elasticsearch" ] || { rm -rf "$tmp"; die "unexpected layout in $zip"; }
    rm -rf "$ES_HOME"
    mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
    rmdir "$tmp"
    # Saves a little disk; mvn keeps its own copy in ~/.m2.
    rm -f "$zip"
    rmdir "$ES_DIR/download" 2>/dev/null || true
    info "Elasticsearch $ES_VERSION unpacked in $ES_HOME"
}

# ---------------------------------------------------------------------------------------------- node
PORT=""; TRANSPORT_PORT=""; TIMEOUT="$DEFAULT_TIMEOUT"; WATCH_PID=""
parse_args() {
    while [ $# -gt 0 ]; do
        case "$1" in
            --port) PORT="${2:?--port needs a value}"; shift 2 ;;
            --port=*) PORT="${1#*=}"; shift ;;
            --transport-port) TRANSPORT_PORT="${2:?--transport-port needs a value}"; shift 2 ;;
            --transport-port=*) TRANSPORT_PORT="${1#*=}"; shift ;;
            --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
            --timeout=*) TIMEOUT="${1#*=}"; shift ;;
            --watch-pid) WATCH_PID="${2:?--watch-pid needs a value}"; shift 2 ;;
            --watch-pid=*) WATCH_PID="${1#*=}"; shift ;;
            *) die "unknown argument: $1" ;;
        esac
    done
    case "$PORT" in ''|*[!0-9]*) [ -z "$PORT" ] || die "bad --port: $PORT" ;; esac
    case "$TIMEOUT" in ''|*[!0-9]*) die "bad --timeout: $TIMEOUT" ;; esac
}

# Without --port, the subcommands act on the node started last (recorded in $ES_DIR/current).
resolve_port() {
    if [ -z "$PORT" ]; then
        if [ -s "$ES_DIR/current" ]; then PORT="$(cat "$ES_DIR/current")"; else PORT="$DEFAULT_PORT"; fi
    fi
    NODE_DIR="$ES_DIR/nodes/$PORT"
    URL="http://127.0.0.1:$PORT"
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
node_pid() { [ -s "$NODE_DIR/launcher.pid" ] && cat "$NODE_DIR/launcher.pid"; return 0; }
group_alive() { [ -n "${1:-}" ] && kill -0 -- "-$1" 2>/dev/null; }

log_tail() {
    local f="$NODE_DIR/logs/console.log" n="${1:-60}"
    [ -s "$f" ] || { info "(no log in $f)"; return 0; }
    if grep -qE '\]\[(ERROR|FATAL)|^(ERROR|Exception|Caused by):|BindException|unknown setting' "$f"; then
        echo "----- errors in $f -----" >&2
        grep -E '\]\[(ERROR|FATAL)|^(ERROR|Exception|Caused by):|BindException|unknown setting' "$f" \
            | cut -c1-400 | head -n 15 >&2
    fi
    echo "----- last $n lines of $f (stack frames left out) -----" >&2
    grep -vE '^[[:space:]]+(at |\.\.\. [0-9]+ more)' "$f" | tail -n "$n" | cut -c1-400 >&2
    echo "----- (logs kept in $NODE_DIR/logs until the next start on port $PORT) -----" >&2
}

# Node dirs left by failed starts (kept for their logs) or by crashed nodes: removed after an hour.
prune_stale_nodes() {
    local d pid
    [ -d "$ES_DIR/nodes" ] || return 0
    while IFS= read -r d; do
        pid="$([ -s "$d/launcher.pid" ] && cat "$d/launcher.pid" || true)"
        group_alive "$pid" || rm -rf "$d"
    done < <(find "$ES_DIR/nodes" -mindepth 1 -maxdepth 1 -type d -mmin +60)
}

cmd_start() {
    resolve_port
    [ -x "$ES_HOME/bin/elasticsearch" ] || cmd_fetch
    local java_home
    java_home="$(find_java_home)"

    local old_pid
    old_pid="$(node_pid)"
    if group_alive "$old_pid"; then
        if health_ok "$URL"; then info "already running at $URL (pid $old_pid)"; echo "$URL"; return 0; fi
        die "a node started by this script for port $PORT is still running (pid $old_pid) but not healthy; run: $0 stop --port $PORT"
    fi
    if http_get "$URL/" 2 >/dev/null || (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        die "port $PORT on 127.0.0.1 is already in use by another process; choose another --port"
    fi

    prune_stale_nodes
    # A fresh, throw-away node directory: data, logs, config copy (keystore etc. are written there).
    rm -rf "$NODE_DIR"
    mkdir -p "$NODE_DIR/data" "$NODE_DIR/logs" "$NODE_DIR/tmp"
    cp -R "$ES_HOME/config" "$NODE_DIR/config"

    local -a run_as=()
    if is_root; then
        if ! id -u "$ES_USER" >/dev/null 2>&1; then
            useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER" \
                || die "could not create system user $ES_USER (Elasticsearch refuses to run as root)"
        fi
        chown -R "$ES_USER:" "$NODE_DIR"
        [ -z "${ES_DATA_DIR:-}" ] || { mkdir -p "$ES_DATA_DIR"; chown -R "$ES_USER:" "$ES_DATA_DIR"; }
        world_traversable "$ES_HOME" || die "$ES_USER cannot reach $ES_HOME; set VOLUNTEER_HUB_ES_DIR to a world-readable directory"
        run_as=(runuser -u "$ES_USER" --)
    fi

    local -a discovery=(-E discovery.type=single-node)
    if [ -n "${ES_SEED_HOSTS:-}" ]; then
        discovery=(-E "discovery.seed_hosts=$ES_SEED_HOSTS" -E "cluster.initial_master_nodes=${ES_INITIAL_MASTERS:?ES_INITIAL_MASTERS is needed with ES_SEED_HOSTS}")
    fi
    [ -z "${ES_DATA_DIR:-}" ] || mkdir -p "$ES_DATA_DIR"
    local -a settings=(
        "${discovery[@]}"
        -E xpack.security.enabled=false
        -E network.host=127.0.0.1
        -E "http.port=$PORT"
        -E "transport.port=${TRANSPORT_PORT:-0}"
        -E "path.data=${ES_DATA_DIR:-$NODE_DIR/data}"
        -E "path.logs=$NODE_DIR/logs"
        -E cluster.routing.allocation.disk.threshold_enabled=false
        -E xpack.ml.enabled=false
        -E "cluster.name=${ES_CLUSTER_NAME:-volunteer-hub-test-$PORT}"
        -E "node.name=vh-test-$PORT"
    )
    local extra
    for extra in ${ES_EXTRA_SETTINGS:-}; do settings+=(-E "$extra"); done
    # setsid: own session and process group, so Ctrl-C in the caller's terminal does not hit the node and
    # `stop` can end the launcher, the CLI JVM and the server JVM together.
    setsid "${run_as[@]}" env \
        ES_JAVA_HOME="$java_home" \
        ES_PATH_CONF="$NODE_DIR/config" \
        ES_TMPDIR="$NODE_DIR/tmp" \
        ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP ${ES_EXTRA_JAVA_OPTS:-}" \
        "$ES_HOME/bin/elasticsearch" "${settings[@]}" -p "$NODE_DIR/es.pid" \
        </dev/null >"$NODE_DIR/logs/console.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$NODE_DIR/launcher.pid"
    echo "$URL" >"$NODE_DIR/url"
    info "starting Elasticsearch $ES_VERSION at $URL (pid $pid, java $java_home) ..."

    local t0=$SECONDS
    until health_ok "$URL"; do
        if ! pid_alive "$pid"; then
            info "Elasticsearch exited during start-up"
            cmd_stop_quiet --keep-logs
            log_tail 60
            exit 1
        fi
        if [ $((SECONDS - t0)) -ge "$TIMEOUT" ]; then
            info "Elasticsearch did not reach yellow health within ${TIMEOUT}s"
            cmd_stop_quiet --keep-logs
            log_tail 60
            exit 1
        fi
        sleep 0.5
    done
    echo "$PORT" >"$ES_DIR/current"
    echo "$URL" >"$ES_DIR/url"
    echo "$pid" >"$ES_DIR/es.pid"
    info "ready at $URL after $((SECONDS - t0))s"

    if [ -n "$WATCH_PID" ]; then
        # Stops the node when the process that asked for it dies without stopping it (e.g. kill -9 of pytest).
        setsid bash -c '
            while kill -0 "$1" 2>/dev/null && kill -0 -- "-$2" 2>/dev/null; do sleep 2; done
            kill -0 -- "-$2" 2>/dev/null && exec bash "$3" stop --port "$4"
        ' watchdog "$WATCH_PID" "$pid" "$SELF" "$PORT" </dev/null >/dev/null 2>&1 &
        echo $! >"$NODE_DIR/watchdog.pid"
    fi
    echo "$URL"
}

cmd_stop_quiet() { cmd_stop "$@" >/dev/null 2>&1 || true; }

cmd_stop() {  # cmd_stop [--keep-logs]
    resolve_port
    local pid wd
    pid="$(node_pid)"
    wd="$([ -s "$NODE_DIR/watchdog.pid" ] && cat "$NODE_DIR/watchdog.pid" || true)"
    if [ -n "$wd" ] && [ "$wd" != "$PPID" ] && [ "$wd" != "$$" ] && pid_alive "$wd"; then
        kill -- "-$wd" 2>/dev/null || kill "$wd" 2>/dev/null || true
    fi
    if group_alive "$pid"; then
        kill -TERM -- "-$pid" 2>/dev/null || true
        local i
        for i in $(seq 1 60); do   # up to 30 s for a graceful shutdown
            group_alive "$pid" || break
            sleep 0.5
        done
        if group_alive "$pid"; then
            info "node (pid $pid) did not stop within 30s: killing it"
            kill -KILL -- "-$pid" 2>/dev/null || true
            for i in $(seq 1 20); do group_alive "$pid" || break; sleep 0.5; done
        fi
        info "stopped node at $URL (pid $pid)"
    else
        info "no node running for port $PORT"
    fi
    if [ -s "$ES_DIR/current" ] && [ "$(cat "$ES_DIR/current")" = "$PORT" ]; then
        rm -f "$ES_DIR/current" "$ES_DIR/url" "$ES_DIR/es.pid"
    fi
    if [ "${1:-}" = --keep-logs ]; then
        rm -rf "$NODE_DIR/data" "$NODE_DIR/tmp" "$NODE_DIR/launcher.pid" "$NODE_DIR/watchdog.pid" "$NODE_DIR/url"
    else
        rm -rf "$NODE_DIR"
    fi
}

cmd_wait() {
    resolve_port
    local t0=$SECONDS
    until health_ok "$URL"; do
        [ $((SECONDS - t0)) -lt "$TIMEOUT" ] || { info "no healthy node at $URL after ${TIMEOUT}s"; log_tail 40; exit 1; }
        sleep 0.5
    done
    echo "$URL"
}

cmd_status() {
    resolve_port
    local pid health
    pid="$(node_pid)"
    if group_alive "$pid"; then
        health="$(http_get "$URL/_cluster/health" 5 || true)"
        health="$(printf '%s' "$health" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')"
        echo "running: $URL pid=$pid health=${health:-unreachable} version=$ES_VERSION"
        [ -n "$health" ] && [ "$health" != red ]
    else
        echo "not running (port $PORT)"
        return 1
    fi
}

cmd_url() {
    resolve_port
    [ -s "$NODE_DIR/url" ] || { info "no node started for port $PORT"; exit 1; }
    cat "$NODE_DIR/url"
}

main() {
    local cmd="${1:-}"
    [ $# -gt 0 ] && shift
    case "$cmd" in
        fetch) [ $# -eq 0 ] || die "fetch takes no arguments"; cmd_fetch ;;
        start) parse_args "$@"; cmd_start ;;
        stop) parse_args "$@"; cmd_stop ;;
        wait) parse_args "$@"; cmd_wait ;;
        status) parse_args "$@"; cmd_status ;;
        url) parse_args "$@"; cmd_url ;;
        version) echo "$ES_VERSION" ;;
        fetched) [ -x "$ES_HOME/bin/elasticsearch" ] ;;   # exit status only
        java-home) find_java_home ;;
        -h|--help|help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SELF" ;;
        *) sed -n '4,7p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
}

main "$@"
