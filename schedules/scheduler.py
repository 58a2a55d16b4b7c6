"""``volunteer-hub scheduler``: APScheduler 3 driving one crawl job per approved, active partner.

- Partner jobs (id ``crawl:<partner>``) live in a persistent ``SQLAlchemyJobStore`` on the
  same database, at each partner's ``interval_minutes`` -- or, when ``Partner.cron`` is set, at
  its crontab expression (``CRON_TIMEZONE``) -- with jitter, ``max_instances=1``, ``coalesce``
  and a misfire grace time. A never-crawled partner's first run is due within
  ``first_crawl_delay_seconds``; otherwise the next run is the last run's start + interval (or
  the cron's next fire time after the last run's start).
- ``reconcile`` (every ``reconcile_seconds``) re-reads the partners, so changes made in the
  CLI or the console (new partner, approval, interval or cron, pause, removal) apply without a
  restart; it also fails abandoned runs (``volunteer_hub.store.runs``) and evaluates alerts
  (staleness needs a clock).
- ``heartbeat`` refreshes the ``scheduler_heartbeat`` row the console and /healthz read.
- ``expiry`` (daily) runs ``volunteer-hub index expire``;
  ``index-sync`` (every ``INDEX_SYNC_MINUTES``) runs ``volunteer-hub index sync``: pushes what an
  outage left pending and rebuilds an index that lost documents (``indexer.truth``), loudly;
  ``housekeeping`` (daily and at start) applies run retention.
- Each crawl's run is allocated here, then crawled by ``volunteer-hub crawl ID --run-id N`` in
  its own process group with a hard timeout, or by Scrapyd (``volunteer_hub.services.dispatch``).
"""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, func, select

from volunteer_hub.core.config import Settings, load_settings
from volunteer_hub.core.ops_config import OpsConfig, load_ops_config
from volunteer_hub.services.alerts import evaluate_all, evaluate_partner
from volunteer_hub.services.cron import cron_trigger, jitter_seconds
from volunteer_hub.services.dispatch import dispatch_crawl
from volunteer_hub.services.scheduler_status import HEARTBEAT_NAME
from volunteer_hub.services.scrapyd import ScrapydError
from volunteer_hub.store.db import CrawlRun, Database, Partner
from volunteer_hub.store.ops_models import AlertIncident, SchedulerHeartbeat, aware
from volunteer_hub.store.runs import HOST, AlreadyRunning, reap_abandoned, running_on_host
from volunteer_hub.store.states import PartnerStatus, RunStatus

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
JOB_PREFIX = "crawl:"
INDEX_SYNC_MINUTES = 10

# (partner id, cron) pairs whose invalid cron was already logged by this process.
_cron_errors_logged: set[tuple[str, str]] = set()
_cron_errors_lock = threading.Lock()

LINK_CHECK_TIMEOUT = 20 * 3600  # a daily job: one request per second per host adds up

# The running scheduler's context, read by the job functions (jobs are stored by reference).
_context: dict[str, object] = {}


def job_id(partner_id: str) -> str:
    return f"{JOB_PREFIX}{partner_id}"


def _ctx() -> tuple[Settings, Database, OpsConfig]:
    settings = _context.get("settings") or load_settings()
    db = _context.get("db") or Database.from_settings(settings)  # type: ignore[arg-type]
    cfg = _context.get("cfg") or load_ops_config()
    return settings, db, cfg  # type: ignore[return-value]


