"""Public-site tables: per-opportunity activity (detail views, outbound clicks) and problem reports.

They share ``volunteer_hub.store.db.Base``, so ``Database(...)`` creates them with the rest of the
schema (``volunteer_hub/store/db.py`` imports this module). Partners will read their figures from
``opportunity_activity`` ("views of detail pages, clicks to its site, per opportunity and per
month"); operators moderate ``problem_report``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.store.tables import Base, utcnow

REPORT_REASONS = ("expired", "broken-link", "not-volunteering", "inappropriate")
REPORT_STATUSES = ("open", "resolved", "dismissed")


class OpportunityActivity(Base):
    """Detail-page views and outbound clicks of one opportunity in one calendar month (UTC)."""

    __tablename__ = "opportunity_activity"
    __table_args__ = (UniqueConstraint("opportunity_id", "month", name="uq_activity_opportunity_month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(String(96), index=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    # slugify(organization name), as the search index's ``org_slug``: organization pages sum it.
    org_slug: Mapped[str] = mapped_column(String(200), default="", index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-11"
    views: Mapped[int] = mapped_column(Integer, default=0)
    clicks: Mapped[int] = mapped_column(Integer, default=0)


class ProblemReport(Base):
    """A visitor's "report a problem" on an opportunity page, waiting in the moderation queue."""

    __tablename__ = "problem_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(String(96), index=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # one of REPORT_REASONS
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # REPORT_STATUSES
