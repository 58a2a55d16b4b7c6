"""Presentation helpers for templates: dates, places, cause labels, safe links."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import format_date, format_decimal, format_time, gettext

from search_app.highlight import highlight
from search_app.i18n import current_language
from volunteer_hub.core.html import sanitize, to_text
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.regions import region_label
from volunteer_hub.core.taxonomy import CAUSES, cause_label
from volunteer_hub.core.timeutil import aware as aware  # re-exported (discover, structured)


def is_live(opportunity: Opportunity, now: datetime | None = None) -> bool:
    """False once the opportunity has expired: it must then never be shown."""
    # expiry() compares end and expires, which would raise on a naive/aware mix.
    normalized = replace(opportunity, end=aware(opportunity.end), expires=aware(opportunity.expires))
    expiry = normalized.expiry()
    return expiry is None or expiry > (now or datetime.now(UTC))


def http_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None (never link to javascript: & co)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


_FIRST_OF_MONTH = re.compile(r"^1(?=\s)")


def day_text(value: date | datetime, width: str = "medium", *, rebase: bool = True) -> str:
    """A day in the request's language (babel's ``width``); French writes the first of a month
    "1er" ("1er avr. 2026"), which CLDR's patterns do not."""
    text = (
        format_date(value, width, rebase=rebase) if isinstance(value, datetime) else format_date(value, width)
    )
    if current_language() == "fr" and value.day == 1:
        text = _FIRST_OF_MONTH.sub("1er", text)
    return text


def date_range(opportunity: Opportunity, now: datetime | None = None) -> str:
    """ "12 juin 2025 – 14 juin 2025", "À partir du …", "Jusqu'au …" or "En continu" / "Ongoing".

    Days and times are the event's own (``rebase=False``): a 19:00 Miami session reads 19:00,
    not 01:00 the next day in the site's Paris time.
    """
    start, end = aware(opportunity.start), aware(opportunity.end)
    now = now or datetime.now(UTC)
    if opportunity.open_ended or (start is None and end is None):
        if start is not None and start > now:
            return gettext("Ongoing, from %(start)s", start=day_text(start, rebase=False))
        return gettext("Ongoing")
    if start is None:
        return gettext("Until %(end)s", end=day_text(end, rebase=False))
    if end is None:
        return gettext("From %(start)s", start=day_text(start, rebase=False))
    first, last = day_text(start, rebase=False), day_text(end, rebase=False)
    if first == last:
        if start == end or start.time() == time.min:  # a date without a time
            return first
        return gettext(
            "%(day)s, %(start)s – %(end)s",
            day=first,
            start=format_time(start, "short", rebase=False),
            end=format_time(end, "short", rebase=False),
        )
    return gettext("%(start)s – %(end)s", start=first, end=last)


def place_labels(opportunity: Opportunity) -> list[str]:
    """Distinct human labels of the opportunity's places, in order."""
    labels: list[str] = []
    for location in opportunity.locations:
        label = location.label()
        if label and label not in labels:
            labels.append(label)
    return labels


def cause_name(code: str) -> str:
    return cause_label(code, current_language())


def region_name(slug: str) -> str:
    return region_label(slug, current_language())


def distance(km: float | None) -> str:
    if km is None:
        return ""
    return gettext("%(km)s km away", km=format_decimal(round(km, 1), format="#,##0.#"))


def format_day(value: datetime | None) -> str:
    return day_text(aware(value), "long") if value else ""


def partner_name(partner_id: str) -> str:
    from search_app.services import services  # the services need an app; display does not

    return services().partner_name(partner_id)


# Lines of a description that only restate the card's place or date line ("Lieu : Rennes").
_FACT_LINE = re.compile(
    r"^\s*(lieu|adresse|où|ou|quand|date|dates|horaires?|where|when|location|address|schedule)\s*:", re.I
)
_BULLET = re.compile(r"^[\s•*·-]+|\s+$")
_SENTENCE_END = ".!?…:;"
SUMMARY_CHARS = 170


def card_summary(opportunity: Opportunity) -> str:
    """Two short lines for a card: the description's text without the lines that only repeat the
    place or the dates shown above it, list items and paragraphs kept apart ("a week · Training")."""
    # sanitize first: script and style contents are not text (the index may hold raw partner HTML)
    text = to_text(sanitize(opportunity.description)) if opportunity.description else ""
    lines = [_BULLET.sub("", line) for line in (text or opportunity.summary or "").splitlines()]
    places = {p.casefold() for loc in opportunity.locations for p in (loc.city,) if p}
    kept: list[str] = []
    for line in lines:
        if not line or _FACT_LINE.match(line):
            continue
        if len(line) < 60 and any(place in line.casefold() for place in places) and kept:
            continue  # "Saint-Malo (35)": already on the card
        kept.append(line)
    flat = ""
    for line in kept:
        if flat:
            flat += " " if flat[-1] in _SENTENCE_END else " · "
        flat += " ".join(line.split())
        if len(flat) > SUMMARY_CHARS:
            break
    if len(flat) <= SUMMARY_CHARS:
        return flat
    return flat[:SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(",;:.· ") + "…"


def map_point(opportunity: Opportunity) -> tuple[float, float] | None:
    """The first place with coordinates (rounded: a map pin, not an address)."""
    for location in opportunity.locations:
        if location.lat is not None and location.lon is not None:
            return round(location.lat, 5), round(location.lon, 5)
    return None


def map_points(opportunity: Opportunity) -> list[dict[str, object]]:
    """Every place of the opportunity with coordinates, for the detail page's map."""
    points: list[dict[str, object]] = []
    for location in opportunity.locations:
        if location.lat is not None and location.lon is not None:
            points.append(
                {
                    "lat": round(location.lat, 5),
                    "lon": round(location.lon, 5),
                    "label": location.label() or "",
                }
            )
    return points


def cause_picture(opportunity: Opportunity) -> str:
    """The illustration (static/causes/<code>.svg) of the opportunity's first known cause."""
    for code in opportunity.causes:
        if code in CAUSES:
            return code
    return "autre"


LANGUAGE_NAMES = {
    "fr": ("français", "French"),
    "en": ("anglais", "English"),
    "de": ("allemand", "German"),
    "es": ("espagnol", "Spanish"),
    "it": ("italien", "Italian"),
    "nl": ("néerlandais", "Dutch"),
}


def language_name(code: str, phrase: bool = False) -> str:
    """ "English" (or with ``phrase`` "In English") for a listing's language code, in the page's
    language; the code itself when unknown."""
    names = LANGUAGE_NAMES.get((code or "").lower())
    if names is None:
        return code
    name = names[0] if current_language() == "fr" else names[1]
    return gettext("In %(language)s", language=name) if phrase else name[:1].upper() + name[1:]


def register(app: Flask) -> None:
    app.jinja_env.filters["partner_name"] = partner_name
    app.jinja_env.globals.update(
        date_range=date_range,
        place_labels=place_labels,
        cause_name=cause_name,
        region_name=region_name,
        distance=distance,
        http_url=http_url,
        format_day=format_day,
        highlight=highlight,
        card_summary=card_summary,
        map_point=map_point,
        cause_picture=cause_picture,
        language_name=language_name,
    )
