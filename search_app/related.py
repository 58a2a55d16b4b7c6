"""Opportunities related to another one: similar live ones, and records no longer indexed."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from indexer.base import Hit, SearchQuery
from search_app.clicks import database
from search_app.i18n import current_language
from search_app.services import backend
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.regions import region_slug
from volunteer_hub.store.db import StoredOpportunity
from volunteer_hub.store.states import OpportunityState

log = logging.getLogger(__name__)


@dataclass
class StoredRecord:
    opportunity: Opportunity
    # Set when this is a live copy of another partner's record (volunteer_hub.store.grouping): the id of
    # the record search shows instead.
    listed_as: str | None = None


def stored_opportunity(opportunity_id: str) -> StoredRecord | None:
    """The database's record of an opportunity (including gone, hidden or copies), if any."""
    try:
        with database().session() as s:
            row = s.get(StoredOpportunity, opportunity_id)
            if row is None:
                return None
            data = dict(row.data)
            listed_as = row.duplicate_of if row.state == OpportunityState.LIVE else None
    except SQLAlchemyError:
        log.warning("stored opportunity lookup failed for %s", opportunity_id, exc_info=True)
        return None
    try:
        return StoredRecord(Opportunity.from_dict(data), listed_as)
    except (KeyError, TypeError, ValueError):
        log.warning("unreadable stored opportunity %s", opportunity_id, exc_info=True)
        return None


def regions_of(opp: Opportunity) -> list[str]:
    return sorted({region_slug(r) for r in opp.regions()} - {""})


def similar(opp: Opportunity, limit: int = 4) -> list[Hit]:
    """Live opportunities with the same causes in the same regions (then the same causes
    anywhere, then the same region), never ``opp`` itself."""
    regions = regions_of(opp)
    attempts: list[SearchQuery] = []
    if opp.causes and regions:
        attempts.append(SearchQuery(causes=list(opp.causes), regions=regions))
    elif opp.causes and opp.remote:
        attempts.append(SearchQuery(causes=list(opp.causes), filters={"remote": True}))
    if opp.causes:
        attempts.append(SearchQuery(causes=list(opp.causes)))
    if regions:
        attempts.append(SearchQuery(regions=regions))
    hits: list[Hit] = []
    seen = {opp.id}
    for query in attempts:
        query.lang = current_language()
        query.sort = "soonest"
        query.per_page = limit + 1
        for hit in backend().search(query).hits:
            if hit.opportunity.id not in seen:
                seen.add(hit.opportunity.id)
                hits.append(hit)
        if len(hits) >= limit:
            break
    return hits[:limit]
