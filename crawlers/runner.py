"""Run partner crawls in this process and record each run.

Twisted's reactor starts once per process, so ``crawl_partners`` runs every requested
partner in one ``CrawlerProcess`` and returns; the scheduler runs each crawl in its own
process (``volunteer-hub crawl ID``) for isolation and hard timeouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings as ScrapySettings
from sqlalchemy import select

from crawlers import settings as crawler_settings
from crawlers.normalize import NormalizeContext
from crawlers.report import RunReport
from crawlers.spiders import spider_for_format
from indexer.base import SearchBackend
from indexer.sync import push_pending
from volunteer_hub.core.config import Settings
from volunteer_hub.store.db import CrawlRun, Database, Partner
from volunteer_hub.store.partner_sync import PartnerSync


class CrawlRefused(RuntimeError):
    pass


@dataclass
class PlannedRun:
    partner: Partner
    run_id: int
    sync: PartnerSync
    report: RunReport
    crawler: Crawler | None = None


def scrapy_settings(progress: bool) -> ScrapySettings:
    s = ScrapySettings()
    s.setmodule(crawler_settings, priority="project")
    s.set("VH_PROGRESS", progress, priority="project")
    return s


def start_run(db: Database, partner: Partner, trigger: str) -> int:
    """Create the run record, refusing when this partner already has a run in progress."""
    with db.session() as s, s.begin():
        running = s.scalars(
            select(CrawlRun).where(CrawlRun.partner_id == partner.id, CrawlRun.status == "running")
        ).first()
        if running:
            raise CrawlRefused(
                f"{partner.id}: a crawl is already running (run #{running.id}); not starting another"
            )
        run = CrawlRun(partner_id=partner.id, trigger=trigger, status="running", started_at=datetime.now(UTC))
        s.add(run)
        s.flush()
        return run.id


def spider_arguments(plan: PlannedRun, *, force: bool) -> dict[str, Any]:
    """The feed spider's keyword arguments for a planned run (local process or Scrapyd)."""
    partner = plan.partner
    return {
        "partner_id": partner.id,
        "url": partner.url,
        "sync": plan.sync,
        "report": plan.report,
        "context": NormalizeContext(
            partner=partner.id,
            default_country=partner.default_country,
            cause_overrides=dict(partner.cause_overrides or {}),
        ),
        "etag": None if force else partner.etag,
        "last_modified": None if force else partner.last_modified,
    }


def crawl_partners(
    partners: list[Partner],
    *,
    settings: Settings,
    db: Database,
    backend: SearchBackend,
    trigger: str = "manual",
    force: bool = False,
    progress: bool = True,
) -> list[CrawlRun]:
    """Crawl ``partners`` (concurrently, one reactor), store, sync the index; return the run records."""
    process = CrawlerProcess(scrapy_settings(progress))
    planned: list[PlannedRun] = []
    for partner in partners:
        run_id = start_run(db, partner, trigger)
        plan = PlannedRun(partner, run_id, PartnerSync(db, partner.id), RunReport(partner.id))
        crawler = process.create_crawler(spider_for_format(partner.format))
        process.crawl(crawler, **spider_arguments(plan, force=force))
        plan.crawler = crawler
        planned.append(plan)
    if planned:
        process.start()
    return [finish_run(plan, settings=settings, db=db, backend=backend) for plan in planned]


def finish_run(plan: PlannedRun, *, settings: Settings, db: Database, backend: SearchBackend) -> CrawlRun:
    report, sync = plan.report, plan.sync
    stats = plan.crawler.stats.get_stats() if plan.crawler and plan.crawler.stats else {}
    finish_reason = stats.get("finish_reason")
    complete = finish_reason == "finished" and report.fatal is None
    if report.not_modified:
        status, message = "not-modified", "the feed has not changed since the last crawl (HTTP 304)"
    else:
        reason = report.fatal
        if reason is None and finish_reason not in (None, "finished"):
            reason = f"the crawl stopped early ({finish_reason})"
        outcome = sync.finish(
            complete=complete, failed_reason=reason, shrink_threshold=settings.shrink_threshold
        )
        status, message = outcome.status, outcome.message
        if status == "succeeded" and sync.counts.seen == 0 and report.rejected == 0:
            status, message = "failed", "the feed contained no opportunities"

    pushed = push_pending(db, backend, plan.partner.id)
    if pushed.index_failures:
        sample = next(iter(pushed.index_failures.values()))
        message = (
            f"{len(pushed.index_failures)} search index writes failed ({sample}); they are kept in the "
            "database and retried at the next sync"
        )
        status = "failed" if status == "succeeded" else status

    spider = plan.crawler.spider if plan.crawler else None
    with db.session() as s, s.begin():
        run = s.get(CrawlRun, plan.run_id)
        run.status = status
        run.message = message
        run.finished_at = datetime.now(UTC)
        run.format = report.format
        run.http_status = report.http_status
        run.bytes = report.bytes
        run.seen, run.new, run.updated = sync.counts.seen, sync.counts.new, sync.counts.updated
        run.unchanged, run.removed = sync.counts.unchanged, sync.counts.removed
        run.indexed = pushed.indexed
        run.expired_on_arrival = sync.counts.expired_on_arrival
        run.rejected = report.rejected
        run.rejected_by_reason = dict(report.rejected_by_reason)
        run.errors = [p.as_dict() | {"severity": p.severity} for p in report.problems]
        if status == "succeeded" and spider is not None:
            partner = s.get(Partner, plan.partner.id)
            partner.etag, partner.last_modified = spider.new_etag, spider.new_last_modified
    with db.session() as s:
        return s.get(CrawlRun, plan.run_id)