# -- jobs ----------------------------------------------------------------------------------------
def crawl_job(partner_id: str, timeout_seconds: int) -> None:
    """Crawl one partner in a subprocess; then open or resolve its alerts."""
    settings, db, cfg = _ctx()
    with db.session() as s:
        partner = s.get(Partner, partner_id)
    if partner is None or partner.status != PartnerStatus.APPROVED or partner.paused:
        log.info("skipping %s: removed, not approved or paused", partner_id)
        return
    try:
        outcome = dispatch_crawl(
            settings,
            db,
            partner_id,
            trigger="schedule",
            timeout_seconds=timeout_seconds,
            scrapyd_url=cfg.scrapyd_url,
        )
    except ScrapydError as exc:
        log.error("scheduled crawl of %s not dispatched: %s", partner_id, exc)
        return
    except AlreadyRunning as exc:
        log.info("skipping scheduled crawl: %s", exc)
        return
    log.info("scheduled crawl of %s: exit %s, runs %s", partner_id, outcome.exit_code, outcome.run_ids)
    evaluate_partner(db, partner_id, cfg)


def heartbeat_job() -> None:
    _settings, db, cfg = _ctx()
    scheduler = _context.get("scheduler")
    jobs = len(scheduler.get_jobs()) if isinstance(scheduler, BackgroundScheduler) else 0
    now = datetime.now(UTC)
    with db.session() as s, s.begin():
        row = s.get(SchedulerHeartbeat, HEARTBEAT_NAME)
        if row is None:
            row = SchedulerHeartbeat(name=HEARTBEAT_NAME, started_at=now)
            s.add(row)
        row.host, row.pid, row.beat_at, row.jobs = HOST, os.getpid(), now, jobs
        row.interval_seconds = cfg.heartbeat_seconds
        row.stopped_at = None
        if _context.get("started_at"):
            row.started_at = _context["started_at"]  # type: ignore[assignment]


def reconcile_job() -> None:
    """Bring the partner jobs in line with the database; fail abandoned runs; evaluate alerts."""
    settings, db, cfg = _ctx()
    scheduler = _context.get("scheduler")
    if isinstance(scheduler, BackgroundScheduler):
        reconcile(scheduler, db, cfg)
    reap_abandoned(db)
    evaluate_all(db, cfg)


def _run_cli(args: list[str], label: str, timeout: float) -> subprocess.CompletedProcess[str] | None:
    """Run ``volunteer-hub ARGS`` in its own process, like crawls; None (logged) when it timed out."""
    cmd = [sys.executable, "-m", "volunteer_hub.cli", *args]
    try:
        return subprocess.run(  # noqa: S603 - fixed argv
            cmd, capture_output=True, text=True, timeout=timeout, env=dict(os.environ)
        )
    except subprocess.TimeoutExpired:
        log.error("%s: `volunteer-hub %s` timed out", label, " ".join(args))
        return None


def expiry_job() -> None:
    """Run ``volunteer-hub index expire`` (in its own process, like crawls)."""
    _settings, _db, cfg = _ctx()
    done = _run_cli(["index", "expire"], "expiry", cfg.crawl_timeout_seconds)
    if done:
        log.info("expiry: exit %s %s %s", done.returncode, done.stdout.strip(), done.stderr.strip())


def index_sync_job() -> None:
    """Run ``volunteer-hub index sync`` (its own process): pending pushes, and the index checked
    against the database and rebuilt when it lost documents. A repair or a failure logs an error."""
    _settings, _db, cfg = _ctx()
    done = _run_cli(["index", "sync"], "index sync", cfg.crawl_timeout_seconds)
    if done:
        level = logging.ERROR if done.returncode or "INDEX LOST" in done.stderr else logging.INFO
        log.log(level, "index sync: exit %s %s %s", done.returncode, done.stdout.strip(), done.stderr.strip())


def link_check_job() -> None:
    """Run ``volunteer-hub quality stale`` then ``links check --all`` (each in its own process,
    like crawls; the link check is polite, so long)."""
    for args in (["quality", "stale"], ["links", "check", "--all"]):  # the staleness rules first: quick
        done = _run_cli(args, "links", LINK_CHECK_TIMEOUT)
        if done:
            summary = done.stdout.strip().splitlines()[-1:] or [""]
            log.info("%s: exit %s %s %s", args[0], done.returncode, summary[0], done.stderr.strip()[-500:])


