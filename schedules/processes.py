"""Crawl subprocesses: spawn ``volunteer-hub crawl ID`` with a hard timeout, find orphaned runs.

Twisted's reactor starts once per process, so every crawl runs in its own process group; on
timeout the whole group is killed (Scrapy may have helper threads, never helper processes,
but a group kill is cheap insurance) and the run record the child left behind is closed.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from volunteer_hub.core.config import Settings
from volunteer_hub.store.db import CrawlRun, Database
from volunteer_hub.store.ops_models import CrawlProcess, aware

log = logging.getLogger(__name__)

HOST = socket.gethostname()
KILL_GRACE_SECONDS = 10


class AlreadyRunning(RuntimeError):
    """The partner already has a crawl in progress: a second one is refused, not doubled."""


@dataclass
class CrawlOutcome:
    partner_id: str
    exit_code: int | None
    timed_out: bool
    log_file: str
    run_ids: list[int]


def crawl_command(partner_id: str, trigger: str) -> list[str]:
    """The exact command line of one crawl (the same as ``volunteer-hub crawl ID``)."""
    return [sys.executable, "-m", "volunteer_hub.cli", "crawl", partner_id, "--trigger", trigger]


def running_run(db: Database, partner_id: str) -> CrawlRun | None:
    with db.session() as s:
        return s.scalars(
            select(CrawlRun).where(CrawlRun.partner_id == partner_id, CrawlRun.status == "running")
        ).first()


def _log_path(settings: Settings, partner_id: str) -> Path:
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return settings.logs_dir / f"crawl-{partner_id}-{stamp}.log"


def run_crawl(
    settings: Settings, db: Database, partner_id: str, *, trigger: str, timeout_seconds: int
) -> CrawlOutcome:
    """Run one crawl subprocess to completion (or kill it at ``timeout_seconds``). Blocking.

    Raises ``AlreadyRunning`` when the partner has a run in progress.
    """
    if running_run(db, partner_id) is not None or _live_process_for(db, partner_id):
        raise AlreadyRunning(f"{partner_id}: a crawl is already running")
    log_file = _log_path(settings, partner_id)
    started = datetime.now(UTC) - timedelta(seconds=1)
    with open(log_file, "wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            crawl_command(partner_id, trigger),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: killed as a whole on timeout
            env=dict(os.environ),
        )
    with db.session() as s, s.begin():
        record = CrawlProcess(
            partner_id=partner_id,
            trigger=trigger,
            host=HOST,
            pid=proc.pid,
            started_at=started,
            log_file=str(log_file),
        )
        s.add(record)
        s.flush()
        record_id = record.id
    log.info("crawl %s started (pid %s, log %s)", partner_id, proc.pid, log_file)
    timed_out = False
    try:
        exit_code: int | None = proc.wait(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
        log.error("crawl %s exceeded %ss: killing process group %s", partner_id, timeout_seconds, proc.pid)
        exit_code = kill_group(proc)
    run_ids = close_runs(db, partner_id, started, str(log_file), timed_out, timeout_seconds)
    with db.session() as s, s.begin():
        record = s.get(CrawlProcess, record_id)
        if record is not None:
            record.finished_at = datetime.now(UTC)
            record.exit_code = exit_code
            record.timed_out = timed_out
    log.info("crawl %s finished: exit %s%s", partner_id, exit_code, " (timed out)" if timed_out else "")
    return CrawlOutcome(partner_id, exit_code, timed_out, str(log_file), run_ids)


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


RUN_ID_IN_LOG = re.compile(r"\(run #(\d+), format ")


def run_ids_in_log(log_file: str) -> list[int]:
    """The run ids ``volunteer-hub crawl`` printed in its report (see ``cli.print_run``)."""
    try:
        text = Path(log_file).read_text(errors="replace")
    except OSError:
        return []
    return [int(m) for m in RUN_ID_IN_LOG.findall(text)]


def close_runs(
    db: Database,
    partner_id: str,
    since: datetime,
    log_file: str,
    timed_out: bool,
    timeout_seconds: int,
    run_ids: list[int] | None = None,
) -> list[int]:
    """Attach the log to the run(s) the child created; fail any it left running (timeout, crash).

    The child's runs are the ids it reported; without a report (killed, crashed), the runs of
    the partner started since ``since`` — unless another live process crawls the partner (a
    concurrent crawl that won the race owns them).
    """
    ids: list[int] = []
    if run_ids is None:
        run_ids = run_ids_in_log(log_file) if not log_file.startswith(("http://", "https://")) else []
    another = not run_ids and crawl_process_alive(db, partner_id) is True
    with db.session() as s, s.begin():
        stmt = select(CrawlRun).where(CrawlRun.partner_id == partner_id)
        stmt = stmt.where(CrawlRun.id.in_(run_ids)) if run_ids else stmt.where(CrawlRun.started_at >= since)
        for run in s.scalars(stmt).all():
            if another:
                continue
            if run.log_file is None:
                run.log_file = log_file
            if run.status == "running":
                run.status = "failed"
                run.finished_at = datetime.now(UTC)
                run.message = (
                    f"killed after the hard timeout of {timeout_seconds} s"
                    if timed_out
                    else "the crawl process ended without recording a result (crash or kill)"
                )
            ids.append(run.id)
    return ids


def spawn_crawl_in_background(
    settings: Settings,
    db: Database,
    partner_id: str,
    *,
    trigger: str,
    timeout_seconds: int,
    scrapyd_url: str | None = None,
) -> threading.Thread:
    """``run_crawl`` (or the Scrapyd dispatch) in a daemon thread: the console's "run now".

    Refuses at once when the partner has a crawl in progress.
    """
    if running_run(db, partner_id) is not None or _live_process_for(db, partner_id):
        raise AlreadyRunning(f"{partner_id}: a crawl is already running")

    def target() -> None:
        try:
            if scrapyd_url:
                from schedules.scrapyd import run_crawl_scrapyd

                run_crawl_scrapyd(
                    scrapyd_url, db, partner_id, trigger=trigger, timeout_seconds=timeout_seconds
                )
            else:
                run_crawl(settings, db, partner_id, trigger=trigger, timeout_seconds=timeout_seconds)
        except AlreadyRunning as exc:
            log.warning("%s", exc)
        except Exception:  # noqa: BLE001 - a background thread must log, not die silently
            log.exception("background crawl of %s failed", partner_id)
        else:
            _after_crawl(settings, db, partner_id)

    thread = threading.Thread(target=target, name=f"crawl-{partner_id}", daemon=True)
    thread.start()
    return thread


def _after_crawl(settings: Settings, db: Database, partner_id: str) -> None:
    from schedules.alerts import evaluate_partner
    from schedules.config import load_ops_config

    try:
        evaluate_partner(db, partner_id, load_ops_config())
    except Exception:  # noqa: BLE001
        log.exception("alert evaluation failed for %s", partner_id)


# -- orphaned runs ----------------------------------------------------------------------------
def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) is gone for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _database_url_of(environ: dict[str, str]) -> str:
    """The database a process with this environment uses (as ``volunteer_hub.core.config`` decides)."""
    if environ.get("VOLUNTEER_HUB_DATABASE_URL"):
        return environ["VOLUNTEER_HUB_DATABASE_URL"]
    home = environ.get("VOLUNTEER_HUB_HOME") or str(Path(environ.get("HOME") or "~") / ".volunteer-hub")
    return f"sqlite:///{Path(home).expanduser() / 'volunteer-hub.db'}"


def _crawl_cmdlines(database_url: str | None = None) -> list[list[str]] | None:
    """argv of every local ``volunteer-hub crawl`` process (on ``database_url`` when given),
    or None when /proc is unavailable."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if not (
            "crawl" in argv
            and any(a.endswith(("volunteer-hub", "volunteer_hub.cli", "scrapyd.runner")) for a in argv)
        ):
            continue
        if database_url is not None:
            try:
                raw = (entry / "environ").read_bytes().decode(errors="replace").split("\0")
                environ = dict(item.split("=", 1) for item in raw if "=" in item)
            except OSError:
                environ = None  # not ours to read: assume it may be ours
            if environ is not None and _database_url_of(environ) != database_url:
                continue  # a crawl of another installation (or another test)
        if pid_alive(int(entry.name)):
            found.append(argv)
    return found


