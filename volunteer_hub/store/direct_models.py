"""The ``direct_posting`` table: opportunities that organizations without a feed post through
the partner portal (the logic is ``volunteer_hub.services.direct``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.store.states import PostingStatus
from volunteer_hub.store.tables import Base, utcnow


class DirectPosting(Base):
    __tablename__ = "direct_posting"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    # a PostingStatus (volunteer_hub.store.states)
    status: Mapped[str] = mapped_column(String(12), default=PostingStatus.PENDING, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the form's values
    opportunity_id: Mapped[str | None] = mapped_column(String(96), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # how the last reminder went: "sent" (e-mail) / "logged" (no SMTP or no contact address)
    reminder_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
