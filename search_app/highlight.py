"""Why a listing matched: the searched words marked in its summary, safely escaped.

The words are compared through the same analysis the search uses (``volunteer_hub.core.analysis``),
so "Personnes âgées" is marked for the query "personne agee", and a concept's other words
("older people" for "seniors") are marked too: they are why the listing is shown.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from volunteer_hub.core.analysis import analyze
from volunteer_hub.core.understanding import QueryPlan

SUMMARY_LENGTH = 220
_WORD = re.compile(r"[^\W_]+")


def shorten(text: str, length: int = SUMMARY_LENGTH) -> str:
    """At most about ``length`` characters, cut at a word boundary with an ellipsis (as Jinja truncates)."""
    if len(text) <= length + 5:
        return text
    cut = text[:length].rsplit(" ", 1)[0] if " " in text[:length] else text[:length]
    return cut + "…"


def highlight(text: str | None, plan: QueryPlan | None, length: int = SUMMARY_LENGTH) -> Markup:
    """``text`` shortened and escaped, with every phrase the query searched wrapped in ``<mark>``."""
    text = shorten(text or "", length)
    if plan is None or not plan.groups:
        return escape(text)
    words: list[tuple[str, int, int]] = []  # (analyzed term, start, end), stop words left out
    for m in _WORD.finditer(text):
        for term in analyze(m.group()):
            words.append((term, m.start(), m.end()))
    marked: list[tuple[int, int]] = []
    used: set[int] = set()
    for phrase in plan.phrases:  # longest first
        n = len(phrase)
        for i in range(len(words) - n + 1):
            span = range(i, i + n)
            if used.isdisjoint(span) and tuple(w[0] for w in words[i : i + n]) == phrase:
                used.update(span)
                marked.append((words[i][1], words[i + n - 1][2]))
    out, pos = [], 0
    for start, end in sorted(marked):
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)
