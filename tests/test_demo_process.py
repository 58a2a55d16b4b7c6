"""`volunteer-hub demo` as a newcomer runs it (issue 15): a real process, real signals, real ports.

- Ctrl-C (SIGINT to the process group, as a terminal sends it) and SIGTERM stop everything, site
  and feed server included. The demo kills its site 3 s after asking it to stop, so it ends within
  about 5 s; the bound below only detects a hang (no timing assertions: a loaded CI machine is slow).
- "Apply" lands on a page the demo serves, not on an unresolvable `.example` address.
- A busy port is an error that names the option, before anything is crawled.
- The site is served by the production server (no Werkzeug banner).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def start_demo(home: Path, port: int, feeds_port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "VOLUNTEER_HUB_HOME": str(home)}
    for name in ("VOLUNTEER_HUB_SEARCH", "VOLUNTEER_HUB_DATABASE_URL"):
        env.pop(name, None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "volunteer_hub.cli",
            "demo",
            "--port",
            str(port),
            "--feeds-port",
            str(feeds_port),
            "--no-scheduler",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like a shell job
    )


def wait_ready(proc: subprocess.Popen[str], timeout: float = 240) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "demo is ready" in line:
            return lines
    raise AssertionError("the demo never said it was ready:\n" + "".join(lines))


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, int]]:
    port, feeds_port = free_port(), free_port()
    proc = start_demo(tmp_path / "home", port, feeds_port)
    try:
        wait_ready(proc)
        yield proc, port, feeds_port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


HANG = 60  # seconds: far above the ~5 s a stop takes, so only a demo that ignores the signal fails


def stops(proc: subprocess.Popen[str], *ports: int) -> float:
    started = time.monotonic()
    proc.wait(timeout=HANG)
    for port in ports:
        for _ in range(20):
            if not listening(port):
                break
            time.sleep(0.1)
        assert not listening(port), f"port {port} still served after the demo stopped"
    return time.monotonic() - started


def test_ctrl_c_stops_everything(demo: tuple[subprocess.Popen[str], int, int]) -> None:
    proc, port, feeds_port = demo
    assert listening(port) and listening(feeds_port)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
    stops(proc, port, feeds_port)
    assert proc.returncode == 0


def test_sigterm_stops_everything(demo: tuple[subprocess.Popen[str], int, int]) -> None:
    proc, port, feeds_port = demo
    proc.send_signal(signal.SIGTERM)  # to the demo process only: it must stop its site too
    stops(proc, port, feeds_port)
    assert proc.returncode == 0
    assert "stopped." in (proc.stdout.read() if proc.stdout else "")


def test_apply_lands_on_a_served_page(demo: tuple[subprocess.Popen[str], int, int]) -> None:
    _proc, port, feeds_port = demo
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/opportunities?per_page=50") as res:
        assert res.headers.get("Server") != "" and "Werkzeug" not in (res.headers.get("Server") or "")
        items = json.load(res)["items"]
    assert items
    for item in items[:5]:
        # /go/<id> redirects to the listing's page; following it must end on a 200 page with its title.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/go/{item['id']}") as page:
            assert page.status == 200
            assert page.url.startswith(f"http://127.0.0.1:{feeds_port}/sites/")
            html = page.read().decode()
        assert item["title"].split(":")[0][:30] in html.replace("&#x27;", "'").replace("&amp;", "&")


def test_busy_ports_are_refused_before_crawling(tmp_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        busy = held.getsockname()[1]
        for args, option in (((busy, free_port()), "--port"), ((free_port(), busy), "--feeds-port")):
            proc = start_demo(tmp_path / "home", *args)
            out, _ = proc.communicate(timeout=120)
            assert proc.returncode == 1, out
            assert f"port {busy}" in out and option in out and "already in use" in out
            assert "demo feeds served" not in out and "seen " not in out and "demo is ready" not in out
