#!/usr/bin/env bash
# THE test command (README, .ci/run): install what the tests need, start one Elasticsearch node and one
# PostgreSQL server for the whole run, then run pytest in parallel (pytest-xdist).
# Extra arguments go to pytest, e.g.  bash scripts/test.sh -k conformance   (or -n 0 for a serial run)
#
# The node and the server are started here, on free ports on 127.0.0.1 (scripts/elasticsearch.sh,
# scripts/postgres.sh), shared by every xdist worker through VOLUNTEER_HUB_TEST_ES_URL / VOLUNTEER_HUB_TEST_PG_URL
# (tests/es_node.py, tests/pg_server.py: each test uses its own index alias / database), and stopped on exit,
# also on failure or Ctrl-C. Already set, those variables name running ones to use instead.
# A plain `pytest` without the variables still works: the session fixtures then start their own.
#
# Environment: VOLUNTEER_HUB_TEST_WORKERS     xdist workers (default: the number of CPUs, at least 2, at most 4)
#              VOLUNTEER_HUB_TEST_NO_INSTALL  1: skip scripts/install.sh (everything is installed already)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

PYTHON="${PYTHON:-$(command -v python || command -v python3 || true)}"
export PYTHON

say() { echo "test.sh: $*" >&2; }

t0=$SECONDS
if [ "${VOLUNTEER_HUB_TEST_NO_INSTALL:-}" = 1 ]; then
    say "VOLUNTEER_HUB_TEST_NO_INSTALL=1: install.sh skipped"
else
    bash scripts/install.sh
    say "install done in $((SECONDS - t0))s"
fi

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

ES_PORT=""; PG_PORT=""; ES_START_PID=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    [ -z "$ES_START_PID" ] || { kill "$ES_START_PID" 2>/dev/null || true; wait "$ES_START_PID" 2>/dev/null || true; }
    [ -z "$ES_PORT" ] || bash scripts/elasticsearch.sh stop --port "$ES_PORT" >/dev/null 2>&1 || true
    [ -z "$PG_PORT" ] || bash scripts/postgres.sh stop --port "$PG_PORT" >/dev/null 2>&1 || true
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Elasticsearch takes the longest to start: in the background while PostgreSQL starts.
# --watch-pid $$: the scripts' watchdogs stop them should this shell be killed with SIGKILL.
es_out="$(mktemp)"
if [ -z "${VOLUNTEER_HUB_TEST_ES_URL:-}" ] && [ "${VOLUNTEER_HUB_SKIP_ES:-}" != 1 ]; then
    ES_PORT="$(free_port)"
    bash scripts/elasticsearch.sh start --port "$ES_PORT" --timeout "${VOLUNTEER_HUB_ES_START_TIMEOUT:-120}" --watch-pid $$ >"$es_out" 2>&1 &
    ES_START_PID=$!
fi
if [ -z "${VOLUNTEER_HUB_TEST_PG_URL:-}" ] && [ "${VOLUNTEER_HUB_SKIP_PG:-}" != 1 ]; then
    PG_PORT="$(free_port)"
    if VOLUNTEER_HUB_TEST_PG_URL="$(bash scripts/postgres.sh start --port "$PG_PORT" --watch-pid $$ | tail -n1)"; then
        export VOLUNTEER_HUB_TEST_PG_URL
        say "PostgreSQL at $VOLUNTEER_HUB_TEST_PG_URL"
    else
        say "PostgreSQL did not start (the PostgreSQL tests will start their own)"; PG_PORT=""
        unset VOLUNTEER_HUB_TEST_PG_URL
    fi
fi
if [ -n "$ES_START_PID" ]; then
    if wait "$ES_START_PID"; then
        VOLUNTEER_HUB_TEST_ES_URL="$(tail -n1 "$es_out")"
        export VOLUNTEER_HUB_TEST_ES_URL
        say "Elasticsearch at $VOLUNTEER_HUB_TEST_ES_URL"
    else
        # The session fixture tries again and fails the Elasticsearch tests with the reason.
        cat "$es_out" >&2
        say "Elasticsearch did not start (the Elasticsearch tests will try to start their own)"; ES_PORT=""
    fi
    ES_START_PID=""
fi
rm -f "$es_out"

cpus="$(nproc 2>/dev/null || echo 2)"
workers="${VOLUNTEER_HUB_TEST_WORKERS:-$(( cpus < 2 ? 2 : (cpus > 4 ? 4 : cpus) ))}"

# --dist loadfile: a file's tests run on one worker, so module-scoped fixtures (a crawled demo, an indexed
# corpus, a started server) are built once, not once per worker.
# --no-loadscope-reorder: files are handed out in tests/conftest.py's order, the longest first (xdist's
# default, most tests first, left minute-long files of one or two tests to run alone at the end).
status=0
"$PYTHON" -m pytest -q -ra -n "$workers" --dist loadfile --no-loadscope-reorder "$@" || status=$?
say "pytest done in $((SECONDS - t0))s (exit $status)"
exit "$status"
