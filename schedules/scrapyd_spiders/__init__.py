"""The ``partner`` spider Scrapyd runs: ``scrapy crawl partner -a partner_id=ID [-a run_id=N]``.

``PartnerSpider.from_crawler`` takes over the run its dispatcher allocated (``run_id``; without
one it allocates a run itself, refused when one is in progress), keeps the run's lease alive
while the job runs, builds the partner's own format spider with the same arguments
``crawlers.runner.crawl_partners`` gives it, and closes the run with ``crawlers.runner.finish_run``
(storing, then publishing to the search index) when the spider closes. The Scrapyd host needs
volunteer-hub installed and the same ``VOLUNTEER_HUB_*`` environment (database, search backend)
as the scheduler.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler

from crawlers import settings as crawler_settings
from crawlers.report import RunReport
from crawlers.resolver import PublicAddressResolver
from crawlers.runner import PlannedRun, finish_run, spider_arguments
from crawlers.spiders import spider_for_format
from indexer import open_backend
from volunteer_hub.core.config import Settings, load_settings
from volunteer_hub.services.crawl import index_publisher
from volunteer_hub.store.db import Database
from volunteer_hub.store.partner_sync import PartnerSync
from volunteer_hub.store.runs import LeaseKeeper, allocate_run, attach_process


@functools.cache
def _settings() -> Settings:
    return load_settings()


class ConfiguredResolver(PublicAddressResolver):
    """The crawl resolver, with this deployment's ``allow_private_urls`` (Scrapyd's process
    settings are the settings module's, which reads no environment)."""

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PublicAddressResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_private = _settings().allow_private_urls
        return resolver


class PartnerSpider(scrapy.Spider):
    """A factory: ``from_crawler`` returns the partner's format spider, wired to a run record."""

    name = "partner"

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        settings.setdict(crawler_settings.configured(_settings()), priority="spider")

    @classmethod
    def from_crawler(  # type: ignore[override]
        cls,
        crawler: Crawler,
        partner_id: str,
        trigger: str = "schedule",
        force: str = "0",
        run_id: str | None = None,
        **kwargs: Any,
    ) -> scrapy.Spider:
        settings = _settings()
        db = Database.from_settings(settings)
        backend = open_backend(settings)
        partner = db.partner(partner_id)
        if partner is None:
            raise ValueError(f"unknown partner {partner_id!r}")
        try:
            backend.ensure_ready()
        except Exception:  # noqa: BLE001 - results are kept in the database and indexed later
            pass
        if run_id:
            run = attach_process(db, int(run_id), pid=os.getpid(), partner_id=partner.id)
            the_run_id = run.id
        else:
            the_run_id = allocate_run(
                db, partner.id, "schedule" if trigger == "schedule" else "manual", pid=os.getpid()
            )
        lease = LeaseKeeper(db, [the_run_id]).start()
        plan = PlannedRun(partner, the_run_id, PartnerSync(db, partner.id), RunReport(partner.id), crawler)
        spidercls = spider_for_format(partner.format)
        spidercls.update_settings(crawler.settings)  # its custom_settings, as if it were crawled directly
        forced = force in ("1", "true", "yes")
        spider = spidercls.from_crawler(crawler, **spider_arguments(plan, force=forced))

        def closed(spider: scrapy.Spider, reason: str) -> None:
            # Connected before Scrapy's CoreStats (the spider exists before the extensions),
            # so record the finish reason finish_run reads ourselves.
            if crawler.stats is not None:
                crawler.stats.set_value("finish_reason", reason)
            try:
                finish_run(plan, settings=settings, db=db, publish=index_publisher(db, backend))
            finally:
                lease.stop()

        spider._vh_finish = closed  # keep a strong reference: signal receivers are weak
        crawler.signals.connect(closed, signal=signals.spider_closed)
        return spider
