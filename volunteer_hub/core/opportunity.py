"""The one normalized opportunity record every stage uses.

fetch -> parse (format-specific raw dicts) -> normalize (``Opportunity``) -> store/index -> search -> render.

Documented field by field in ``docs/opportunity.md``. Dates are timezone-aware ``datetime``
objects in memory and ISO 8601 strings in JSON; ``id`` is stable across crawls so a recrawl
updates a record instead of duplicating it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import orjson

# Fields that describe the content; a change in any of them changes ``content_hash``.
# Bookkeeping (first_seen, last_seen, content_hash) is excluded so that an unchanged
# opportunity hashes the same on every crawl.
# ``other_sources`` is filled at indexing time (cross-partner copies), never by a partner.
_BOOKKEEPING = {"first_seen", "last_seen", "last_verified", "content_hash", "other_sources"}


@dataclass
class Organization:
    name: str = ""
    url: str | None = None
    description: str = ""  # plain text, as the partner describes the organization
    logo: str | None = (
        None  # absolute http(s) URL of the partner's logo (fetched by the app, never hot-linked)
    )
    # Official identifiers, by scheme: {"rna": "W751234567", "siren": "123456789", "ein": "..."}
    ids: dict[str, str] = field(default_factory=dict)


@dataclass
class Compensation:
    """Money paid to the volunteer beyond expenses (API Engagement ``compensation*``); None when unpaid."""

    amount: float | None = None
    unit: str | None = None  # hour / day / month / year
    kind: str | None = None  # gross / net


@dataclass
class Location:
    """One place an opportunity happens at. All fields optional; lat/lon are WGS84 degrees."""

    name: str | None = None
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, upper case
    lat: float | None = None
    lon: float | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    def label(self) -> str:
        """Short human label: 'Rennes (35000)', 'Lyon', 'Bretagne' ..."""
        if self.city:
            return f"{self.city} ({self.postal_code})" if self.postal_code else self.city
        return self.name or self.region or self.postal_code or self.country or ""


@dataclass
class Source:
    """Another partner's copy of the same opportunity (see volunteer_hub.core.identity)."""

    partner: str
    id: str  # that copy's own opportunity id
    url: str  # that partner's page for it


