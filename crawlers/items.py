"""The one item every spider yields: a normalized ``Opportunity`` wrapped for Scrapy."""

from __future__ import annotations

from dataclasses import dataclass

from volunteer_hub.core.opportunity import Opportunity


@dataclass
class OpportunityItem:
    opportunity: Opportunity
