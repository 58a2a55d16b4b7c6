"""Start a crawl where it runs: a local ``volunteer-hub crawl`` process, or Scrapyd when
``VOLUNTEER_HUB_SCRAPYD_URL`` is set. Used by the scheduler's jobs and the console's "run now"."""

from __future__ import annotations

import logging
import threading

from volunteer_hub.core.config import Settings
from volunteer_hub.core.ops_config import load_ops_config
from volunteer_hub.services.alerts import evaluate_partner
from volunteer_hub.services.crawl_processes import CrawlOutcome, run_crawl
from volunteer_hub.services.scrapyd import run_crawl_scrapyd
from volunteer_hub.store.db import Database
from volunteer_hub.store.runs import allocate_run, fail_if_running

log = logging.getLogger(__name__)


def dispatch_crawl(
    settings: Settings,
    db: Database,
    partner_id: str,
    *,
    trigger: str,
    timeout_seconds: int,
    scrapyd_url: str | None = None,
    run_id: int | None = None,
) -> CrawlOutcome:
    """Crawl ``partner_id`` to completion (or its hard timeout) locally or through Scrapyd. Blocking.

    Raises ``AlreadyRunning`` (when ``run_id`` is not given and a crawl is in progress) and
    ``ScrapydError`` (Scrapyd refused the job).
    """
    if scrapyd_url:
        return run_crawl_scrapyd(
            scrapyd_url, db, partner_id, trigger=trigger, timeout_seconds=timeout_seconds, run_id=run_id
        )
    return run_crawl(
        settings, db, partner_id, trigger=trigger, timeout_seconds=timeout_seconds, run_id=run_id
    )


def spawn_crawl_in_background(
    settings: Settings,
    db: Database,
    partner_id: str,
    *,
    trigger: str,
    timeout_seconds: int,
    scrapyd_url: str | None = None,
) -> threading.Thread:
    """``dispatch_crawl`` in a daemon thread, then the partner's alerts: the console's "run now".

    The run is allocated before the thread starts, so a partner with a crawl in progress is
    refused at once (``AlreadyRunning``).
    """
    run_id = allocate_run(db, partner_id, trigger)

    def target() -> None:
        try:
            dispatch_crawl(
                settings,
                db,
                partner_id,
                trigger=trigger,
                timeout_seconds=timeout_seconds,
                scrapyd_url=scrapyd_url,
                run_id=run_id,
            )
        except Exception as exc:  # noqa: BLE001 - a background thread must log, not die silently
            log.exception("background crawl of %s failed", partner_id)
            fail_if_running(db, run_id, f"the crawl could not be started: {exc}")
            return
        try:
            evaluate_partner(db, partner_id, load_ops_config())
        except Exception:  # noqa: BLE001
            log.exception("alert evaluation failed for %s", partner_id)

    thread = threading.Thread(target=target, name=f"crawl-{partner_id}", daemon=True)
    thread.start()
    return thread
