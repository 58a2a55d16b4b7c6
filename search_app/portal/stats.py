"""Listing statistics for the partner portal: detail page views and outbound clicks, per month.

Recorded by the public site (``search_app.clicks``) into ``opportunity_activity``
(``volunteer_hub.store.public_models``); the portal only reads them.
"""

from __future__ import annotations

from sqlalchemy import select

from volunteer_hub.store.db import Database
from volunteer_hub.store.public_models import OpportunityActivity


def partner_stats(db: Database, partner_id: str) -> list[OpportunityActivity]:
    """This partner's rows, newest month first, most viewed first."""
    with db.session() as s:
        return list(
            s.scalars(
                select(OpportunityActivity)
                .where(OpportunityActivity.partner_id == partner_id)
                .order_by(OpportunityActivity.month.desc(), OpportunityActivity.views.desc())
            )
        )
