"""E-mail alerts on a search ("send me new missions like this"): one row per address and search.

A row is created unconfirmed by the sign-up form (``search_app.alerts``); the confirmation link
sets ``confirmed_at``; each digest (``search_app.alert_digest``) sends the listings first seen after
``since`` and moves ``since`` forward; unsubscribing deletes the row. No account: the links carry
the row's id and its random ``secret``, signed with the site's secret key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.store.tables import Base, utcnow

FREQUENCIES = ("daily", "weekly")


class SearchAlert(Base):
    """One subscriber's alert on one search (the site's query string, e.g. ``q=jardin&where=Lyon``)."""

    __tablename__ = "search_alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), index=True)  # lower-cased
    query: Mapped[str] = mapped_column(String(2000))  # url-encoded site search parameters
    lang: Mapped[str] = mapped_column(String(2), default="fr")  # "fr" or "en": mails in this language
    frequency: Mapped[str] = mapped_column(String(8), default="weekly")  # one of FREQUENCIES
    # Random, per row: a signed link names (id, secret), so a link never fits a later row with the same id.
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    # Listings first seen after this are new for the next digest (set at confirmation, then per digest).
    since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
