"""``/admin/health``: the verbose health view (paths, hosts, PIDs, URLs) for signed-in operators.

The public ``/healthz`` only says ok/failed per check (``search_app.ops``); the console's guard
(login required) protects this one like every other console page, and ``no_store`` keeps it out
of caches.
"""

from __future__ import annotations

from flask import Response, jsonify

from search_app.admin.context import database
from search_app.admin.views import bp
from search_app.ops import health_body, health_checks


@bp.get("/health")
def health() -> tuple[Response, int]:
    body, status = health_body(health_checks(database()), verbose=True)
    return jsonify(body), status
