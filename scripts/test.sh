#!/usr/bin/env bash
# THE test command (README, .ci/run): install what the tests need, then run pytest.
# Extra arguments go to pytest, e.g.  bash scripts/test.sh -k conformance
#
# The Elasticsearch tests start a real node themselves (tests/es_node.py, on a free port on 127.0.0.1)
# and stop it afterwards. VOLUNTEER_HUB_TEST_ES_URL=http://... uses a running node instead.
# The database tests run on SQLite and on a throw-away PostgreSQL server started the same way
# (tests/pg_server.py, scripts/postgres.sh); VOLUNTEER_HUB_TEST_PG_URL=postgresql://... uses a running one.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

PYTHON="${PYTHON:-$(command -v python || command -v python3 || true)}"
export PYTHON

t0=$SECONDS
bash scripts/install.sh
echo "test.sh: install done in $((SECONDS - t0))s" >&2

status=0
"$PYTHON" -m pytest -q -ra "$@" || status=$?
exit "$status"
