"""Item pipelines: drop duplicates within a feed, then store batches in the database."""

from __future__ import annotations

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from sqlalchemy.exc import SQLAlchemyError

from crawlers.formats.base import ParseProblem
from crawlers.items import OpportunityItem

STORE_BATCH = 500


class DuplicatePipeline:
    """The first occurrence of an id in a feed wins; later ones are reported and dropped."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuplicatePipeline:
        return cls(crawler)

    def process_item(self, item: OpportunityItem) -> OpportunityItem:
        opp = item.opportunity
        if opp.id in self.seen:
            spider = self.crawler.spider
            spider.report.add_problem(
                ParseProblem(
                    f"duplicate of an earlier item with the same id {opp.source_id!r}; "
                    "the first one was kept",
                    item=opp.source_id,
                    field="id",
                )
            )
            raise DropItem(f"duplicate {opp.source_id}")
        self.seen.add(opp.id)
        return item


class StorePipeline:
    """Store opportunities in batches through the spider's ``PartnerSync``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.batch: list = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item: OpportunityItem) -> OpportunityItem:
        self.batch.append(item.opportunity)
        if len(self.batch) >= STORE_BATCH:
            self.flush()
        return item

    def flush(self) -> None:
        if self.batch:
            batch, self.batch = self.batch, []
            spider = self.crawler.spider
            try:
                spider.sync.store(batch)
            except SQLAlchemyError as exc:
                # A batch not stored: the run must fail and retire nothing (its items would look gone).
                if spider.report.fatal is None:
                    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    spider.report.fatal = f"the database failed while storing listings: {first_line}"
                raise

    def close_spider(self, spider: Spider | None = None) -> None:
        self.flush()
