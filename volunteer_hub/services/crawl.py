"""Crawl partners in this process: allocate (or take over) their runs, keep the runs' leases
alive while Scrapy works, store, then publish to the search index.

Used by ``volunteer-hub crawl`` (and the demo); the Scrapyd spider wires the same pieces
around a single crawler (``schedules.scrapyd_spiders``).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from crawlers.runner import crawl_partners
from indexer.base import SearchBackend
from indexer.sync import push_pending
from volunteer_hub.core.config import Settings
from volunteer_hub.store.db import CrawlRun, Database, Partner
from volunteer_hub.store.partner_sync import SyncCounts
from volunteer_hub.store.runs import (
    AlreadyRunning,
    LeaseKeeper,
    allocate_run,
    attach_process,
    discard_runs,
    fail_if_running,
)


def index_publisher(db: Database, backend: SearchBackend) -> Callable[[str], SyncCounts]:
    """The crawler's ``publish`` step: push the partner's pending changes to ``backend``."""
    return lambda partner_id: push_pending(db, backend, partner_id)


def allocate_runs(db: Database, partners: list[Partner], trigger: str) -> list[int]:
    """One run per partner, owned by this process; none at all when one partner is refused."""
    ids: list[int] = []
    try:
        for partner in partners:
            ids.append(allocate_run(db, partner.id, trigger, pid=os.getpid()))
    except AlreadyRunning:
        discard_runs(db, ids)
        raise
    return ids


def crawl_now(
    partners: list[Partner],
    *,
    settings: Settings,
    db: Database,
    backend: SearchBackend,
    trigger: str = "manual",
    force: bool = False,
    progress: bool = True,
    run_id: int | None = None,
) -> list[CrawlRun]:
    """Crawl ``partners`` now, in this process; return their finished run records.

    ``run_id``: the run the caller allocated for the single partner (the scheduler, the console);
    otherwise runs are allocated here. Raises ``AlreadyRunning`` (a partner has a live run) or
    ``RunNotRunning`` (``run_id`` is not a running run of that partner).
    """
    if run_id is not None:
        if len(partners) != 1:
            raise ValueError("a run id is given for exactly one partner")
        attach_process(db, run_id, pid=os.getpid(), partner_id=partners[0].id)
        run_ids = [run_id]
    else:
        run_ids = allocate_runs(db, partners, trigger)
    try:
        with LeaseKeeper(db, run_ids):
            return crawl_partners(
                list(zip(partners, run_ids, strict=True)),
                settings=settings,
                db=db,
                publish=index_publisher(db, backend),
                force=force,
                progress=progress,
            )
    except BaseException as exc:
        reason = (
            f"{str(exc) or 'interrupted'} before the run finished; what it stored is kept, "
            "and the next sync indexes it"
            if isinstance(exc, KeyboardInterrupt)
            else f"the crawl stopped with an error: {exc!r}"
        )
        for rid in run_ids:
            fail_if_running(db, rid, reason)
        raise
