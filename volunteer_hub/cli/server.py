"""The production web server behind ``volunteer-hub serve`` (and the demo): gunicorn.

Each worker process builds its own app (``create_app`` after the fork), so no database
connection, SQLite handle or Elasticsearch client crosses a fork. Workers are threaded
(``gthread``): a request mostly waits on the index or the database. Flask's development server
is only used on request (``serve --dev``).

Signals are gunicorn's: SIGINT/SIGQUIT stop at once, SIGTERM stops gracefully within
``graceful_timeout`` seconds; ``run`` then returns, so the caller's ``finally`` blocks run.
"""

from __future__ import annotations

import gc
import os
import socket
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.http import wsgi as gunicorn_wsgi
from werkzeug.serving import WSGIRequestHandler

SERVER_NAME = "volunteer-hub"  # the Server header: no software or version


class DevRequestHandler(WSGIRequestHandler):
    """Flask's development server (``serve --dev``) without its ``Werkzeug/x Python/y`` banner."""

    def version_string(self) -> str:
        return SERVER_NAME


def default_workers() -> int:
    """Two per core plus one, at most 8 (gunicorn's rule of thumb, bounded for small hosts)."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


class PortInUse(RuntimeError):
    pass


def check_port_free(host: str, port: int, what: str) -> None:
    """Raise ``PortInUse`` with a message naming the option when ``host:port`` cannot be bound."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(
                f"port {port} on {host} is already in use ({what}): stop the program that holds it "
                f"or choose another port ({exc.strerror or exc})"
            ) from exc


class _Gunicorn(BaseApplication):  # type: ignore[misc] - untyped base
    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.factory()


def run(
    factory: Callable[[], Flask],
    host: str,
    port: int,
    *,
    threads: int,
    workers: int | None = None,
    graceful_timeout: int = 10,
    prepare: Callable[[], None] | None = None,
) -> None:
    """Serve ``factory()``'s app with gunicorn until a signal stops it. ``prepare`` runs once here,
    before the workers are forked (imports and read-only data the workers then share)."""
    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "gthread",
        "threads": threads,
        "graceful_timeout": graceful_timeout,
        "timeout": 60,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "preload_app": False,
        "proc_name": "volunteer-hub",
    }
    # No software or version in the Server header (gunicorn sends "gunicorn" by default).
    gunicorn_wsgi.SERVER = SERVER_NAME
    if prepare is not None:
        prepare()
        # What exists now is shared with the workers copy-on-write: keep their garbage collector
        # from walking (and so writing to) those hundreds of thousands of objects.
        gc.freeze()
    try:
        _Gunicorn(factory, options).run()
    except SystemExit as exc:  # the arbiter exits the process on shutdown; let callers clean up
        if exc.code not in (0, None):
            raise
