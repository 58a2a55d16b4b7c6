"""Crawl subprocesses: allocate the run, spawn ``volunteer-hub crawl ID --run-id N`` with a hard
timeout, and close the run if the process left it open.

Twisted's reactor starts once per process, so every crawl runs in its own process group; on
timeout the whole group is killed (Scrapy may have helper threads, never helper processes,
but a group kill is cheap insurance). The caller allocates the run, so it knows the run's id
without reading anything the child prints.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from volunteer_hub.core.config import Settings
from volunteer_hub.store.db import Database
from volunteer_hub.store.runs import (
    RunNotRunning,
    allocate_run,
    attach_process,
    fail_if_running,
    set_log_file,
)

log = logging.getLogger(__name__)

KILL_GRACE_SECONDS = 10


@dataclass
class CrawlOutcome:
    partner_id: str
    exit_code: int | None
    timed_out: bool
    log_file: str
    run_ids: list[int]


def crawl_command(partner_id: str, run_id: int) -> list[str]:
    """The exact command line of one crawl (``volunteer-hub crawl ID --run-id N``)."""
    return [sys.executable, "-m", "volunteer_hub.cli", "crawl", partner_id, "--run-id", str(run_id)]


def _log_path(settings: Settings, partner_id: str) -> Path:
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return settings.logs_dir / f"crawl-{partner_id}-{stamp}.log"


def timeout_message(timeout_seconds: int) -> str:
    return f"killed after the hard timeout of {timeout_seconds} s"


def run_crawl(
    settings: Settings,
    db: Database,
    partner_id: str,
    *,
    trigger: str,
    timeout_seconds: int,
    run_id: int | None = None,
) -> CrawlOutcome:
    """Run one crawl subprocess to completion (or kill it at ``timeout_seconds``). Blocking.

    ``run_id``: a run already allocated for it (``spawn_crawl_in_background``); otherwise one is
    allocated here, raising ``AlreadyRunning`` when the partner has a run in progress.
    """
    log_file = str(_log_path(settings, partner_id))
    if run_id is None:
        run_id = allocate_run(db, partner_id, trigger, log_file=log_file)
    else:
        set_log_file(db, run_id, log_file)
    with open(log_file, "wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            crawl_command(partner_id, run_id),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: killed as a whole on timeout
            # Unbuffered: the log is readable while the crawl runs, and complete by the time the
            # child records its result (a block-buffered summary otherwise lands only at exit).
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        attach_process(db, run_id, pid=proc.pid)  # the child attaches itself too, once started
    except RunNotRunning:
        pass  # the child already finished (or refused) its run
    log.info("crawl %s started as run #%s (pid %s, log %s)", partner_id, run_id, proc.pid, log_file)
    timed_out = False
    try:
        exit_code: int | None = proc.wait(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
        log.error("crawl %s exceeded %ss: killing process group %s", partner_id, timeout_seconds, proc.pid)
        # Closed before the kill: the child, interrupted by the SIGTERM, would record only that.
        fail_if_running(db, run_id, timeout_message(timeout_seconds))
        exit_code = kill_group(proc)
    fail_if_running(
        db, run_id, f"abandoned: the crawl process died (exit code {exit_code}) without recording a result"
    )
    log.info("crawl %s finished: exit %s%s", partner_id, exit_code, " (timed out)" if timed_out else "")
    return CrawlOutcome(partner_id, exit_code, timed_out, log_file, [run_id])


def kill_group(proc: subprocess.Popen[bytes]) -> int | None:
    """SIGTERM the process group, then SIGKILL it after a grace period; returns the exit code."""
    for sig, wait in ((signal.SIGTERM, KILL_GRACE_SECONDS), (signal.SIGKILL, 30)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            return proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    return proc.poll()
