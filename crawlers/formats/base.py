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
    # Facts the feed states (None = it says nothing; never guessed here).
    open_to_minors: bool | None = None
    accessible: bool | None = None
    close_to_transport: bool | None = None
    recurrence: str | None = None  # "one-off" / "recurring"
    time_of_week: list[str] = field(default_factory=list)
    groups: bool | None = None
    family_friendly: bool | None = None
    requirements: list[str] = field(default_factory=list)
    image: str | None = None
    # Money paid to the volunteer: ``compensation_amount`` as found ("10", "-5"), unit and kind
    # as found; ``paid`` is a bare "the feed says it is paid" (FPXML ``paid``) with no amount.
    compensation_amount: str | float | None = None
    compensation_unit: str | None = None
    compensation_kind: str | None = None
    paid: bool | None = None
    organization_description: str | None = None
    organization_logo: str | None = None
    organization_ids: dict[str, str] = field(default_factory=dict)  # {"rna": ..., "siren": ...}
    line: int | None = None  # where the item starts in the source, when the format allows


@dataclass
class ParseProblem:
    message: str
    item: str | None = None  # the item's source id, when known
    line: int | None = None
    field: str | None = None
    severity: str = "error"  # "error" rejects the item; "warning" keeps it
    # A short, stable name for the run report's ``rejected_by_reason`` ("paid"); when None the
    # reason is derived from the field and the message.
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "line": self.line, "field": self.field, "message": self.message}
