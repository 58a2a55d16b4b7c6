"""Build the flat search document both backends index from an ``Opportunity``.

Keeping this in one place is what makes the two backends agree: the same analyzed terms,
the same availability window, the same facet values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from volunteer_hub.core.analysis import analyzed
from volunteer_hub.core.html import to_text
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.practical import commitment_level
from volunteer_hub.core.regions import region_slug
from volunteer_hub.core.textfold import slugify
from volunteer_hub.core.timeutil import as_utc

# Open ends of availability windows, as real dates so both engines can range over them.
FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass
class SearchDocument:
    id: str
    partner: str
    organization: str  # display name
    org_slug: str
    language: str
    remote: bool
    title_terms: str
    body_terms: str
    causes: list[str]
    region_slugs: list[str]
    countries: list[str]
    points: list[tuple[float, float]]  # (lat, lon)
    avail_start: datetime  # FAR_PAST when unknown / ongoing
    avail_end: datetime  # FAR_FUTURE when open-ended
    expiry: datetime  # FAR_FUTURE when it never expires
    sort_start: datetime  # start, else FAR_FUTURE: "soonest" puts undated ones last
    posted: datetime  # posted, else first_seen, else FAR_PAST
    # Practical facts (indexer.practical); None: unknown, never matched by a filter.
    open_to_minors: bool | None = None
    accessible: bool | None = None
    recurrence: str | None = None
    time_of_week: list[str] = field(default_factory=list)
    skills_based: bool | None = None
    groups: bool | None = None
    family_friendly: bool | None = None
    commitment: str | None = None  # light / regular / intensive (core.practical.commitment_level)
    quality: int = 0  # 0-5, ``quality_score``: the tie-breaker of relevance, the order of browsing


# The quality signal (docs/search.md): one point each, computed when the document is written.
FRESH_DAYS = 90  # the partner posted or updated it within this many days
VERIFIED_DAYS = 30  # the link checker found its page answering within this many days
COMPLETE_TEXT = 200  # characters of description, with an organization and a cause


def quality_score(opp: Opportunity, now: datetime | None = None, text: str | None = None) -> int:
    """Fresh, verified link, complete record, dates given, place given: 0 to 5.

    ``text``: the description as plain text when the caller already has it (it is not converted twice).
    """
    now = now or datetime.now(UTC)
    touched = opp.updated or opp.posted
    fresh = touched is not None and now - as_utc(touched) <= timedelta(days=FRESH_DAYS)
    verified = opp.last_verified is not None and now - as_utc(opp.last_verified) <= timedelta(
        days=VERIFIED_DAYS
    )
    if text is None:
        text = to_text(opp.description)
    complete = len(text) >= COMPLETE_TEXT and bool(opp.organization.name) and bool(opp.causes)
    dated = any((opp.start, opp.end, opp.expires))
    placed = opp.remote or any(loc.city or loc.postal_code or loc.lat is not None for loc in opp.locations)
    return sum((fresh, verified, complete, dated, placed))


def _utc(value: datetime | None, default: datetime) -> datetime:
    if value is None:
        return default
    return as_utc(value)


Terms = tuple[str, str]  # (title terms, body terms): analyzed, whitespace-separated


def analysis_input(opp: Opportunity, text: str | None = None) -> tuple[str, str]:
    """The (title, body) texts the analysis reads; ``text``: the description as plain text, if known."""
    # The places' names too, so "maraude marseille" typed in the "what" field finds Marseille's listings.
    places = " ".join(dict.fromkeys(p for loc in opp.locations for p in (loc.city, loc.region) if p))
    if text is None:
        text = to_text(opp.description)
    body = " ".join(part for part in (text, opp.organization.name, " ".join(opp.skills), places) if part)
    return opp.title, body


def analyze_pair(texts: tuple[str, str]) -> Terms:
    """(title, body) -> their terms; a pure function, so it can run in a worker process."""
    return analyzed(texts[0]), analyzed(texts[1])


def build_document(opp: Opportunity, terms: Terms | None = None, text: str | None = None) -> SearchDocument:
    """The search document of ``opp``; ``terms``: its analysis when already known (indexer.analysis_cache),
    ``text``: its description as plain text when already known."""
    if text is None:
        text = to_text(opp.description)
    title_terms, body_terms = terms if terms is not None else analyze_pair(analysis_input(opp, text))
    return SearchDocument(
        id=opp.id,
        partner=opp.partner,
        organization=opp.organization.name or "",
        org_slug=slugify(opp.organization.name or ""),
        language=opp.language,
        remote=opp.remote,
        title_terms=title_terms,
        body_terms=body_terms,
        causes=list(opp.causes),
        region_slugs=sorted({region_slug(r) for r in opp.regions()} - {""}),
        countries=sorted({loc.country for loc in opp.locations if loc.country}),
        points=[(loc.lat, loc.lon) for loc in opp.locations if loc.lat is not None and loc.lon is not None],
        avail_start=_utc(opp.start, FAR_PAST),
        avail_end=_utc(opp.effective_end(), FAR_FUTURE),  # a one-off event: its start day
        expiry=_utc(opp.expiry(), FAR_FUTURE),
        sort_start=_utc(opp.start, FAR_FUTURE),
        posted=_utc(opp.posted or opp.first_seen, FAR_PAST),
        open_to_minors=opp.open_to_minors,
        accessible=opp.accessible,
        recurrence=opp.recurrence,
        time_of_week=sorted(set(opp.time_of_week)),
        skills_based=opp.skills_based,
        groups=opp.groups,
        family_friendly=opp.family_friendly,
        commitment=commitment_level(opp.commitment_hours_per_week),
        quality=quality_score(opp, text=text),
    )


def iso(value: datetime) -> str:
    """Fixed-width UTC ISO string: sorts lexically in SQLite, parses as a date in ES."""
    utc = value.astimezone(UTC)
    if utc.year < 1000:  # strftime writes such a year unpadded: kept as it always was
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    # isoformat is twice as fast as strftime, and iso() runs five times per indexed document
    return utc.isoformat(timespec="seconds")[:19] + "Z"
