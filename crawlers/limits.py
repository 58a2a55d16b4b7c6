"""Size limits on partner content, checked before anything else is done with an item.

A feed (or a direct posting) is untrusted: one 60 MB description or 200,000 nested tags would
otherwise be parsed, stored, indexed and served to every visitor. ``over_limits`` names each cap an
item exceeds, as ``(field, message)``; ``crawlers.normalize`` rejects the item with those errors,
so the partner sees which item and which field, and the rest of the feed is kept. Direct postings
are normalized by the same function (``volunteer_hub.services.direct``), so the same caps apply.

The caps are far above anything a real listing needs (the largest description in the All for
Good sample is a few KB).
"""

from __future__ import annotations

import re

from crawlers.formats.base import RawOpportunity

TITLE_MAX_CHARS = 1_000  # titles are shown cut to 300 characters; longer than this is not a title
DESCRIPTION_MAX_CHARS = 100_000  # as sent, HTML included
LOCATIONS_MAX = 200
CATEGORIES_MAX = 50  # causes as the feed names them
SKILLS_MAX = 100
HTML_DEPTH_MAX = 100  # elements open inside one another

TOO_LARGE = "too large: "  # every message starts so (the portal shows its own wording for them)

# Elements without a closing tag: they never deepen the nesting.
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^<>]*?(/?)>")


def html_depth(html: str, stop_at: int = HTML_DEPTH_MAX) -> int:
    """How deeply elements nest in ``html`` (counting tags; stops counting past ``stop_at``)."""
    depth = deepest = 0
    for closing, name, self_closing in TAG.findall(html):
        if name.lower() in VOID or self_closing:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop_at:
                break
    return deepest


def over_limits(raw: RawOpportunity) -> list[tuple[str, str]]:
    """Every cap ``raw`` exceeds, as (field, message for the partner); empty when within all."""
    found: list[tuple[str, str]] = []
    title, description = raw.title or "", raw.description or ""
    if len(title) > TITLE_MAX_CHARS:
        found.append(
            ("title", f"{TOO_LARGE}the title is {len(title):,} characters long (at most {TITLE_MAX_CHARS:,})")
        )
    if len(description) > DESCRIPTION_MAX_CHARS:
        found.append(
            (
                "description",
                f"{TOO_LARGE}the description is {len(description):,} characters long"
                f" (at most {DESCRIPTION_MAX_CHARS:,})",
            )
        )
    elif "<" in description and html_depth(description) > HTML_DEPTH_MAX:
        found.append(
            (
                "description",
                f"{TOO_LARGE}the description's HTML nests more than {HTML_DEPTH_MAX} elements deep",
            )
        )
    for name, values, cap in (
        ("locations", raw.locations, LOCATIONS_MAX),
        ("categories", raw.categories, CATEGORIES_MAX),
        ("skills", raw.skills, SKILLS_MAX),
    ):
        if len(values) > cap:
            found.append((name, f"{TOO_LARGE}the item lists {len(values):,} {name} (at most {cap})"))
    return found
