"""Crawl-run records: allocate, attach a process, renew the lease, finish, reap the abandoned.

The caller that starts a crawl allocates its run (``allocate_run``) and hands the id to the
crawling process (``volunteer-hub crawl ID --run-id N``, or the Scrapyd spider's ``run_id``),
which attaches itself (``attach_process``) and renews the run's lease while it works
(``LeaseKeeper``). A run still "running" whose lease expired, or whose process on this host is
gone, is abandoned: ``reap_abandoned`` marks it failed, so it never blocks the next crawl of
its partner. Nothing here reads a process's output or scans ``/proc``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from types import TracebackType

from sqlalchemy import delete, select

from volunteer_hub.store.db import CrawlRun, Database
from volunteer_hub.store.states import RunStatus

log = logging.getLogger(__name__)

HOST = socket.gethostname()
# A crawling process renews its lease every RENEW_SECONDS; one that missed several renewals
# (LEASE_SECONDS) is presumed dead, even on another host where its pid cannot be checked.
RENEW_SECONDS = 15
LEASE_SECONDS = 120


class AlreadyRunning(RuntimeError):
    """The partner already has a live crawl: a second one is refused, not doubled."""


class RunNotRunning(RuntimeError):
    """The run handed to a crawling process does not exist, is another partner's, or is over."""


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host (signal 0 checks without sending)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def abandoned_reason(run: CrawlRun, now: datetime | None = None) -> str | None:
    """Why a "running" run is abandoned (its failure message), or None while it is live."""
    now = now or _now()
    if run.host == HOST and run.pid is not None and not pid_alive(run.pid):
        return f"abandoned: the crawl process died (pid {run.pid} on {run.host} is gone); marked failed"
    lease = _aware(run.lease_expires_at)
    if lease is None:
        # Left by a version without leases, or created without one: nothing can keep it alive.
        return "abandoned: the crawl process died (the run has no lease); marked failed"
    if lease < now:
        beat = _aware(run.heartbeat_at) or lease
        return (
            f"abandoned: the crawl process died (no heartbeat from {run.host or 'its host'} "
            f"since {beat:%Y-%m-%d %H:%M:%S} UTC); marked failed"
        )
    return None


def reap_abandoned(db: Database, partner_id: str | None = None) -> list[int]:
    """Mark failed every abandoned run (of ``partner_id``, or of every partner); returns their ids."""
    now = _now()
    stmt = select(CrawlRun).where(CrawlRun.status == RunStatus.RUNNING)
    if partner_id is not None:
        stmt = stmt.where(CrawlRun.partner_id == partner_id)
    reaped: list[int] = []
    with db.session() as s, s.begin():
        for run in s.scalars(stmt).all():
            reason = abandoned_reason(run, now)
            if reason is None:
                continue
            run.status, run.finished_at, run.message = RunStatus.FAILED, now, reason
            reaped.append(run.id)
            log.warning("run #%s of %s: %s", run.id, run.partner_id, reason)
    return reaped


def running_run(db: Database, partner_id: str) -> CrawlRun | None:
    """The partner's run in progress, after failing its abandoned ones."""
    reap_abandoned(db, partner_id)
    with db.session() as s:
        return s.scalars(
            select(CrawlRun).where(CrawlRun.partner_id == partner_id, CrawlRun.status == RunStatus.RUNNING)
        ).first()


def allocate_run(
    db: Database,
    partner_id: str,
    trigger: str,
    *,
    pid: int | None = None,
    host: str = HOST,
    log_file: str | None = None,
) -> int:
    """Create a "running" run for ``partner_id`` with a fresh lease; returns its id.

    Raises ``AlreadyRunning`` when the partner has a live run (abandoned runs are failed first).
    """
    reap_abandoned(db, partner_id)
    now = _now()
    with db.session() as s, s.begin():
        running = s.scalars(
            select(CrawlRun).where(CrawlRun.partner_id == partner_id, CrawlRun.status == RunStatus.RUNNING)
        ).first()
        if running is not None:
            raise AlreadyRunning(
                f"{partner_id}: a crawl is already running (run #{running.id}); not starting another"
            )
        run = CrawlRun(
            partner_id=partner_id,
            trigger=trigger,
            status=RunStatus.RUNNING,
            started_at=now,
            host=host,
            pid=pid,
            heartbeat_at=now,
            lease_expires_at=now + timedelta(seconds=LEASE_SECONDS),
            log_file=log_file,
        )
        s.add(run)
        s.flush()
        return run.id


