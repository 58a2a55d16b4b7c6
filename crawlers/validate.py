"""``volunteer-hub validate``: the crawler's own parsers and rules, run on one file or URL."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from crawlers.fetch import FetchError, FetchLimits, fetch
from crawlers.formats import no_opportunities, parse_feed
from crawlers.formats.base import FeedError, ParseProblem
from crawlers.normalize import NormalizeContext, normalize
from crawlers.settings import VH_MAX_FEED_BYTES
from volunteer_hub.core.config import Settings
from volunteer_hub.core.moderation import (
    FLAG,
    REPEAT_THRESHOLD,
    REPEATED_TEXT,
    Finding,
    moderate,
    text_fingerprint,
)

_LINE = re.compile(r"at line (\d+)")


class ValidationUnreadable(Exception):
    """The input cannot be read at all."""


def read_source(source: str, settings: Settings) -> bytes:
    if source.startswith(("http://", "https://")):
        try:  # the one guarded fetcher, with the crawl's limits
            return fetch(source, allow_private=settings.allow_private_urls, limits=FetchLimits.of(settings))
        except FetchError as exc:
            message = str(exc)
            if "non-public address" in message and not settings.allow_private_urls:
                message += (
                    "; to check a feed served from this machine or a private network, set "
                    "VOLUNTEER_HUB_ALLOW_PRIVATE_URLS=1"
                )
            raise ValidationUnreadable(message) from exc
    path = Path(source)
    if not path.is_file():
        raise ValidationUnreadable("no such file")
    return path.read_bytes()


def validate_bytes(
    data: bytes,
    fmt: str = "auto",
    partner: str = "validate",
    max_bytes: int = VH_MAX_FEED_BYTES,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Parse and normalize every item; collect errors (rejections) and warnings.

    ``now`` (default: the current time) is when "already over" is judged, e.g. to check an archived feed.
    """
    items = valid = 0
    name: str | None = fmt if fmt not in ("", "auto") else None
    errors: list[ParseProblem] = []
    warnings: list[ParseProblem] = []
    # The automatic moderation rules (docs/quality.md), so a partner sees what would be flagged or hidden.
    moderation: list[dict[str, Any]] = []
    same_text: dict[str, list[str]] = {}
    lines: dict[str, int | None] = {}  # item -> the line its entry starts on (findings name it)
    try:
        name, stream = parse_feed(data, fmt, max_bytes)
        context = NormalizeContext(partner=partner, strict=True)
        if now is not None:
            context.now = now
        seen: set[str] = set()
        for entry in stream:
            if isinstance(entry, ParseProblem):
                (errors if entry.severity == "error" else warnings).append(entry)
                continue
            items += 1
            key = entry.source_id or entry.url
            if key and key in seen:
                errors.append(
                    ParseProblem(
                        f"another item earlier in the feed has the same id {key!r}; only the first is kept",
                        item=key,
                        line=entry.line,
                        field="id",
                    )
                )
                continue
            if key:
                seen.add(key)
            opp, problems = normalize(entry, context)
            for p in problems:
                (errors if p.severity == "error" else warnings).append(p)
            if opp is None:
                continue
            valid += 1
            lines[opp.source_id] = entry.line
            moderation.extend(_finding(opp.source_id, f, entry.line) for f in moderate(opp))
            if key := text_fingerprint(opp):
                same_text.setdefault(key, []).append(opp.source_id)
    except FeedError as exc:
        if not items:
            raise ValidationUnreadable(str(exc)) from exc
        # Items were read before the feed broke (a truncated file): report them, and the break.
        line = _LINE.search(str(exc))
        errors.append(
            ParseProblem(
                f"{exc}; the items after this point could not be read (the crawler would fail the run "
                "and keep the previous data)",
                line=int(line.group(1)) if line else None,
                field="feed",
            )
        )
    if not valid and not any(p.field == "feed" and p.severity == "error" for p in errors):
        # No silent zero: a feed that gives no opportunity is a failed crawl, so a failed check.
        errors.append(ParseProblem(no_opportunities(name, items), field="feed"))
    return {
        "format": name,
        "items": items,
        "valid": valid,
        "errors": [p.as_dict() for p in errors],
        "warnings": [p.as_dict() for p in warnings],
        "moderation": moderation + _repeated(same_text, lines),
    }


def _finding(item: str, finding: Finding, line: int | None) -> dict[str, Any]:
    return {
        "item": item, "line": line, "code": finding.code, "action": finding.action, "message": finding.detail,
    }  # fmt: skip


def _repeated(same_text: dict[str, list[str]], lines: dict[str, int | None]) -> list[dict[str, Any]]:
    found = []
    for items in same_text.values():
        if len(items) >= REPEAT_THRESHOLD:
            detail = f"the same description is published {len(items)} times"
            found += [_finding(i, Finding(REPEATED_TEXT, FLAG, detail), lines.get(i)) for i in items]
    return found


def validate_source(source: str, settings: Settings, fmt: str = "auto") -> dict[str, Any]:
    return validate_bytes(read_source(source, settings), fmt, max_bytes=settings.max_feed_bytes)
