"""Accent- and case-insensitive text keys, used everywhere names are matched.

``fold("Île-de-France")`` -> ``"ile-de-france"``; ``slugify("Provence-Alpes-Côte d'Azur")``
-> ``"provence-alpes-cote-d-azur"``.
"""

from __future__ import annotations

import re
import unicodedata

# Latin letters that NFKD does not decompose (ligatures, stroked letters, dotless i), plus
# typographic apostrophes that partner feeds use instead of the ASCII one.
_EXTRA = str.maketrans(
    {
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
)

_NON_WORD = re.compile(r"[\W_]+")


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold().translate(_EXTRA)


def fold(text: str) -> str:
    """Lower-case, accent-free form of ``text`` (NFKD, combining marks dropped, casefolded)."""
    if text.isascii():  # the common case, and ~10x faster: NFKD and casefold reduce to lower()
        return text.replace("`", "'").lower()
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
    return _NON_WORD.sub("-", fold(text)).strip("-")