def pictures_job() -> None:
    """Run ``volunteer-hub images fetch --all`` (its own process): pictures of listings crawled
    through Scrapyd, and failed pictures whose time to try again has come. Crawls made in-process
    already fetched theirs; a pass over a cached picture reads one small file."""
    _settings, _db, cfg = _ctx()
    done = _run_cli(["images", "fetch", "--all", "--limit", "2000"], "pictures", cfg.crawl_timeout_seconds)
    if done:
        log.info(
            "pictures: exit %s %s %s",
            done.returncode,
            done.stdout.strip()[-2000:],
            done.stderr.strip()[-500:],
        )


def alert_digest_job() -> None:
    """Run ``volunteer-hub alerts send`` (daily; weekly alerts go out when a week has passed)."""
    _settings, _db, cfg = _ctx()
    done = _run_cli(["alerts", "send"], "alerts", cfg.crawl_timeout_seconds)
    if done:
        log.info("alerts: exit %s %s %s", done.returncode, done.stdout.strip(), done.stderr.strip())


def housekeeping_job() -> None:
    from volunteer_hub.services.direct import send_expiry_reminders

    _settings, db, cfg = _ctx()
    housekeeping(db, cfg)
    send_expiry_reminders(db, cfg)  # direct postings expiring within 7 days (daily, like housekeeping)


