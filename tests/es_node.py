"""pytest plugin: a REAL Elasticsearch node for the test session.

Registered from ``tests/conftest.py`` with ``pytest_plugins = ["tests.es_node"]``.

Fixture ``es_url`` (session scope, started lazily: only when a test asks for it):

* ``VOLUNTEER_HUB_TEST_ES_URL=http://host:port`` -> use that node (its health is checked first);
* otherwise -> ``scripts/elasticsearch.sh start --port <free port>`` on 127.0.0.1, stopped at the end of
  the session (also after Ctrl-C; a watchdog in the script stops it should this process be killed);
* if the node cannot be had, the requesting tests FAIL (error at setup) with the reason and the log tail.
  Only ``VOLUNTEER_HUB_SKIP_ES=1``, set explicitly for a quick local run, turns that into a skip.

Tests that use ``es_url`` get the ``elasticsearch`` marker, so ``-m "not elasticsearch"`` deselects them.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "elasticsearch.sh"

ENV_URL = "VOLUNTEER_HUB_TEST_ES_URL"
ENV_SKIP = "VOLUNTEER_HUB_SKIP_ES"
ENV_START_TIMEOUT = "VOLUNTEER_HUB_ES_START_TIMEOUT"  # seconds to reach yellow health (default 120)

_START_ATTEMPTS = 3  # a free port can be taken by someone else between picking and binding it


def cluster_health(url: str, wait_seconds: int = 0) -> dict:
    """GET /_cluster/health (optionally waiting for yellow). Raises OSError when unreachable.

    Plain HTTP on purpose: ``GET /`` answers 405 on the minimal test distribution, so the client's
    ``info()``/``ping()`` cannot be used as a readiness probe.
    """
    query = f"?wait_for_status=yellow&timeout={wait_seconds}s" if wait_seconds else ""
    req = urllib.request.Request(f"{url}/_cluster/health{query}", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=wait_seconds + 10) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as exc:  # 408 when wait_for_status timed out: the body still has the health
        body = exc.read().decode(errors="replace")
        try:
            return json.loads(body)
        except ValueError:
            raise OSError(f"HTTP {exc.code} from {url}/_cluster/health: {body[:500]}") from exc


def wait_healthy(url: str, timeout: float) -> tuple[bool, str]:
    deadline = time.monotonic() + timeout
    detail = "no answer"
    while True:
        try:
            health = cluster_health(url, wait_seconds=5)
            status = health.get("status")
            if status in ("green", "yellow"):
                return True, str(status)
            detail = f"cluster health is {status!r}: {health}"
        except OSError as exc:
            detail = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            return False, detail
        time.sleep(1)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _script(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class EsNode:
    url: str
    port: int | None = None  # None: an external node, not ours to stop
    startup_seconds: float | None = None
    _stopped: bool = field(default=False, repr=False)

    def stop(self) -> None:
        if self.port is None or self._stopped:
            return
        self._stopped = True
        try:
            _script("stop", "--port", str(self.port), timeout=120)
        except (OSError, subprocess.SubprocessError):
            pass  # the script's watchdog still stops the node once this process is gone


def start_node() -> EsNode:
    """Start a node on a free port with scripts/elasticsearch.sh; pytest.fail() with the log if impossible."""
    timeout = os.environ.get(ENV_START_TIMEOUT, "120")
    output = ""
    for _attempt in range(_START_ATTEMPTS):
        port = _free_port()
        started = time.monotonic()
        try:
            # The script fetches the distribution first if needed (mvn), hence the generous outer timeout.
            proc = _script(
                "start",
                "--port",
                str(port),
                "--timeout",
                timeout,
                "--watch-pid",
                str(os.getpid()),
                timeout=int(timeout) + 900,
            )
        except BaseException as exc:  # timeout, Ctrl-C during start-up: do not leave a node behind
            EsNode(url="", port=port).stop()
            if isinstance(exc, subprocess.TimeoutExpired):
                pytest.fail(
                    f"scripts/elasticsearch.sh start did not return in time:\n{exc.output or ''}",
                    pytrace=False,
                )
            raise
        output = proc.stdout
        if proc.returncode == 0:
            url = output.strip().splitlines()[-1].strip()
            return EsNode(url=url, port=port, startup_seconds=time.monotonic() - started)
        if "already in use" not in output:
            break
    pytest.fail(
        "Could not start a real Elasticsearch node with scripts/elasticsearch.sh "
        f"(exit {proc.returncode}). Set {ENV_URL} to use a running node, or {ENV_SKIP}=1 to skip "
        f"Elasticsearch tests in a quick local run.\n{output}",
        pytrace=False,
    )


_NODE_REPORT: list[str] = []


@pytest.fixture(scope="session")
def es_url():
    """Base URL (``http://127.0.0.1:PORT``) of a real, healthy Elasticsearch node for this session."""
    if os.environ.get(ENV_SKIP) == "1":
        if os.environ.get("CI"):
            # CI must exercise a real node: an opt-out left in its environment is an error, not a skip.
            pytest.fail(f"{ENV_SKIP}=1 is set in CI, where Elasticsearch tests must run", pytrace=False)
        pytest.skip(f"{ENV_SKIP}=1: Elasticsearch tests skipped on request")

    external = os.environ.get(ENV_URL, "").strip().rstrip("/")
    if external:
        ok, detail = wait_healthy(external, timeout=30)
        if not ok:
            pytest.fail(f"{ENV_URL}={external} is not a healthy Elasticsearch node: {detail}", pytrace=False)
        _NODE_REPORT.append(f"Elasticsearch: external node {external} ({detail})")
        yield external
        return

    node = start_node()
    atexit.register(node.stop)  # belt and braces, should the session end without fixture teardown
    _NODE_REPORT.append(f"Elasticsearch: node {node.url} started in {node.startup_seconds:.1f}s")
    try:
        yield node.url
    finally:
        node.stop()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "es_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.elasticsearch)


def pytest_terminal_summary(terminalreporter):
    for line in _NODE_REPORT:
        terminalreporter.write_line(line)