def _live_process_for(db: Database, partner_id: str) -> bool:
    with db.session() as s:
        records = s.scalars(
            select(CrawlProcess).where(
                CrawlProcess.partner_id == partner_id,
                CrawlProcess.finished_at.is_(None),
                CrawlProcess.host == HOST,
            )
        ).all()
    return any(pid_alive(r.pid) for r in records)


def crawl_process_alive(db: Database, partner_id: str) -> bool | None:
    """Whether a local process is crawling ``partner_id``; None when it cannot be known."""
    if _live_process_for(db, partner_id):
        return True
    cmdlines = _crawl_cmdlines(db.engine.url.render_as_string(hide_password=False))
    if cmdlines is None:
        return None
    return any(
        partner_id in argv or f"partner_id={partner_id}" in argv or "--all" in argv for argv in cmdlines
    )


def fail_orphaned_runs(
    db: Database, *, max_age_seconds: int, min_age_seconds: int = 5, remote: bool = False
) -> list[int]:
    """Mark failed the runs left "running" whose process is gone (crash, kill, reboot).

    A run is orphaned when no local process crawls its partner (checked through /proc and
    the ``crawl_process`` records) and, on a shared database server or with Scrapyd
    (``remote``), where the crawl may run on another host, when it is also older than
    ``max_age_seconds`` (the hard timeout).
    """
    now = datetime.now(UTC)
    single_host = db.engine.url.get_backend_name() == "sqlite" and not remote
    with db.session() as s:
        running = s.scalars(select(CrawlRun).where(CrawlRun.status == "running")).all()
    failed: list[int] = []
    for run in running:
        age = (now - aware(run.started_at)).total_seconds()
        if age < min_age_seconds:
            continue
        alive = crawl_process_alive(db, run.partner_id)
        if alive:
            continue
        if not (age > max_age_seconds or (alive is False and single_host)):
            continue
        with db.session() as s, s.begin():
            current = s.get(CrawlRun, run.id)
            if current is None or current.status != "running":
                continue
            current.status = "failed"
            current.finished_at = now
            current.message = "interrupted: the crawl process is gone (crash, kill or restart); marked failed"
            failed.append(run.id)
        log.warning("run #%s of %s was left running by a dead process: marked failed", run.id, run.partner_id)
    # Close process records whose process is gone.
    with db.session() as s, s.begin():
        for record in s.scalars(
            select(CrawlProcess).where(CrawlProcess.finished_at.is_(None), CrawlProcess.host == HOST)
        ):
            if not pid_alive(record.pid):
                record.finished_at = now
                # Adopted crawl (its scheduler stopped meanwhile): link its log to its runs.
                ids = run_ids_in_log(record.log_file) if record.log_file else []
                for run in s.scalars(
                    select(CrawlRun).where(CrawlRun.id.in_(ids), CrawlRun.log_file.is_(None))
                ):
                    run.log_file = record.log_file
    return failed