# -- helpers -------------------------------------------------------------------------------------
def housekeeping(db: Database, cfg: OpsConfig, now: datetime | None = None) -> int:
    """Delete runs older than the retention, keeping the last ``keep_runs_per_partner`` runs and
    each partner's last good run (the shrink guard compares against it). Returns runs deleted."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=cfg.retention_days)
    deleted = 0
    with db.session() as s, s.begin():
        for partner_id in s.scalars(select(CrawlRun.partner_id).distinct()).all():
            keep = set(
                s.scalars(
                    select(CrawlRun.id)
                    .where(CrawlRun.partner_id == partner_id)
                    .order_by(CrawlRun.id.desc())
                    .limit(cfg.keep_runs_per_partner)
                )
            )
            good = db.last_good_run(s, partner_id)
            if good is not None:
                keep.add(good.id)
            old = s.scalars(
                select(CrawlRun).where(
                    CrawlRun.partner_id == partner_id,
                    CrawlRun.status != RunStatus.RUNNING,
                    CrawlRun.started_at < cutoff,
                )
            ).all()
            for run in old:
                if run.id in keep:
                    continue
                if run.log_file:
                    Path(run.log_file).unlink(missing_ok=True)
                s.delete(run)
                deleted += 1
        s.execute(
            delete(AlertIncident).where(
                AlertIncident.resolved_at.is_not(None), AlertIncident.resolved_at < cutoff
            )
        )
    if deleted:
        log.info("housekeeping: deleted %s runs older than %s days", deleted, cfg.retention_days)
    return deleted


def _same_cron(job_trigger: object, wanted: CronTrigger) -> bool:
    return (
        isinstance(job_trigger, CronTrigger)
        and str(job_trigger) == str(wanted)
        and str(job_trigger.timezone) == str(wanted.timezone)
        and job_trigger.jitter == wanted.jitter
    )


def _partner_cron(partner: Partner) -> CronTrigger | None:
    """The partner's cron trigger, or None when it has no cron (or an invalid one: logged once per
    partner and cron value in this process, and the interval is used instead)."""
    if not partner.cron:
        return None
    try:
        return cron_trigger(partner.cron)
    except ValueError as exc:
        key = (partner.id, partner.cron)
        with _cron_errors_lock:
            first = key not in _cron_errors_logged
            _cron_errors_logged.add(key)
        if first:  # reconcile runs every 30 s: say it once per partner and cron value
            log.error(
                "partner %s: invalid cron %r (%s); using its interval instead "
                "(shown by `volunteer-hub partners list` and the console until fixed)",
                partner.id,
                partner.cron,
                exc,
            )
        return None


def first_run_time(
    db: Database,
    partner: Partner,
    cfg: OpsConfig,
    now: datetime | None = None,
    cron: CronTrigger | None = None,
) -> datetime:
    """When a (re)scheduled partner job should first fire.

    Never crawled: within ``first_crawl_delay_seconds``. Otherwise its last run's start plus
    the interval, or soon (spread over a minute) when that is already past. With a ``cron``
    trigger: its next fire time after the last run's start, or soon when that one was missed.
    """
    now = now or datetime.now(UTC)
    with db.session() as s:
        last = s.scalar(select(func.max(CrawlRun.started_at)).where(CrawlRun.partner_id == partner.id))
    if last is None:
        return now + timedelta(seconds=random.uniform(0.5, max(1.0, cfg.first_crawl_delay_seconds)))
    if cron is not None:
        due = cron.get_next_fire_time(None, aware(last) + timedelta(seconds=1))
        if due is None:
            return now + timedelta(days=3650)  # cannot happen: cron_error refuses never-firing crons
        if due <= now:
            return now + timedelta(seconds=random.uniform(0.5, 60.0))
        return due
    due = aware(last) + timedelta(seconds=partner.interval_minutes * cfg.minute_seconds)  # type: ignore[operator]
    if due <= now:
        spread = min(60.0, max(1.0, partner.interval_minutes * cfg.minute_seconds / 10))
        return now + timedelta(seconds=random.uniform(0.5, spread))
    return due


def reconcile(
    scheduler: BackgroundScheduler, db: Database, cfg: OpsConfig, *, at_start: bool = False
) -> dict[str, list[str]]:
    """Add, reschedule and remove partner jobs to match the database. Returns what changed.

    ``at_start``: also recompute the next run of every kept job from its partner's last run, so a
    scheduler that was down longer than the misfire grace time catches up within a minute
    instead of waiting a whole interval.
    """
    changes: dict[str, list[str]] = {"added": [], "rescheduled": [], "removed": []}
    wanted = {
        job_id(p.id): p
        for p in db.partners()
        # direct: no feed to crawl
        if p.status == PartnerStatus.APPROVED and not p.paused and p.format != "direct"
    }
    for job in scheduler.get_jobs(jobstore="default"):
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            job.remove()
            changes["removed"].append(job.id)
    for jid, partner in wanted.items():
        seconds = max(1, partner.interval_minutes) * cfg.minute_seconds
        cron = _partner_cron(partner)
        job = scheduler.get_job(jid, jobstore="default")
        if (
            job is not None
            and (
                _same_cron(job.trigger, cron)
                if cron is not None
                else isinstance(job.trigger, IntervalTrigger)
                and job.trigger.interval == timedelta(seconds=seconds)
            )
            and job.kwargs.get("timeout_seconds") == cfg.crawl_timeout_seconds
        ):
            if at_start:
                job.modify(next_run_time=first_run_time(db, partner, cfg, cron=cron))
            continue
        trigger = cron or IntervalTrigger(
            seconds=seconds, jitter=jitter_seconds(seconds) or None, timezone=UTC
        )
        scheduler.add_job(
            "schedules.scheduler:crawl_job",
            trigger=trigger,
            id=jid,
            name=f"crawl {partner.id}",
            kwargs={"partner_id": partner.id, "timeout_seconds": cfg.crawl_timeout_seconds},
            jobstore="default",
            replace_existing=True,
            next_run_time=first_run_time(db, partner, cfg, cron=cron),
        )
        changes["rescheduled" if job is not None else "added"].append(jid)
    if any(changes.values()):
        log.info("reconcile: %s", {k: v for k, v in changes.items() if v})
    return changes


def build_scheduler(settings: Settings, db: Database, cfg: OpsConfig) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(engine=db.engine, tablename=JOBS_TABLE),
            "system": MemoryJobStore(),
        },
        # Crawls wait in their own pool; the heartbeat and reconcile never queue behind them.
        executors={
            "default": ThreadPoolExecutor(max_workers=max(1, cfg.workers)),
            "system": ThreadPoolExecutor(3),  # heartbeat + reconcile never wait behind expiry or index sync
        },
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": cfg.misfire_grace_seconds},
        timezone=UTC,
    )


def start_scheduler(
    settings: Settings | None = None, db: Database | None = None, cfg: OpsConfig | None = None
) -> BackgroundScheduler:
    """Fail abandoned runs, reconcile the partner jobs, add the system jobs, and start. Non-blocking."""
    settings = settings or load_settings()
    db = db or Database.from_settings(settings)
    cfg = cfg or load_ops_config()
    failed = reap_abandoned(db)
    if failed:
        log.warning("marked %s abandoned run(s) failed: %s", len(failed), failed)
    scheduler = build_scheduler(settings, db, cfg)
    _context.update(settings=settings, db=db, cfg=cfg, scheduler=scheduler, started_at=datetime.now(UTC))
    scheduler.start(paused=True)
    reconcile(scheduler, db, cfg, at_start=True)
    now = datetime.now(UTC)
    system = {"jobstore": "system", "executor": "system", "replace_existing": True}
    scheduler.add_job(
        heartbeat_job, "interval", seconds=cfg.heartbeat_seconds, id="heartbeat", next_run_time=now, **system
    )
    scheduler.add_job(reconcile_job, "interval", seconds=cfg.reconcile_seconds, id="reconcile", **system)
    scheduler.add_job(expiry_job, CronTrigger(hour=3, minute=17, timezone=UTC), id="expiry", **system)
    # Daily, so a link dead on two checks is hidden about a day after it broke.
    scheduler.add_job(link_check_job, CronTrigger(hour=4, minute=7, timezone=UTC), id="links", **system)
    scheduler.add_job(
        index_sync_job,
        "interval",
        minutes=INDEX_SYNC_MINUTES,
        id="index-sync",
        next_run_time=now + timedelta(seconds=30),
        **system,
    )
    scheduler.add_job(pictures_job, CronTrigger(minute=37, timezone=UTC), id="pictures", **system)
    scheduler.add_job(alert_digest_job, CronTrigger(hour=6, minute=7, timezone=UTC), id="alerts", **system)
    scheduler.add_job(
        housekeeping_job,
        CronTrigger(hour=3, minute=47, timezone=UTC),
        id="housekeeping",
        next_run_time=now + timedelta(seconds=5),
        **system,
    )
    scheduler.resume()
    log.info("scheduler started: %s partner job(s)", len(scheduler.get_jobs(jobstore="default")))
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler, db: Database | None = None) -> None:
    """Stop scheduling (running crawl subprocesses finish on their own) and mark the heartbeat stopped."""
    scheduler.shutdown(wait=False)
    db = db or _context.get("db")  # type: ignore[assignment]
    if isinstance(db, Database):
        with db.session() as s, s.begin():
            row = s.get(SchedulerHeartbeat, HEARTBEAT_NAME)
            if row is not None:
                row.stopped_at = datetime.now(UTC)
    _context.clear()


def run_forever(cfg: OpsConfig | None = None) -> int:
    """The ``volunteer-hub scheduler`` command: run until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)  # one line per job run is noise
    settings = load_settings()
    db = Database.from_settings(settings)
    scheduler = start_scheduler(settings, db, cfg)
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping the scheduler", signum)
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stop.wait(1):
        pass
    running = [r.partner_id for r in running_on_host(db)]
    stop_scheduler(scheduler, db)
    if running:
        log.info("crawls still running continue in their own processes: %s", ", ".join(running))
    # Do not wait for the crawl threads (up to the hard timeout): the crawl processes record their
    # own results and renew their leases, so the next scheduler start sees them alive.
    logging.shutdown()
    sys.stdout.flush()
    os._exit(0)
