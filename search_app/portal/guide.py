"""Format guide for partners (``/partners/formats``): what we accept, an example of each, the mapping.

Everything about a format comes from its declaration in ``crawlers.formats`` (the same
registry the crawler and ``validate`` use, and ``docs/formats.md`` is generated from): its
label, description (in each language), minimal example and field mapping. Only our own
field names, the rows of the mapping table, are translated here (flask-babel).
"""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _  # lazy: module-level strings, extracted as _()

from crawlers.formats import GUIDE_ORDER
from search_app.i18n import current_language
from search_app.portal.blueprint import bp

MISSING = "—"

# Our field (crawlers.formats.feedformat.MAPPED_FIELDS) -> its row in the mapping table, in that
# order (the first two are required: see the template).
FIELD_LABELS = {
    "title": _("Title"),
    "url": _("Detail link"),
    "id": _("Id"),
    "description": _("Description"),
    "organization": _("Organization"),
    "place": _("Place"),
    "remote": _("Remote"),
    "dates": _("Start / end"),
    "expires": _("Expiry"),
    "categories": _("Causes"),
    "skills": _("Skills"),
    "min_age": _("Minimum age"),
}


@bp.get("/formats")
def formats() -> str:
    """The format guide (public: useful before signing up)."""
    common = [f for f in GUIDE_ORDER if f.common]
    mapping = [(label, *(f.mapping.get(key, MISSING) for f in common)) for key, label in FIELD_LABELS.items()]
    return render_template(
        "portal/formats.html",
        common=common,
        native=[f for f in GUIDE_ORDER if not f.common],
        mapping=mapping,
        language=current_language(),
    )
