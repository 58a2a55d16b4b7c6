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


def _point(opp: Opportunity) -> tuple[float, float] | None:
    for location in opp.locations:
        if location.lat is not None and location.lon is not None:
            return location.lat, location.lon
    return None


def similar(opp: Opportunity, limit: int = 4) -> list[Hit]:
    """Live opportunities like ``opp``, never ``opp`` itself: the same causes near it (50 km, then
    150 km) in its language first, then the same causes in its region or remote, in its language;
    only then the same causes in its language anywhere, nearby ones of any cause, any language."""
    regions = regions_of(opp)
    point = _point(opp)
    same_language: dict[str, str | bool] = {"language": opp.language} if opp.language else {}
    attempts: list[SearchQuery] = []
    causes = list(opp.causes)
    if causes and point:
        for radius in (50.0, 150.0):
            attempts.append(
                SearchQuery(
                    causes=causes, near=point, radius_km=radius, filters=dict(same_language), sort="nearest"
                )
            )
    if causes and regions:
        attempts.append(SearchQuery(causes=causes, regions=regions, filters=dict(same_language)))
    if causes and opp.remote:
        attempts.append(SearchQuery(causes=causes, filters={"remote": True, **same_language}))
    if causes:
        attempts.append(SearchQuery(causes=causes, filters=dict(same_language)))
    if point:
        attempts.append(SearchQuery(near=point, radius_km=50.0, filters=dict(same_language), sort="nearest"))
    if regions:
        attempts.append(SearchQuery(regions=regions, filters=dict(same_language)))
    if causes:
        attempts.append(SearchQuery(causes=causes))
    hits: list[Hit] = []
    seen = {opp.id}
    for query in attempts:
        query.lang = current_language()
        if query.sort == "relevance":
            query.sort = "soonest"
        query.per_page = limit + 1
        query.facets = False
        for hit in backend().search(query).hits:
            if hit.opportunity.id not in seen:
                seen.add(hit.opportunity.id)
                hit.distance_km = None  # from this opportunity, not from the visitor: not shown
                hits.append(hit)
        if len(hits) >= limit:
            break
    return hits[:limit]
