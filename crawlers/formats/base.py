"""What every format parser produces: raw, format-neutral records and located problems.

A parser turns the bytes of a feed into ``RawOpportunity`` objects (strings as found, minimal
interpretation) and ``ParseProblem``s. ``crawlers.normalize`` then turns raw records into
``Opportunity`` records with one set of rules for every format. The crawler and the
``validate`` command share both, so a partner sees exactly what the crawler will do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class FeedError(Exception):
    """The input cannot be read at all (not XML, truncated, too large...)."""


@dataclass
class RawLocation:
    name: str | None = None
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    department: str | None = None
    country: str | None = None
    lat: str | float | None = None
    lon: str | float | None = None


@dataclass
class RawOpportunity:
    """One item as found in a feed. Dates are strings (or datetimes), booleans may be None."""

    source_id: str | None = None
    title: str | None = None
    description: str | None = None  # HTML or text, untrusted
    url: str | None = None
    organization_name: str | None = None
    organization_url: str | None = None
    categories: list[str] = field(default_factory=list)
    locations: list[RawLocation] = field(default_factory=list)
    remote: bool | None = None
    start: Any = None
    end: Any = None
    open_ended: bool | None = None
    posted: Any = None
    updated: Any = None
    expires: Any = None
    timezone: str | None = None  # Olson name the feed states for its naive date/times
    # The format's conventions, used only when neither the item nor its partner says more:
    # the country of a place that states none, and the zone of an item with no place.
    default_country: str | None = None
    default_timezone: str | None = None
    language: str | None = None
    skills: list[str] = field(default_factory=list)
    min_age: str | int | None = None
    commitment_hours_per_week: str | float | None = None
    schedule: str | None = None
    line: int | None = None  # where the item starts in the source, when the format allows


@dataclass
class ParseProblem:
    message: str
    item: str | None = None  # the item's source id, when known
    line: int | None = None
    field: str | None = None
    severity: str = "error"  # "error" rejects the item; "warning" keeps it

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "line": self.line, "field": self.field, "message": self.message}
