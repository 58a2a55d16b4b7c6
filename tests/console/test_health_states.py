"""Every health state the rules produce is shown by the console and explained to the partner."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from search_app.admin.data import HEALTH_ORDER
from search_app.portal.account import health_text
from tests.console.test_admin import add_partner
from tests.helpers import logged_in
from volunteer_hub.core.ops_config import OpsConfig
from volunteer_hub.services.health import HealthState, partner_health
from volunteer_hub.store.db import Database


def test_console_orders_and_counts_every_health_state(client: FlaskClient, db: Database) -> None:  # noqa: F811
    assert sorted(HEALTH_ORDER) == sorted(HealthState) and len(HEALTH_ORDER) == len(set(HEALTH_ORDER))
    add_partner(db, "form-only", format="direct")
    assert partner_health(db, db.partner("form-only"), OpsConfig()).state == HealthState.DIRECT
    logged_in(client)
    page = client.get("/admin/").get_data(as_text=True)
    # The summary used to drop the partners whose state was missing from the console's order.
    assert re.search(r'<span class="badge badge-direct">direct</span> 1</li>', page)


def test_partner_is_never_told_all_is_fine_about_an_unknown_state(app: Flask) -> None:  # noqa: F811
    with app.test_request_context("/partners/me?lang=en"):
        texts = {state: health_text(state, "timeout") for state in HealthState}
        assert texts[HealthState.OK] == "Everything is fine."
        assert "timeout" in texts[HealthState.FAILING]
        for state in (HealthState.FAILING, HealthState.STALE, HealthState.PENDING, HealthState.REJECTED):
            assert texts[state] != "Everything is fine."
        unknown = health_text("some-future-state", "")
        assert unknown != "Everything is fine." and "cannot tell" in unknown
