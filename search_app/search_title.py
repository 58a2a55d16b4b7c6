"""A search described in a few words, for feed titles and alert e-mails.

``Missions « jardin » près de Lyon`` / ``Missions “jardin” near Lyon``: the text, the causes,
the place or regions and remote, read from the parsed search (``search_app.filters``), in the
request's language.
"""

from __future__ import annotations

from flask_babel import gettext

from search_app.params import ParsedSearch
from volunteer_hub.core.regions import region_label
from volunteer_hub.core.taxonomy import cause_label


def search_title(parsed: ParsedSearch, lang: str) -> str:
    """The search's title, e.g. "Missions « jardin » près de Lyon"; "Missions" for the whole catalogue."""
    query = parsed.query
    text = query.text.strip()
    title = gettext("Missions “%(text)s”", text=text) if text else gettext("Missions")
    if query.causes:
        title += " · " + ", ".join(cause_label(code, lang) for code in query.causes)
    if query.near is not None and parsed.place_label:
        title += " " + gettext("near %(place)s", place=parsed.place_label)
    elif query.regions:
        title += " " + gettext(
            "in %(region)s", region=", ".join(region_label(r, lang) for r in query.regions)
        )
    if query.filters.get("remote") is True:
        title += " · " + gettext("remote")
    return title
