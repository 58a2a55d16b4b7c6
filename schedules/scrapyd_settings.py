"""Scrapy settings for crawls dispatched to Scrapyd (project ``volunteer-hub``).

The crawler's own settings, plus the one ``partner`` spider that runs a whole partner crawl
(run record, store, shrink guard, index) exactly like ``volunteer-hub crawl ID``.
"""

from crawlers.settings import *  # noqa: F403

SPIDER_MODULES = ["schedules.scrapyd_spiders"]
NEWSPIDER_MODULE = "schedules.scrapyd_spiders"
VH_PROGRESS = False
# The deployment's VOLUNTEER_HUB_ALLOW_PRIVATE_URLS, loaded by the spider module (no import-time read).
TWISTED_DNS_RESOLVER = "schedules.scrapyd_spiders.ConfiguredResolver"