def discard_runs(db: Database, run_ids: Iterable[int]) -> None:
    """Delete runs allocated for a crawl that never started (another run refused it)."""
    ids = list(run_ids)
    if ids:
        with db.session() as s, s.begin():
            s.execute(delete(CrawlRun).where(CrawlRun.id.in_(ids), CrawlRun.status == RunStatus.RUNNING))


def attach_process(
    db: Database, run_id: int, *, pid: int, host: str = HOST, partner_id: str | None = None
) -> CrawlRun:
    """Record the process crawling ``run_id`` and renew its lease.

    Raises ``RunNotRunning`` when the run is unknown, another partner's, or already over.
    """
    now = _now()
    with db.session() as s, s.begin():
        run = s.get(CrawlRun, run_id)
        if run is None or (partner_id is not None and run.partner_id != partner_id):
            raise RunNotRunning(f"run #{run_id} is not a run of {partner_id or 'this partner'}")
        if run.status != RunStatus.RUNNING:
            raise RunNotRunning(f"run #{run_id} is over ({run.status}): {run.message or 'no message'}")
        run.pid, run.host = pid, host
        run.heartbeat_at, run.lease_expires_at = now, now + timedelta(seconds=LEASE_SECONDS)
        return run


def renew_leases(db: Database, run_ids: Iterable[int]) -> list[int]:
    """Extend the lease of these runs; returns those no longer running (lost to a reaper)."""
    ids = list(run_ids)
    now = _now()
    lost: list[int] = []
    with db.session() as s, s.begin():
        for run in s.scalars(select(CrawlRun).where(CrawlRun.id.in_(ids))).all():
            if run.status != RunStatus.RUNNING:
                lost.append(run.id)
                continue
            run.heartbeat_at, run.lease_expires_at = now, now + timedelta(seconds=LEASE_SECONDS)
    return lost


def set_log_file(db: Database, run_id: int, log_file: str) -> None:
    with db.session() as s, s.begin():
        run = s.get(CrawlRun, run_id)
        if run is not None:
            run.log_file = log_file


def fail_if_running(db: Database, run_id: int, message: str) -> bool:
    """Close a run its crawling process left running (it died, or was killed at the timeout)."""
    with db.session() as s, s.begin():
        run = s.get(CrawlRun, run_id)
        if run is None or run.status != RunStatus.RUNNING:
            return False
        run.status, run.finished_at, run.message = RunStatus.FAILED, _now(), message
        return True


def running_on_host(db: Database, host: str = HOST) -> list[CrawlRun]:
    with db.session() as s:
        return list(
            s.scalars(select(CrawlRun).where(CrawlRun.status == RunStatus.RUNNING, CrawlRun.host == host))
        )


class LeaseKeeper:
    """Renews the lease of ``run_ids`` every ``RENEW_SECONDS`` from a daemon thread, until stopped.

    A thread rather than a reactor call: it keeps beating while Scrapy's reactor is busy parsing.
    """

    def __init__(self, db: Database, run_ids: Iterable[int], every: float = RENEW_SECONDS) -> None:
        self.db, self.run_ids, self.every = db, list(run_ids), every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="run-lease", daemon=True)

    def start(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(self.every + 5)

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                lost = renew_leases(self.db, self.run_ids)
            except Exception:  # noqa: BLE001 - a database hiccup: the next beat retries
                log.exception("could not renew the lease of runs %s", self.run_ids)
                continue
            for run_id in lost:
                log.error("run #%s was marked failed while this process still crawls it", run_id)
                self.run_ids.remove(run_id)

    def __enter__(self) -> LeaseKeeper:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
