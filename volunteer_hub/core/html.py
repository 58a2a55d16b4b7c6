"""Partner HTML: sanitize to a safe subset, and turn into plain text.

Partner text is untrusted. ``sanitize`` (nh3, the Rust ammonia sanitizer) keeps a small
formatting subset and only http(s)/mailto links; everything else is dropped, including
scripts, styles, event handlers and ``javascript:`` URLs.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "a",
    "h3",
    "h4",
    "blockquote",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_WS = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h3|h4|blockquote|div|tr)>|<br\s*/?>", re.I)


def sanitize(raw: str | None) -> str:
    """Untrusted HTML (or plain text) -> safe HTML. Plain text line breaks become <br>."""
    if not raw:
        return ""
    text = raw.strip()
    if not _TAG.search(text):
        # Plain text: escape it and keep paragraph/line structure visible.
        paragraphs = [p.strip() for p in _BLANK_LINES.split(html.unescape(text)) if p.strip()]
        text = "".join(
            "<p>" + "<br>".join(html.escape(line.strip()) for line in p.splitlines()) + "</p>"
            for p in paragraphs
        )
    cleaned = nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
        strip_comments=True,
    )
    return cleaned.strip()


def to_text(fragment: str | None) -> str:
    """HTML -> plain text with entities decoded and whitespace cleaned."""
    if not fragment:
        return ""
    text = _BLOCK_END.sub("\n", fragment)
    text = html.unescape(_TAG.sub(" ", text))
    lines = (_WS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def summarize(text: str, limit: int = 300) -> str:
    """First ``limit`` characters of plain text, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"
