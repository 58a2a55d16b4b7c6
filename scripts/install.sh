#!/usr/bin/env bash
# Install everything the tests need; idempotent and quiet when there is nothing to do.
#
#   1. the package itself, editable, with its test extras:  pip install -e '.[test]'
#   2. Debian's chromium (/usr/bin/chromium) for the Playwright browser tests (never `playwright install`),
#      and Debian's postgresql (server binaries for scripts/postgres.sh)
#   3. axe-core from npm into ./node_modules (git-ignored), from package.json + package-lock.json
#   4. the Elasticsearch distribution: scripts/elasticsearch.sh fetch (needs Maven and a JDK >= 21)
#
# Environment: PYTHON (default: python, else python3)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

PYTHON="${PYTHON:-$(command -v python || command -v python3 || true)}"
[ -n "$PYTHON" ] || { echo "install.sh: error: no python found (set PYTHON)" >&2; exit 1; }

say() { echo "install.sh: $*" >&2; }
warn() { echo "install.sh: WARNING: $*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }

APT_UPDATED=""
apt_install() {  # apt_install PKG... (root only; runs `apt-get update` once)
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$APT_UPDATED" ]; then
        apt-get update -qq >/dev/null
        APT_UPDATED=1
    fi
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ------------------------------------------------------------------------------- 1. Python package
# Skipped when pyproject.toml, the interpreter and the checkout are those of the last successful install
# and the package still imports from this checkout.
STAMP="$REPO/.es/install.stamp"
stamp_value="$(
    {
        echo "$PYTHON"; "$PYTHON" -c 'import sys; print(sys.prefix, sys.version)'
        echo "$REPO"; sha256sum pyproject.toml
    } | sha256sum | cut -c1-64
)"
imports_from_here() {
    (cd / && "$PYTHON" -c 'import sys, volunteer_hub; print(volunteer_hub.__file__)' 2>/dev/null) \
        | grep -q "^$REPO/"
}
if [ -s "$STAMP" ] && [ "$(cat "$STAMP")" = "$stamp_value" ] && imports_from_here; then
    :
else
    say "pip install -e '.[test]' ..."
    PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install -q --disable-pip-version-check -e '.[test]'
    mkdir -p "$(dirname "$STAMP")"
    echo "$stamp_value" >"$STAMP"
fi

# ------------------------------------------------------------------------------- 2. chromium
if [ ! -x /usr/bin/chromium ]; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
        say "apt-get install chromium ..."
        apt_install chromium
    else
        warn "/usr/bin/chromium is missing and this is not root: the browser tests will fail." \
             "Install Debian's chromium (sudo apt-get install chromium)."
    fi
fi

# ------------------------------------------------------------------------------- 2b. PostgreSQL server
# The database tests run on a throw-away PostgreSQL cluster too (scripts/postgres.sh): Debian's package.
if ! bash scripts/postgres.sh bindir >/dev/null 2>&1; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
        say "apt-get install postgresql ..."
        apt_install postgresql
    else
        warn "PostgreSQL server binaries are missing and this is not root: the PostgreSQL tests will fail." \
             "Install Debian's postgresql (sudo apt-get install postgresql) or set VOLUNTEER_HUB_TEST_PG_URL."
    fi
fi

# ------------------------------------------------------------------------------- 3. axe-core (npm)
if [ -f package.json ]; then
    if ! command -v npm >/dev/null 2>&1; then
        warn "npm not found: axe-core is not installed (the accessibility checks need Node.js and npm)"
    elif [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/.package-lock.json ] \
        || [ package-lock.json -nt node_modules/.package-lock.json ] \
        || [ package.json -nt node_modules/.package-lock.json ]; then
        say "npm install (axe-core) ..."
        if [ -f package-lock.json ]; then
            npm ci --no-audit --no-fund --loglevel=error >/dev/null
        else
            npm install --no-audit --no-fund --loglevel=error >/dev/null
        fi
    fi
fi

# ------------------------------------------------------------------------------- 4. Elasticsearch
if ! command -v mvn >/dev/null 2>&1 && ! bash scripts/elasticsearch.sh fetched; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
        say "apt-get install maven (to fetch Elasticsearch from Maven Central) ..."
        apt_install maven
    fi
fi
bash scripts/elasticsearch.sh fetch
bash scripts/elasticsearch.sh java-home >/dev/null
