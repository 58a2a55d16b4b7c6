"""What operators and partners see of the automatic rules (``store.flags``), and the override.

``flagged_listings`` feeds the console's moderation queue and the partner portal; ``override``
is the operator's decision: "shown" keeps a listing shown whatever the rules say (until undone).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from volunteer_hub.store.db import Database, StoredOpportunity
from volunteer_hub.store.flags import FLAGGED_STATES, OVERRIDE_SHOWN, hiding_rules, settle
from volunteer_hub.store.states import OpportunityState

QUEUE_LIMIT = 200


def flagged_listings(
    db: Database, partner_id: str | None = None, limit: int = QUEUE_LIMIT
) -> list[dict[str, Any]]:
    """Shown or suppressed listings some rule holds for: the hidden ones first, then by partner."""
    with db.session() as s:
        stmt = select(StoredOpportunity).where(
            StoredOpportunity.state.in_(FLAGGED_STATES), StoredOpportunity.flags.is_not(None)
        )
        if partner_id is not None:
            stmt = stmt.where(StoredOpportunity.partner_id == partner_id)
        rows = list(s.scalars(stmt.order_by(StoredOpportunity.partner_id, StoredOpportunity.id)))
    items = [
        {
            "id": row.id,
            "partner_id": row.partner_id,
            "title": (row.data or {}).get("title") or row.id,
            "url": (row.data or {}).get("url"),
            "hidden": row.state == OpportunityState.SUPPRESSED,
            "overridden": row.flag_override == OVERRIDE_SHOWN,
            "hiding": hiding_rules(row.flags),
            "flags": dict(sorted((row.flags or {}).items())),
        }
        for row in rows
        if row.flags
    ]
    items.sort(key=lambda i: (not i["hidden"], not i["hiding"], i["partner_id"], i["id"]))
    return items[:limit]


def override(db: Database, opportunity_id: str, shown: bool) -> str | None:
    """Set (or undo) the operator's "show anyway"; returns the listing's partner (None: unknown).
    Push the partner's changes to the index afterwards."""
    with db.session() as s, s.begin():
        row = s.get(StoredOpportunity, opportunity_id)
        if row is None:
            return None
        row.flag_override = OVERRIDE_SHOWN if shown else None
        settle(row)
        return row.partner_id
