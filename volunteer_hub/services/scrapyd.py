"""Scale-out: dispatch crawls to Scrapyd instead of local subprocesses.

With ``VOLUNTEER_HUB_SCRAPYD_URL`` set, the scheduler (and the console's "run now") allocate the
run, schedule the ``partner`` spider of the Scrapyd project ``volunteer-hub``
(``schedules.scrapyd_spiders``) with its ``run_id``, then poll ``listjobs.json`` until the job
ends; past the hard timeout the job is cancelled (twice: graceful, then forced) and its run
recorded failed. Scrapyd hosts run the crawl with the same code, take over the run, renew its
lease and write its result to the shared database themselves; while the job waits in Scrapyd's
queue, the dispatcher renews the lease.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
import urllib.request
from typing import Any

from volunteer_hub.services.crawl_processes import CrawlOutcome, timeout_message
from volunteer_hub.store.db import Database
from volunteer_hub.store.runs import allocate_run, discard_runs, fail_if_running, renew_leases, set_log_file

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


def schedule(base: str, partner_id: str, trigger: str, run_id: int) -> str:
    """Queue one crawl into run ``run_id``; returns the Scrapyd job id."""
    body = _call(
        base,
        "schedule.json",
        {
            "project": PROJECT,
            "spider": SPIDER,
            "partner_id": partner_id,
            "trigger": trigger,
            "run_id": str(run_id),
        },
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
    base: str,
    db: Database,
    partner_id: str,
    *,
    trigger: str,
    timeout_seconds: int,
    run_id: int | None = None,
) -> CrawlOutcome:
    """Dispatch one crawl to Scrapyd and wait for it (cancelled at ``timeout_seconds``). Blocking.

    ``run_id``: a run already allocated for it; otherwise one is allocated here, raising
    ``AlreadyRunning`` when the partner has a run in progress.
    """
    if run_id is None:
        run_id = allocate_run(db, partner_id, trigger)
    try:
        job_id = schedule(base, partner_id, trigger, run_id)
    except ScrapydError:
        discard_runs(db, [run_id])  # never started: no run to show (the scheduler logs the error)
        raise
    log_url = f"{base.rstrip('/')}/logs/{PROJECT}/{SPIDER}/{job_id}.log"
    set_log_file(db, run_id, log_url)
    log.info("crawl %s dispatched to Scrapyd as job %s (run #%s)", partner_id, job_id, run_id)
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
        if state == "pending":
            renew_leases(db, [run_id])  # queued: the spider renews it once it runs
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
    fail_if_running(
        db,
        run_id,
        timeout_message(timeout_seconds)
        if timed_out
        else "abandoned: the Scrapyd job ended without recording a result",
    )
    return CrawlOutcome(partner_id, None, timed_out, log_url, [run_id])
