"""Listing statistics for partners: detail page views and outbound clicks, per month.

Recorded by ``search_app.ops`` request hooks (``public.detail`` answered 200, ``public.go``
answered with a redirect); never allowed to break the page.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from volunteer_hub.db import Database
from volunteer_hub.ops_models import ListingStat

log = logging.getLogger(__name__)


def partner_of(opportunity_id: str) -> str:
    """``volunteer_hub.opportunity.make_id`` is ``<partner>-<16 hex>``."""
    return opportunity_id.rsplit("-", 1)[0]


def record(db: Database, opportunity_id: str, column: str, now: datetime | None = None) -> None:
    """Add one view or click (``column``: "views" / "clicks") to this month's row."""
    month = (now or datetime.now(UTC)).strftime("%Y-%m")
    key = (ListingStat.opportunity_id == opportunity_id) & (ListingStat.month == month)
    try:
        for _attempt in range(2):
            with db.session() as s, s.begin():
                done = s.execute(
                    update(ListingStat).where(key).values({column: getattr(ListingStat, column) + 1})
                )
                if done.rowcount:
                    return
            try:
                with db.session() as s, s.begin():
                    s.add(
                        ListingStat(
                            opportunity_id=opportunity_id,
                            month=month,
                            partner_id=partner_of(opportunity_id),
                            views=1 if column == "views" else 0,
                            clicks=1 if column == "clicks" else 0,
                        )
                    )
                return
            except IntegrityError:
                continue  # created meanwhile by another request: update it
    except SQLAlchemyError:
        log.warning("listing statistics not recorded for %s", opportunity_id, exc_info=True)


def partner_stats(db: Database, partner_id: str) -> list[ListingStat]:
    with db.session() as s:
        return list(
            s.scalars(
                select(ListingStat)
                .where(ListingStat.partner_id == partner_id)
                .order_by(ListingStat.month.desc(), ListingStat.views.desc())
            )
        )
