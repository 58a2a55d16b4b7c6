"""Staleness rules, JeVeuxAider-style: a listing its partner has not touched for months is
probably over, even if the feed still carries it.

Two rules, each named in the listing's flags and each either "flag" (shown to operators and the
partner) or "hide" (``volunteer_hub.store.flags``), set in ``volunteer_hub.core.config``:

- ``stale-not-updated``: the record's own date of last update (``updated``, else ``posted``) is
  older than N months (``VOLUNTEER_HUB_STALE_NOT_UPDATED_MONTHS``; a partner's own
  ``Partner.stale_after_months`` wins);
- ``stale-undated``: the record gives no date at all (no start, end, expiry, posting or update)
  and was first seen more than N months ago (``VOLUNTEER_HUB_STALE_UNDATED_MONTHS``).

0 months switches a rule off. A rule that no longer holds (the partner updated the listing) is
cleared, and a listing hidden by it comes back. Push to the index afterwards (``push_pending``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from volunteer_hub.core.config import Settings
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.timeutil import aware
from volunteer_hub.store.db import Database, Partner, StoredOpportunity
from volunteer_hub.store.flags import replace_flags, settle
from volunteer_hub.store.states import OpportunityState

NOT_UPDATED, UNDATED = "stale-not-updated", "stale-undated"
DAYS_PER_MONTH = 30.4375


@dataclass
class StaleReport:
    checked: int = 0
    flagged: Counter[str] = field(default_factory=Counter)  # rule -> listings it holds for
    hidden: int = 0  # listings suppressed after this pass (any hiding rule)

    def as_dict(self) -> dict[str, object]:
        return {"checked": self.checked, "rules": dict(self.flagged), "hidden": self.hidden}


def months(n: float) -> timedelta:
    return timedelta(days=n * DAYS_PER_MONTH)


def stale_rules(
    opp: Opportunity, first_seen: datetime, now: datetime, settings: Settings, partner_months: int | None
) -> dict[str, tuple[str, str]]:
    """The staleness rules that hold for one record: code -> (action, detail)."""
    found: dict[str, tuple[str, str]] = {}
    n = partner_months if partner_months is not None else settings.stale_not_updated_months
    touched = opp.updated or opp.posted
    if n and touched is not None and now - aware(touched) > months(n):
        found[NOT_UPDATED] = (
            settings.stale_not_updated_action,
            f"not updated by its partner since {aware(touched).date().isoformat()} (more than {n} months)",
        )
    undated = not any((opp.start, opp.end, opp.expires, opp.posted, opp.updated))
    m = settings.stale_undated_months
    if m and undated and now - aware(first_seen) > months(m):
        found[UNDATED] = (
            settings.stale_undated_action,
            f"no date, first seen on {aware(first_seen).date().isoformat()} (more than {m} months ago)",
        )
    return found


def apply_staleness(db: Database, settings: Settings, now: datetime | None = None) -> StaleReport:
    """Apply the staleness rules to every shown or suppressed listing."""
    now = now or datetime.now(UTC)
    report = StaleReport()
    with db.session() as s, s.begin():
        own = {p.id: p.stale_after_months for p in s.scalars(select(Partner))}
        rows = s.scalars(
            select(StoredOpportunity).where(
                StoredOpportunity.state.in_((OpportunityState.LIVE, OpportunityState.SUPPRESSED))
            )
        )
        for row in rows:
            report.checked += 1
            opp = Opportunity.from_dict(row.data)
            found = stale_rules(opp, row.first_seen, now, settings, own.get(row.partner_id))
            replace_flags(row, (NOT_UPDATED, UNDATED), found, now)
            settle(row)
            report.flagged.update(list(found))
            report.hidden += row.state == OpportunityState.SUPPRESSED
    return report
