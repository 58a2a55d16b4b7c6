"""Run partner crawls in this process and record each run's result.

Twisted's reactor starts once per process, so ``crawl_partners`` runs every requested
partner in one ``CrawlerProcess`` and returns; the scheduler runs each crawl in its own
process (``volunteer-hub crawl ID``) for isolation and hard timeouts. The run records are
allocated by the caller (``volunteer_hub.store.runs``), and publishing to the search index is
the caller's ``publish`` callback: the crawler stores, it does not index.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawlers import settings as crawler_settings
from crawlers.formats import no_opportunities
from crawlers.normalize import NormalizeContext
from crawlers.report import RunReport
from crawlers.spiders import spider_for_format
from volunteer_hub.core.config import Settings
from volunteer_hub.store.db import CrawlRun, Database, Partner
from volunteer_hub.store.flags import trust_counts
from volunteer_hub.store.partner_sync import PartnerSync, SyncCounts
from volunteer_hub.store.states import RunStatus

# Publishes a partner's stored changes (to the search index); its counts go into the run record.
Publish = Callable[[str], SyncCounts]


@dataclass
class PlannedRun:
    partner: Partner
    run_id: int
    sync: PartnerSync
    report: RunReport
    crawler: Crawler | None = None


def scrapy_settings(settings: Settings, progress: bool) -> ScrapySettings:
    s = ScrapySettings()
    s.setmodule(crawler_settings, priority="project")
    s.setdict(crawler_settings.configured(settings), priority="project")
    s.set("VH_PROGRESS", progress, priority="project")
    return s


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


class CrawlInterrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM reached a crawl: it stopped where it was, and its runs are not finished."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


@contextmanager
def stopped_by_signals() -> Iterator[list[int]]:
    """While inside, SIGINT and SIGTERM stop the crawl at once, whatever step it is at.

    During the download the reactor is stopped at once (Scrapy's own handlers stop gracefully: they
    wait for the download in flight, minutes for a slow partner, and ignore any signal once the
    reactor has stopped); the caller then raises ``CrawlInterrupted``. Afterwards (storing, the index
    push) the handler raises it. A crawl interrupted during its download retires nothing (only a complete one
    does).
    The signals received are listed in the yielded list; the previous handlers come back on exit.
    """
    from twisted.internet import reactor

    received: list[int] = []

    def stop_now() -> None:
        # crash: no shutdown triggers, so no graceful wait; but also no stop of the reactor's thread
        # pool, whose threads would then keep the process alive.
        reactor.getThreadPool().stop()
        reactor.crash()

    def handler(signum: int, _frame: object) -> None:
        received.append(signum)
        if not reactor.running:
            raise CrawlInterrupted(signum)
        reactor.callFromThread(stop_now)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def crawl_partners(
    runs: list[tuple[Partner, int]],
    *,
    settings: Settings,
    db: Database,
    publish: Publish,
    force: bool = False,
    progress: bool = True,
) -> list[CrawlRun]:
    """Crawl each partner into its allocated run (concurrently, one reactor), store, ``publish``;
    return the run records."""
    process = CrawlerProcess(scrapy_settings(settings, progress))
    planned: list[PlannedRun] = []
    for partner, run_id in runs:
        plan = PlannedRun(partner, run_id, PartnerSync(db, partner.id), RunReport(partner.id))
        crawler = process.create_crawler(spider_for_format(partner.format))
        process.crawl(crawler, **spider_arguments(plan, force=force))
        plan.crawler = crawler
        planned.append(plan)
    with stopped_by_signals() as received:
        if planned:
            process.start(install_signal_handlers=False)  # Scrapy's would wait for the download
        if received:
            raise CrawlInterrupted(received[0])
        return [finish_run(plan, settings=settings, db=db, publish=publish) for plan in planned]


def finish_run(plan: PlannedRun, *, settings: Settings, db: Database, publish: Publish) -> CrawlRun:
    report, sync = plan.report, plan.sync
    stats = plan.crawler.stats.get_stats() if plan.crawler and plan.crawler.stats else {}
    finish_reason = stats.get("finish_reason")
    complete = finish_reason == "finished" and report.fatal is None
    if report.not_modified:
        status, message = RunStatus.NOT_MODIFIED, "the feed has not changed since the last crawl (HTTP 304)"
    else:
        reason = report.fatal
        if reason is None and finish_reason not in (None, "finished"):
            reason = f"the crawl stopped early ({finish_reason})"
        if complete and sync.counts.seen == 0:
            # No silent zero: a feed that gives no opportunity fails, and retires nothing.
            complete, reason = False, no_opportunities(report.format, report.rejected)
        outcome = sync.finish(
            complete=complete, failed_reason=reason, shrink_threshold=settings.shrink_threshold
        )
        status, message = outcome.status, outcome.message

    pushed = publish(plan.partner.id)
    if pushed.index_failures:
        sample = next(iter(pushed.index_failures.values()))
        message = (
            f"{len(pushed.index_failures)} search index writes failed ({sample}); they are kept in the "
            "database and retried at the next sync"
        )
        status = RunStatus.FAILED if status == RunStatus.SUCCEEDED else status

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
        trust = trust_counts(s, plan.partner.id)
        run.stale, run.dead_links = trust["stale"], trust["dead-links"]
        run.rejected = report.rejected
        run.rejected_by_reason = dict(report.rejected_by_reason)
        run.errors = [p.as_dict() | {"severity": p.severity} for p in report.problems]
        if status == RunStatus.SUCCEEDED and spider is not None:
            partner = s.get(Partner, plan.partner.id)
            partner.etag, partner.last_modified = spider.new_etag, spider.new_last_modified
    with db.session() as s:
        return s.get(CrawlRun, plan.run_id)
