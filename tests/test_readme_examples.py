"""The README's command-line search examples find listings in the demo, run exactly as written.

The demo is crawled for real (``volunteer-hub demo --no-serve``: its feed server, the spiders,
the embedded index) into a fresh home; then every ``volunteer-hub search ...`` line of the
README's code blocks runs with ``--json`` added, and must return at least one listing.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(home: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VOLUNTEER_HUB_HOME": str(home)}
    for name in ("VOLUNTEER_HUB_DATABASE_URL", "VOLUNTEER_HUB_SEARCH"):
        env.pop(name, None)
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "volunteer_hub.cli", *args],
        capture_output=True, text=True, env=env, timeout=timeout, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def readme_search_examples() -> list[list[str]]:
    """The arguments of each ``volunteer-hub search "..."`` example in the README's code blocks."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("volunteer-hub search ")]


def test_the_readme_search_example_finds_demo_listings(tmp_path: Path) -> None:
    examples = readme_search_examples()
    assert ["search", "jardin", "--near", "Lyon", "--radius-km", "30"] in examples
    crawled = _cli(tmp_path, "demo", "--no-serve", "--feeds-port", str(_free_port()), timeout=300)
    assert crawled.returncode == 0, crawled.stdout + crawled.stderr
    for args in examples:
        found = _cli(tmp_path, *args, "--json", timeout=60)
        assert found.returncode == 0, found.stderr
        body = json.loads(found.stdout)
        assert body["total"] >= 1, f"README example finds nothing in the demo: {args}"
        if args[:2] == ["search", "jardin"]:
            titles = [item["title"] for item in body["items"]]
            assert any("Jardin partagé des Pentes" in t for t in titles), titles
