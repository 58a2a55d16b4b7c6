"""Presentation helpers for templates: dates, places, cause labels, safe links."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import format_date, format_decimal, format_time, gettext

from search_app.i18n import current_language
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.regions import region_label
from volunteer_hub.core.taxonomy import cause_label
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
    )
