"""Scale-out: dispatch crawls to Scrapyd instead of local subprocesses.

With ``VOLUNTEER_HUB_SCRAPYD_URL`` set, the scheduler (and the console's "run now") schedule the
``partner`` spider of the Scrapyd project ``volunteer-hub`` (``schedules.scrapyd_spiders``),
then poll ``listjobs.json`` until the job ends; past the hard timeout the job is cancelled
(twice: graceful, then forced) and its run recorded failed. Scrapyd hosts run the crawl with
the same code and write the run record to the shared database themselves.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from schedules.processes import AlreadyRunning, CrawlOutcome, close_runs, running_run
from volunteer_hub.store.db import Database

log = logging.getLogger(__name__)

PROJECT = "volunteer-hub"
SPIDER = "partner"
POLL_SECONDS = 1.0
HTTP_TIMEOUT = 30


class ScrapydError(RuntimeError):
    pass


def _call(base: str, endpoint: str, data: dict[str, str] | None = None) -> dict[str, Any]:
    url = f"{base.rstrip('/')}/{endpoint}"
    if data is None:
        request = urllib.request.Request(url)
    else:
        request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - operator's URL
            body = json.loads(response.read())
    except (OSError, ValueError) as exc:
        raise ScrapydError(f"Scrapyd {endpoint} failed: {exc}") from exc
    if body.get("status") != "ok":
        raise ScrapydError(f"Scrapyd {endpoint}: {body.get('message') or body}")
    return body


def schedule(base: str, partner_id: str, trigger: str) -> str:
    """Queue one crawl; returns the Scrapyd job id."""
    body = _call(
        base,
        "schedule.json",
        {"project": PROJECT, "spider": SPIDER, "partner_id": partner_id, "trigger": trigger},
    )
    return str(body["jobid"])


def job_state(base: str, job_id: str) -> str | None:
    """pending / running / finished, or None when Scrapyd does not know the job."""
    body = _call(base, f"listjobs.json?project={PROJECT}")
    for state in ("pending", "running", "finished"):
        if any(job.get("id") == job_id for job in body.get(state, [])):
            return state
    return None


def cancel(base: str, job_id: str, signal: str | None = None) -> None:
    data = {"project": PROJECT, "job": job_id}
    if signal:
        data["signal"] = signal
    try:
        _call(base, "cancel.json", data)
    except ScrapydError as exc:
        log.warning("%s", exc)


def run_crawl_scrapyd(
    base: str, db: Database, partner_id: str, *, trigger: str, timeout_seconds: int
) -> CrawlOutcome:
    """Dispatch one crawl to Scrapyd and wait for it (cancelled at ``timeout_seconds``). Blocking."""
    if running_run(db, partner_id) is not None:
        raise AlreadyRunning(f"{partner_id}: a crawl is already running")
    started = datetime.now(UTC) - timedelta(seconds=1)
    job_id = schedule(base, partner_id, trigger)
    log_url = f"{base.rstrip('/')}/logs/{PROJECT}/{SPIDER}/{job_id}.log"
    log.info("crawl %s dispatched to Scrapyd as job %s", partner_id, job_id)
    deadline = time.monotonic() + timeout_seconds
    timed_out = False
    state: str | None = "pending"
    while True:
        try:
            state = job_state(base, job_id)
        except ScrapydError as exc:
            log.warning("%s", exc)
        if state == "finished":
            break
        if time.monotonic() > deadline:
            timed_out = True
            log.error(
                "crawl %s (Scrapyd job %s) exceeded %ss: cancelling", partner_id, job_id, timeout_seconds
            )
            cancel(base, job_id)
            time.sleep(5)
            if job_state(base, job_id) != "finished":
                cancel(base, job_id, "KILL")
            break
        time.sleep(POLL_SECONDS)
    run_ids = close_runs(db, partner_id, started, log_url, timed_out, timeout_seconds)
    return CrawlOutcome(partner_id, None, timed_out, log_url, run_ids)
