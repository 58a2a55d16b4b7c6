"""The application factory of the public website and JSON API: ``create_app()``.

Views only talk to a ``SearchBackend`` (``indexer.base``); they never build engine queries.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from indexer import open_backend
from search_app import (  # noqa: F401 - their routes are on the site blueprint
    alerts,
    canonical,
    discover,
    display,
    errors,
    i18n,
    links,
    organizations,
    pictures,
    public,
    ratelimit,
    security,
    sessions,
    suggest,
)
from search_app.api import bp as api_blueprint
from search_app.json_provider import FastJSONProvider
from search_app.services import Services, install
from search_app.site import bp as site_blueprint
from search_app.volopps import bp as volopps_blueprint
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.places import preload, preload_in_background

MAX_CONTENT_LENGTH = 2_000_000  # bytes: 2 MB (docs/site.md)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the site.

    ``config`` keys: ``SETTINGS`` (a ``volunteer_hub.core.config.Settings``, default
    ``load_settings()``), ``BACKEND`` (a ``SearchBackend``, default ``open_backend(settings)``),
    ``DATABASE`` (a ``volunteer_hub.store.db.Database`` for partner names, default opened lazily
    from the settings), ``TESTING``; any other Flask setting passes through.
    """
    config = dict(config or {})
    app = Flask("search_app")  # the package: its templates/, static/ and translations/
    # Keep the documented key order (total, page, per_page, items, facets) and real UTF-8, so API
    # bodies read like the CLI's ``search --json`` output; orjson encodes them (json_provider).
    app.json = FastJSONProvider(app)
    # Request bodies (forms: sign-up, direct postings, reports, logins) above this are refused with
    # a friendly 413 before being read; the largest legitimate form is a posting of a few KB.
    app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.config.update(config)

    settings = config.get("SETTINGS")
    if settings is None:
        settings = load_settings()
    backend = config.get("BACKEND")
    if backend is None:
        backend = open_backend(settings)
    install(app, Services(settings=settings, backend=backend, database=config.get("DATABASE")))
    sessions.configure(app, settings)  # app-wide: the console, the partner portal, signed forms
    canonical.install(app, settings)  # trusted hosts; absolute links from the public URL only
    if settings.trusted_proxies:  # outermost, so it runs first: the canonical layer sees the client's host
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)  # type: ignore[method-assign]

    i18n.init_i18n(app)
    display.register(app)
    errors.register(app)
    ratelimit.register(app)  # per client: HTML search, the widget and feeds (the API's is in search_app.api)
    app.after_request(security.add_security_headers)
    app.jinja_env.globals.update(language_url=links.language_url, current_language=i18n.current_language)

    app.register_blueprint(site_blueprint)  # with the routes of public, discover and organizations
    app.register_blueprint(api_blueprint)
    app.register_blueprint(volopps_blueprint)  # All for Good compatible /api/volopps
    pictures.register(app)  # /img/<name>: the partner pictures the app keeps
    app.register_blueprint(alerts.bp)  # e-mail alerts on a search (/alerts)
    app.jinja_env.globals.update(alert_form_context=alerts.alert_form_context)
    from search_app import ops  # noqa: PLC0415 - operations: /healthz, /metrics

    ops.register(app)
    from search_app import admin  # noqa: PLC0415 - the operator console at /admin

    admin.register(app)
    from search_app import portal  # noqa: PLC0415 - partner sign-up at /partners

    portal.register(app)
    if not app.testing:  # tests load the place data when they first need it
        preload_in_background()  # a place typed abroad would otherwise wait for it (seconds)
    return app


def prepare_server_process() -> None:
    """Run once in a pre-forking server's parent (``volunteer-hub serve``) before it forks its
    workers: what every worker would otherwise do again after the fork, ~7 s of CPU each (bench/load.py;
    docs/benchmarks.md), while the first workers already answer: the modules ``create_app`` imports
    lazily (the partner portal alone pulls in Scrapy) and the place data (then shared by the workers,
    and ``create_app`` finds it loaded). No connection or file handle is opened here."""
    from search_app import admin, ops, portal  # noqa: F401, PLC0415 - imported by create_app

    preload()
