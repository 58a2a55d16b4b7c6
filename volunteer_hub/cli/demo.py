"""``volunteer-hub demo``: bundled invented partners, served on 127.0.0.1, crawled for real.

The feeds in ``demo_data/`` are served by a local HTTP server; partners are registered with
that server's URLs, crawled through the real spiders and indexed in the configured backend,
then the site is served. Re-running updates the same partners and records (idempotent).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import signal
import threading
from importlib import resources
from pathlib import Path
from typing import Any

DEMO_DIR = Path(str(resources.files("volunteer_hub") / "demo_data"))
FORMAT_ALIASES = {"atom": "rss"}
DEFAULT_FEEDS_PORT = 8001


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


def demo_partners() -> list[dict[str, Any]]:
    return json.loads((DEMO_DIR / "partners.json").read_text(encoding="utf-8"))


def start_feed_server(host: str = "127.0.0.1", port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``demo_data/`` on ``port`` (a free one when it is 0 or taken); returns the server and its URL.

    A stable port keeps the registered partner URLs valid from one demo run to the next.
    """
    handler = functools.partial(_QuietHandler, directory=str(DEMO_DIR))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError:
        server = http.server.ThreadingHTTPServer((host, 0), handler)
    threading.Thread(target=server.serve_forever, name="demo-feeds", daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"


def register_demo_partners(base_url: str) -> list[str]:
    """Add (or update) the demo partners with this server's URLs; they are approved even when an
    operator rejected one in an earlier demo run."""
    from volunteer_hub.core.config import load_settings
    from volunteer_hub.services import partners
    from volunteer_hub.store.db import Database

    db = Database.from_settings(load_settings())
    ids = []
    for spec in demo_partners():
        partners.add(
            db,
            spec["id"],
            url=f"{base_url}/{spec['path']}",
            name=spec["name"],
            format=FORMAT_ALIASES.get(spec["format"], spec["format"]),
            website=spec.get("website"),
            country=spec.get("country", "FR"),
        )
        partners.approve(db, spec["id"])
        ids.append(spec["id"])
    return ids


def run_demo(
    host: str = "127.0.0.1",
    port: int = 8000,
    crawl_only: bool = False,
    feeds_port: int = DEFAULT_FEEDS_PORT,
    scheduler: bool = True,
) -> int:
    # The demo's feeds live on loopback: allow it for this process and the crawls it spawns.
    os.environ["VOLUNTEER_HUB_ALLOW_PRIVATE_URLS"] = "1"
    from indexer import open_backend
    from volunteer_hub.cli.crawl import print_run
    from volunteer_hub.core.config import load_settings
    from volunteer_hub.services.crawl import crawl_now
    from volunteer_hub.store.db import Database

    settings = load_settings()
    db = Database.from_settings(settings)
    backend = open_backend(settings)
    backend.ensure_ready()
    feeds, base_url = start_feed_server(port=feeds_port)
    print(f"demo feeds served at {base_url}/ ; data in {settings.home}", flush=True)
    try:
        ids = register_demo_partners(base_url)
        partners = [p for p in db.partners() if p.id in ids]
        runs = crawl_now(partners, settings=settings, db=db, backend=backend, force=True, progress=False)
        for run in runs:
            print_run(run)
        print(f"index: {backend.count()} opportunities ({backend.name})", flush=True)
        if crawl_only:
            return 0 if all(r.ok for r in runs) else 1
        return _serve(settings, backend, host, port, with_scheduler=scheduler)
    finally:
        feeds.shutdown()
        feeds.server_close()


def _serve(settings: Any, backend: Any, host: str, port: int, with_scheduler: bool) -> int:
    """Serve the site (and keep the partners fresh with the scheduler) until Ctrl-C or SIGTERM."""
    from search_app import create_app

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    running = None
    if with_scheduler:
        from schedules.scheduler import start_scheduler

        running = start_scheduler(settings)
    app = create_app({"SETTINGS": settings, "BACKEND": backend})
    print(f"\nvolunteer-hub demo is ready: http://{host}:{port}/  (Ctrl-C to stop)\n", flush=True)
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        if running is not None:
            from schedules.scheduler import stop_scheduler

            stop_scheduler(running)
    print("stopped.")
    return 0
