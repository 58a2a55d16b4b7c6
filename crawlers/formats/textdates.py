"""Dates written for people, in French or English, as partners put them in descriptions.

``parse_text_date("le 3 mars 2026 à 14h")`` -> ``datetime(2026, 3, 3, 14, 0)`` (naive: the
caller applies the partner's time zone). ``parse_date_range`` reads the "Dates : du 1er avril
2027 au 30 juin 2027" / "When: Saturday 20 February 2027, 09:00–16:00" / "à partir du 2
novembre 2026, mission sans date de fin" lines of RSS/Atom feeds into a ``DateRange``.

Hand-written rules rather than a general date guesser: they are fast, never guess a date out
of a stray number, and say "no" when unsure (``None``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from volunteer_hub.core.textfold import fold

MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_WEEKDAYS = (
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun"
)
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
# "1er avril 2027", "3 mars", "14 June 2027", "June 14, 2027", "14/06/2027", "2027-06-14"
_DAY_MONTH = rf"(?P<d>\d{{1,2}})(?:er|re|st|nd|rd|th)?\s+(?P<m>{_MONTH_RE})\.?(?:\s+(?P<y>\d{{4}}))?"
_MONTH_DAY = rf"(?P<m2>{_MONTH_RE})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y2>\d{{4}}))?"
_NUMERIC = r"(?P<d3>\d{1,2})[/.](?P<m3>\d{1,2})[/.](?P<y3>\d{4})"
_ISO = r"(?P<y4>\d{4})-(?P<m4>\d{2})-(?P<d4>\d{2})"
DATE = rf"(?:(?:{_WEEKDAYS})\.?,?\s+)?(?:{_ISO}|{_NUMERIC}|{_DAY_MONTH}|{_MONTH_DAY})"
# "14h", "14 h 30", "9h30", "09:00", "2 pm", "2:30pm"
TIME = r"(?P<h>\d{1,2})\s*(?:(?:h|:)\s*(?P<min>\d{2})?|(?=\s*[ap]\.?m\b))\s*(?P<ampm>[ap]\.?m\.?)?"

_DATE_RE = re.compile(DATE, re.I)
_TIME_RE = re.compile(TIME, re.I)
_OPEN_ENDED = re.compile(
    r"sans date de fin|sans limite|en continu|toute l.annee|ongoing|no end date|open.ended|all year", re.I
)
_FROM = re.compile(r"\b(a partir du|a partir de|des le|starting|from|beginning|du|depuis le)\b", re.I)


@dataclass
class DateRange:
    start: datetime | None = None
    end: datetime | None = None
    open_ended: bool = False


def _date_of(m: re.Match[str], default_year: int | None) -> datetime | None:
    g = m.groupdict()
    try:
        if g.get("y4"):
            return datetime(int(g["y4"]), int(g["m4"]), int(g["d4"]))
        if g.get("y3"):
            return datetime(int(g["y3"]), int(g["m3"]), int(g["d3"]))
        if g.get("d"):
            year = int(g["y"]) if g.get("y") else default_year
            return datetime(year, MONTHS[g["m"].lower()], int(g["d"])) if year else None
        if g.get("d2"):
            year = int(g["y2"]) if g.get("y2") else default_year
            return datetime(year, MONTHS[g["m2"].lower()], int(g["d2"])) if year else None
    except (ValueError, KeyError):
        return None
    return None


def _time_of(m: re.Match[str]) -> tuple[int, int] | None:
    hour, minute = int(m.group("h")), int(m.group("min") or 0)
    ampm = (m.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def _times(text: str) -> list[tuple[int, int]]:
    found = []
    for m in _TIME_RE.finditer(text):
        # A bare number is not a time: require "h", ":" or am/pm.
        if not re.search(r"[h:]|[ap]\.?m", m.group(0), re.I):
            continue
        t = _time_of(m)
        if t:
            found.append(t)
    return found


_SHARED_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:er|re|st|nd|rd|th)?(\s*-\s*|\s+(?:au|a|to|until|et|and)\s+)(\d{{1,2}})(?:er|re|st|nd|rd|th)?\s+({_MONTH_RE})\b"
)


def _folded(text: str) -> str:
    """Lower-cased, accent-free, one-spaced; "du 3 au 5 mars" -> "du 3 mars au 5 mars"."""
    folded = " ".join(fold(text).replace("\u2013", "-").replace("\u2014", "-").split())
    return _SHARED_MONTH.sub(r"\1 \4 au \3 \4", folded)


def parse_text_date(text: str, default_year: int | None = None) -> datetime | None:
    """One date (with an optional time) in French or English text, naive; None when unsure."""
    folded = _folded(text)
    m = _DATE_RE.search(folded)
    if not m:
        return None
    day = _date_of(m, default_year)
    if day is None:
        return None
    rest = folded[m.end() :]
    times = _times(rest[:40])
    if times:
        day = day.replace(hour=times[0][0], minute=times[0][1])
    return day


def parse_date_range(text: str) -> DateRange | None:
    """A "Dates : ..." / "When: ..." value -> start, end, open-endedness; None when no date."""
    folded = _folded(text)
    matches = list(_DATE_RE.finditer(folded))
    if not matches:
        return None
    years = [_date_of(m, None) for m in matches]
    known_year = next((d.year for d in reversed(years) if d), None)
    dates = [_date_of(m, known_year) for m in matches]
    if any(d is None for d in dates):
        return None
    result = DateRange(open_ended=bool(_OPEN_ENDED.search(folded)))
    first = matches[0]
    times = _times(folded[first.end() : matches[1].start()] if len(matches) > 1 else folded[first.end() :])
    start = dates[0]
    if times:
        start = start.replace(hour=times[0][0], minute=times[0][1])
    result.start = start
    if len(dates) > 1:
        end = dates[-1]
        end_times = _times(folded[matches[-1].end() :])
        if end_times:
            end = end.replace(hour=end_times[-1][0], minute=end_times[-1][1])
        result.end = end
    elif len(times) > 1:  # one day, "de 9 h 30 à 12 h 30" / "09:00-16:00"
        result.end = dates[0].replace(hour=times[-1][0], minute=times[-1][1])
    elif not result.open_ended and not _FROM.search(folded[: first.start()]):
        result.end = None  # a single day without hours: the start is all we know
    if result.end is not None and result.start is not None and result.end < result.start:
        return None
    return result