@dataclass
class Opportunity:
    """A normalized volunteer opportunity. See docs/opportunity.md."""

    id: str
    partner: str
    source_id: str
    url: str
    title: str
    description: str = ""  # sanitized HTML (safe subset)
    summary: str = ""  # plain text, at most ~300 characters
    organization: Organization = field(default_factory=Organization)
    causes: list[str] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    remote: bool = False
    start: datetime | None = None
    end: datetime | None = None
    open_ended: bool = False
    posted: datetime | None = None
    updated: datetime | None = None
    expires: datetime | None = None
    language: str = "fr"
    skills: list[str] = field(default_factory=list)
    min_age: int | None = None
    commitment_hours_per_week: float | None = None
    schedule: str = ""  # free text ("Every Saturday morning")
    # Practical facts a volunteer filters on. None means unknown (never guessed below the measured
    # precision target, docs/quality.md); read from the feed where it says, else inferred from the text.
    open_to_minors: bool | None = None
    accessible: bool | None = None  # reduced-mobility access
    close_to_transport: bool | None = None
    recurrence: str | None = None  # "one-off" / "recurring"
    time_of_week: list[str] = field(default_factory=list)  # any of "weekdays", "evenings", "weekends"
    skills_based: bool | None = None
    groups: bool | None = None  # suitable for a group
    family_friendly: bool | None = None
    requirements: list[str] = field(default_factory=list)  # prerequisites, as the partner lists them
    compensation: Compensation | None = None
    image: str | None = None  # absolute http(s) URL of the listing's picture
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    # When the link checker last found the detail URL answering (services.links); None: never.
    last_verified: datetime | None = None
    content_hash: str = ""
    # Copies published by other partners, shown with this record (search shows it once).
    other_sources: list[Source] = field(default_factory=list)

    # -- derived values ---------------------------------------------------------------------
    def expiry(self) -> datetime | None:
        """When the opportunity stops being available: the earlier of ``end`` and ``expires``.

        Open-ended opportunities only expire through ``expires``. A dated one with a start and
        no end (a one-off event) is over at the end of its start day, in the event's own time.
        """
        candidates = [d for d in (self.effective_end(), self.expires) if d]
        return min(candidates) if candidates else None

    def effective_end(self) -> datetime | None:
        """When the dates say it is over: ``end``, else the end of the start day; None when open-ended."""
        return None if self.open_ended else self.end or _end_of_day(self.start)

    def is_expired(self, now: datetime) -> bool:
        exp = self.expiry()
        return exp is not None and exp <= now

    def regions(self) -> list[str]:
        return sorted({loc.region for loc in self.locations if loc.region})

    def compute_hash(self) -> str:
        # Empty values are left out, so adding a field to the record does not change the hash of
        # every stored record (which would rewrite the whole index on the next crawl).
        payload = _without_empty({k: v for k, v in self.to_dict().items() if k not in _BOOKKEEPING})
        raw = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(raw).hexdigest()[:32]

    # -- (de)serialization ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        # By hand rather than ``dataclasses.asdict``, which deep-copies every value: it was a fifth
        # of a crawl's CPU time (bench/README profile). Lists are copied; their items are immutable.
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        data["organization"] = _plain(self.organization)
        data["locations"] = [_plain(loc) for loc in self.locations]
        data["other_sources"] = [_plain(src) for src in self.other_sources]
        data["compensation"] = _plain(self.compensation) if self.compensation else None
        for name in _LIST_FIELDS:
            data[name] = list(data[name])
        for name in _DATE_FIELDS:
            value = data[name]
            data[name] = value.isoformat() if value else None
        return data

    def to_json(self) -> str:
        """``to_dict()`` as JSON text, read back by ``from_dict(json.loads(...))``: orjson walks the
        dataclasses natively, 5x faster than ``json.dumps(to_dict())`` (every indexed document stores
        its record). Dates go through ``isoformat`` as in ``to_dict``: orjson's own writer drops the
        seconds of an offset (a zone's local mean time before its standard time: New York -04:56:02).
        Not for ``compute_hash``, whose exact bytes are kept."""
        try:
            return orjson.dumps(self, default=_isoformat, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()
        except orjson.JSONEncodeError:  # e.g. an integer past 64 bits: the standard library takes it
            return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Opportunity:
        kwargs = {k: v for k, v in data.items() if k in _KNOWN}
        kwargs["organization"] = Organization(**(data.get("organization") or {}))
        if data.get("compensation"):
            kwargs["compensation"] = Compensation(**data["compensation"])
        kwargs["locations"] = [Location(**loc) for loc in data.get("locations") or []]
        kwargs["other_sources"] = [Source(**src) for src in data.get("other_sources") or []]
        for name in _DATE_FIELDS:
            value = kwargs.get(name)
            if isinstance(value, str):
                kwargs[name] = datetime.fromisoformat(value)
        return cls(**kwargs)


def _isoformat(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not serializable: {type(value).__name__}")


def _plain(obj: Any) -> dict[str, Any]:
    """A flat dataclass (Organization, Location, Source, Compensation) as a new dict."""
    data = dict(obj.__dict__)
    for key, value in data.items():
        if isinstance(value, dict | list):
            data[key] = value.copy()
    return data


def _without_empty(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def _end_of_day(moment: datetime | None) -> datetime | None:
    """The last second of ``moment``'s day, in ``moment``'s own time zone."""
    return moment.replace(hour=23, minute=59, second=59, microsecond=0) if moment else None


_DATE_FIELDS = ("start", "end", "posted", "updated", "expires", "first_seen", "last_seen", "last_verified")
_FIELD_NAMES = tuple(f.name for f in fields(Opportunity))
_KNOWN = frozenset(_FIELD_NAMES)  # from_dict keeps these keys (fields() per call was 15% of it)
_NESTED = ("organization", "locations", "other_sources", "compensation")
_LIST_FIELDS = tuple(
    f.name for f in fields(Opportunity) if f.default_factory is list and f.name not in _NESTED
)


def make_id(partner: str, source_id: str) -> str:
    """Stable opportunity id from the partner id and the source's own id for the item.

    Readable prefix for operators, hash suffix so any source id (URLs, spaces...) gives a
    URL-safe id of bounded length.
    """
    digest = hashlib.sha1(f"{partner}\x1f{source_id}".encode()).hexdigest()[:16]
    return f"{partner}-{digest}"
