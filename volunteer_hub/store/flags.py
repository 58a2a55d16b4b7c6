"""The automatic rules that hold for a stored record, and the state they imply.

A rule (a dead link, staleness, a moderation rule) either *flags* a record (shown to operators
and to its partner) or *hides* it. ``StoredOpportunity.flags`` keeps the rules that hold, by
reason code; ``settle`` then derives the state: a live record with a hiding rule becomes
``suppressed``, and a suppressed one with none left is live again (so a link that answers again
brings its listing back by itself). An operator's override (``flag_override == "shown"``) keeps
the record shown whatever the rules say. Records gone, expired or hidden by a moderator are
left in their state.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from volunteer_hub.core.moderation import CODES, REPEATED_TEXT, moderate
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.store.states import OpportunityState
from volunteer_hub.store.tables import LinkCheck, StoredOpportunity

HIDE, FLAG = "hide", "flag"
OVERRIDE_SHOWN = "shown"
FLAGGED_STATES = (OpportunityState.LIVE, OpportunityState.SUPPRESSED)
RECORD_CODES = tuple(c for c in CODES if c != REPEATED_TEXT)  # decided on the record alone


def set_flag(row: StoredOpportunity, code: str, action: str, detail: str, now: datetime) -> None:
    """Record that rule ``code`` holds (keeping the date it first held)."""
    flags = dict(row.flags or {})
    since = (flags.get(code) or {}).get("since") or now.isoformat()
    flags[code] = {"action": action, "detail": detail, "since": since}
    row.flags = flags


def clear_flag(row: StoredOpportunity, code: str) -> None:
    if row.flags and code in row.flags:
        row.flags = {k: v for k, v in row.flags.items() if k != code} or None


def replace_flags(
    row: StoredOpportunity, codes: Iterable[str], found: dict[str, tuple[str, str]], now: datetime
) -> None:
    """Set the rules of one family (``codes``) to ``found``: code -> (action, detail)."""
    for code in [c for c in (row.flags or {}) if c in set(codes) and c not in found]:
        clear_flag(row, code)
    for code, (action, detail) in found.items():
        set_flag(row, code, action, detail, now)


def moderate_row(row: StoredOpportunity, opp: Opportunity, now: datetime) -> None:
    """Apply the record-level moderation rules (``core.moderation``) to a stored row."""
    found = {f.code: (f.action, f.detail) for f in moderate(opp)}
    replace_flags(row, RECORD_CODES, found, now)


def hiding_rules(flags: dict[str, Any] | None) -> list[str]:
    return sorted(code for code, value in (flags or {}).items() if value.get("action") == HIDE)


def settled_state(flags: dict[str, Any] | None, override: str | None) -> OpportunityState:
    """The state (live or suppressed) a shown-or-hidden row's rules and override imply."""
    hide = bool(hiding_rules(flags)) and override != OVERRIDE_SHOWN
    return OpportunityState.SUPPRESSED if hide else OpportunityState.LIVE


def settle(row: StoredOpportunity) -> bool:
    """Move a live/suppressed row to the state its rules imply; True when the state changed."""
    if row.state not in (OpportunityState.LIVE, OpportunityState.SUPPRESSED):
        return False
    wanted = settled_state(row.flags, row.flag_override)
    if row.state == wanted:
        return False
    row.state = wanted
    return True


STALE_PREFIX = "stale-"  # the staleness rules' codes (services.staleness)


def trust_counts(s: Session, partner_id: str | None = None) -> dict[str, int]:
    """Shown-or-suppressed listings (of one partner, or all) by rule that holds, plus "stale" (any
    staleness rule) and "dead-links" (the last link check found the link dead)."""
    stmt = select(StoredOpportunity.flags).where(StoredOpportunity.state.in_(FLAGGED_STATES))
    links = (
        select(func.count())
        .select_from(LinkCheck)
        .join(StoredOpportunity, StoredOpportunity.id == LinkCheck.opportunity_id)
    )
    links = links.where(StoredOpportunity.state.in_(FLAGGED_STATES), LinkCheck.status == "dead")
    if partner_id is not None:
        stmt = stmt.where(StoredOpportunity.partner_id == partner_id)
        links = links.where(LinkCheck.partner_id == partner_id)
    counts: dict[str, int] = {"stale": 0, "dead-links": int(s.scalar(links) or 0)}
    # Streamed: a whole-site count reads one small JSON per listing (+94 MB at 100,000 when buffered).
    for (flags,) in s.execute(
        stmt.where(StoredOpportunity.flags.is_not(None)).execution_options(yield_per=2000)
    ):
        codes = list(flags or {})
        for code in codes:
            counts[code] = counts.get(code, 0) + 1
        counts["stale"] += any(c.startswith(STALE_PREFIX) for c in codes)
    return counts
