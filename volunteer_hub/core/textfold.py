"""Accent- and case-insensitive text keys, used everywhere names are matched.

``fold("Île-de-France")`` -> ``"ile-de-france"``; ``slugify("Provence-Alpes-Côte d'Azur")``
-> ``"provence-alpes-cote-d-azur"``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Latin letters that NFKD does not decompose (ligatures, stroked letters, dotless i), plus
# typographic apostrophes that partner feeds use instead of the ASCII one.
_EXTRA_MAP = {
    "œ": "oe",
    "Œ": "oe",
    "æ": "ae",
    "Æ": "ae",
    "ß": "ss",
    "ẞ": "ss",
    "ø": "o",
    "Ø": "o",
    "ł": "l",
    "Ł": "l",
    "đ": "d",
    "Đ": "d",
    "ı": "i",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "´": "'",
    "`": "'",
}
# One pass of a regex over the text (only the few matches call back): a str.translate with a dict
# walks every character in Python-level lookups and cost more than the rest of fold().
_EXTRA_RE = re.compile("|".join(map(re.escape, _EXTRA_MAP)))

_NON_WORD = re.compile(r"[\W_]+")


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFKD", _replace_extra(text))
    # Drop combining marks by looking at the distinct characters only (a description has a few
    # dozen), then one regex pass: a per-character Python loop cost ~7% of a crawl's CPU.
    marks = "".join(sorted(ch for ch in set(text) if unicodedata.combining(ch)))
    if marks:
        text = re.sub(f"[{re.escape(marks)}]", "", text)  # ``re`` caches the compiled class
    return _replace_extra(text.casefold())


def _replace_extra(text: str) -> str:
    return _EXTRA_RE.sub(_extra_for, text) if not text.isascii() or "`" in text else text


def _extra_for(match: re.Match[str]) -> str:
    return _EXTRA_MAP[match.group()]


def fold(text: str) -> str:
    """Lower-case, accent-free form of ``text`` (NFKD, combining marks dropped, casefolded)."""
    if text.isascii():  # the common case, and ~10x faster: NFKD and casefold reduce to lower()
        return text.replace("`", "'").lower()
    if len(text) <= _CACHED_LENGTH:  # names, places, words: folded again and again during a crawl
        return _fold_short(text)
    return _fold_unicode(text)


_CACHED_LENGTH = 64


@functools.lru_cache(maxsize=50_000)
def _fold_short(text: str) -> str:
    return _fold_unicode(text)


def _fold_unicode(text: str) -> str:
    # Casefolding and compatibility decomposition can each expose work for the other
    # (e.g. "ℌ" decomposes to "H"), so repeat until stable: fold() must be idempotent.
    for _ in range(4):
        folded = _fold_once(text)
        if folded == text:
            break
        text = folded
    return text


def slugify(text: str) -> str:
    """Folded text with every run of non-alphanumerics turned into one ``-``, ends stripped."""
    if len(text) <= _CACHED_LENGTH:  # organization and place names: slugified once per document
        return _slugify_short(text)
    return _NON_WORD.sub("-", fold(text)).strip("-")


@functools.lru_cache(maxsize=50_000)
def _slugify_short(text: str) -> str:
    return _NON_WORD.sub("-", fold(text)).strip("-")


def collation_key(text: str) -> tuple[str, str]:
    """Sort key for names shown in a list: accents and case second, as a French reader sorts
    ("Éducation" between "Culture" and "Emploi", not after "Vivre ensemble"); ties by the text."""
    return fold(text), text
