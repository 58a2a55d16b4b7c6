"""Date presets of the search form: ``when=weekend`` / ``when=month`` -> ``date_from``/``date_to``.

Days are counted in the site's time zone (Europe/Paris), like ``date_from``/``date_to``.
Explicit dates win over a preset. The resulting window keeps opportunities *available* in it
(overlap), as the backends' date filter does. The ``when`` parameter itself is parsed with the
others in the registry (``search_app.filters``): an unknown preset is a 400 naming it.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from search_app.params import DATE_ZONE, ParameterError

PRESETS = ("weekend", "month")


def preset_window(preset: str, today: date) -> tuple[date, date]:
    """The (first, last) day of ``preset`` seen from ``today``."""
    if preset == "weekend":
        if today.weekday() >= 5:  # already Saturday or Sunday: the rest of this weekend
            return today, today + timedelta(days=6 - today.weekday())
        saturday = today + timedelta(days=5 - today.weekday())
        return saturday, saturday + timedelta(days=1)
    if preset == "month":
        last = calendar.monthrange(today.year, today.month)[1]
        return today, today.replace(day=last)
    raise ParameterError("when", f"expected one of: {', '.join(PRESETS)}")


def today_in_zone(now: datetime | None = None) -> date:
    return (now or datetime.now(DATE_ZONE)).astimezone(DATE_ZONE).date()
