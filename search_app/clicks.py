"""Outbound clicks ("Apply on the partner's site" -> ``/go/<id>``)."""

from __future__ import annotations

from volunteer_hub.opportunity import Opportunity


def record_click(opportunity: Opportunity) -> None:
    """Hook called once per outbound click, before the redirect to the partner's page.

    Click counting comes later; it must stay cheap and must never stop the redirect (catch
    and log its own errors).
    """
