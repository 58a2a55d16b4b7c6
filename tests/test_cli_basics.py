"""The command line as a newcomer meets it: --version, and `operators add` exactly as the README says."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from volunteer_hub.store.auth import authenticate
from volunteer_hub.store.db import Database


def run(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VOLUNTEER_HUB_HOME": str(home)}
    env.pop("VOLUNTEER_HUB_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "volunteer_hub.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL if stdin is None else None,
    )


def test_version(tmp_path: Path) -> None:
    result = run(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"volunteer-hub {version('volunteer-hub')}"


def test_commands_that_do_not_serve_never_import_flask(tmp_path: Path) -> None:
    # Every CLI subprocess used to pay ~0.5 s importing Flask through the filter registry (the
    # `search` options): the registry and the CLI modules import Flask only when a page is served.
    probe = (
        "import sys; from volunteer_hub.cli.main import build_parser, main; build_parser()\n"
        "try:\n    main(['search', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('flask', 'flask_babel', 'werkzeug', 'jinja2') if m in sys.modules))"
    )
    env = {**os.environ, "VOLUNTEER_HUB_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_operators_add_reads_the_password_from_a_pipe(tmp_path: Path) -> None:
    result = run(tmp_path, "operators", "add", "you@example.org", stdin="a long passphrase\n")
    assert result.returncode == 0, result.stderr
    assert "added operator you@example.org" in result.stdout
    db = Database(f"sqlite:///{tmp_path / 'volunteer-hub.db'}")
    assert authenticate(db, "you@example.org", "a long passphrase").ok
    assert not authenticate(db, "you@example.org", "another one!").ok


def test_operators_add_without_terminal_or_input_says_why(tmp_path: Path) -> None:
    result = run(tmp_path, "operators", "add", "you@example.org")
    assert result.returncode == 1
    assert "no password on standard input" in result.stderr
    assert "Traceback" not in result.stderr
