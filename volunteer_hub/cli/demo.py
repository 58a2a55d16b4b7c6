"""``volunteer-hub demo``: bundled invented partners, served on 127.0.0.1, crawled for real.

The feeds in ``demo_data/`` are served by a local HTTP server; partners are registered with
that server's URLs, crawled through the real spiders and indexed in the configured backend,
then the site is served. Re-running updates the same partners and records (idempotent).
"""

from __future__ import annotations

import functools
import hashlib
import html
import http.server
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEMO_DIR = Path(str(resources.files("volunteer_hub") / "demo_data"))
FORMAT_ALIASES = {"atom": "rss"}
DEFAULT_FEEDS_PORT = 8001


# The demo feeds link to invented ``https://<site>.example/...`` pages. The feed server rewrites
# those links to itself (``/sites/<site>.example/...``) and serves a page for each, so a
# visitor's "apply" lands on a real (clearly fictional) page instead of a browser error.
_INVENTED = re.compile(rb"https://([a-z0-9-]+(?:\.[a-z0-9-]+)*\.example)(?=[/\"'<\s]|$)")


class _DemoHandler(http.server.SimpleHTTPRequestHandler):
    base_url = ""
    pages: dict[str, tuple[str, str]] = {}  # invented URL -> (title, organization)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path.startswith("/sites/"):
            self._site_page()
            return
        path = DEMO_DIR / self.path.lstrip("/").split("?", 1)[0]
        if path.suffix in (".xml", ".rss") and path.is_file() and path.parent == DEMO_DIR:
            body = _INVENTED.sub(self.base_url.encode() + rb"/sites/\1", path.read_bytes())
            self._send(200, "application/xml", body)
            return
        super().do_GET()

    def _site_page(self) -> None:
        invented = "https://" + self.path.removeprefix("/sites/").split("?", 1)[0]
        picture = demo_picture(invented)
        if picture is not None:
            self._send(200, *picture)
            return
        title, organization = self.pages.get(invented) or self.pages.get(invented.rstrip("/")) or ("", "")
        site = invented.split("/")[2]
        heading = title or site
        body = (
            '<!doctype html><html lang="fr"><meta charset="utf-8">'
            f"<title>{html.escape(heading)}</title>"
            '<body style="font-family:sans-serif;max-width:40rem;margin:2rem auto">'
            f"<p><small>Démonstration · demo: {html.escape(site)} is an invented organization's site, "
            "served by <code>volunteer-hub demo</code>.</small></p>"
            f"<h1>{html.escape(heading)}</h1>"
            + (f"<p>{html.escape(organization)}</p>" if organization else "")
            + '<form><label>Nom / name <input name="name"></label> '
            '<label>E-mail <input name="email" type="email"></label> '
            '<button type="button">Je m\'inscris · sign up</button></form></body></html>'
        )
        self._send(200 if title or self.path.rstrip("/").count("/") <= 2 else 404, "text/html", body.encode())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        binary = content_type.startswith("image/")
        self.send_header("Content-Type", content_type if binary else f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def demo_picture(invented: str) -> tuple[str, bytes] | None:
    """An invented site's picture (``.../pictures/<id>.jpg``) or logo (``.../logo.png``), drawn
    here from its URL (the same URL, the same picture), so the demo shows partner pictures
    without reaching the internet; None for any other URL."""
    path = urlsplit(invented).path
    if not (path.startswith("/pictures/") and path.endswith(".jpg")) and path != "/logo.png":
        return None
    from PIL import Image, ImageDraw

    seed = hashlib.sha256(invented.encode()).digest()
    hue = [(70, 140, 120), (200, 120, 60), (60, 110, 170), (150, 90, 150), (190, 160, 60)][seed[0] % 5]
    out = io.BytesIO()
    if path == "/logo.png":  # a round badge on a transparent background
        logo = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
        draw = ImageDraw.Draw(logo)
        draw.ellipse((8, 8, 232, 232), fill=(*hue, 255))
        draw.polygon([(120, 50), (190, 180), (50, 180)], fill=(255, 255, 255, 235))
        logo.save(out, format="PNG")
        return "image/png", out.getvalue()
    photo = Image.new("RGB", (960, 640), tuple(min(255, c + 80) for c in hue))
    draw = ImageDraw.Draw(photo)
    for band in range(8):  # a sky fading into the ground
        shade = tuple(max(0, c - band * 12) for c in hue)
        draw.rectangle((0, 640 - (8 - band) * 40, 960, 640), fill=shade)
    for i in range(3):
        x, y, r = 120 + seed[2 + i] * 3, 180 + seed[5 + i] % 120, 40 + seed[8 + i] % 60
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(250, 245, 230))
    photo.save(out, format="JPEG", quality=82)
    return "image/jpeg", out.getvalue()


def _invented_pages() -> dict[str, tuple[str, str]]:
    """Each demo item's invented detail URL -> (title, organization), read with the real parsers."""
    from crawlers.formats import parse_feed
    from crawlers.formats.base import RawOpportunity

    pages: dict[str, tuple[str, str]] = {}
    for spec in demo_partners():
        _fmt, items = parse_feed((DEMO_DIR / spec["path"]).read_bytes())
        for item in items:
            if isinstance(item, RawOpportunity) and item.url:
                pages[item.url.rstrip("/")] = (item.title or "", item.organization_name or spec["name"])
    return pages


def demo_partners() -> list[dict[str, Any]]:
    return json.loads((DEMO_DIR / "partners.json").read_text(encoding="utf-8"))


def start_feed_server(host: str = "127.0.0.1", port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``demo_data/`` and the invented sites' pages on ``port`` (a free one when it is 0);
    returns the server and its URL. A busy port raises ``OSError``.

    A stable port keeps the registered partner URLs valid from one demo run to the next.
    """
    handler_class = type("DemoHandler", (_DemoHandler,), {})
    handler = functools.partial(handler_class, directory=str(DEMO_DIR))
    server = http.server.ThreadingHTTPServer((host, port), handler)  # a busy port raises OSError
    base_url = f"http://{host}:{server.server_address[1]}"
    handler_class.base_url = base_url
    handler_class.pages = _invented_pages()
    threading.Thread(target=server.serve_forever, name="demo-feeds", daemon=True).start()
    return server, base_url


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
    dev_server: bool = False,
) -> int:
    # The demo's feeds live on loopback: allow it for this process and the crawls it spawns.
    os.environ["VOLUNTEER_HUB_ALLOW_PRIVATE_URLS"] = "1"
    from indexer import open_backend
    from volunteer_hub.cli import server
    from volunteer_hub.cli.crawl import pictures_after_crawl, print_run
    from volunteer_hub.cli.images import print_tallies
    from volunteer_hub.core.config import load_settings
    from volunteer_hub.services.crawl import crawl_now
    from volunteer_hub.store.db import Database

    # Both ports are checked before anything is crawled: a busy one is an error that names it.
    try:
        if not crawl_only:
            server.check_port_free(host, port, "--port")
        feeds, base_url = start_feed_server(port=feeds_port)
    except (server.PortInUse, OSError) as exc:
        reason = (
            exc
            if isinstance(exc, server.PortInUse)
            else (
                f"port {feeds_port} on 127.0.0.1 is already in use (--feeds-port): stop the program that "
                f"holds it or choose another port ({exc.strerror or exc})"
            )
        )
        print(f"error: {reason}", file=sys.stderr)
        return 1
    settings = load_settings()
    db = Database.from_settings(settings)
    backend = open_backend(settings)
    backend.ensure_ready()
    print(f"demo feeds served at {base_url}/ ; data in {settings.home}", flush=True)
    try:
        ids = register_demo_partners(base_url)
        partners = [p for p in db.partners() if p.id in ids]
        runs = crawl_now(partners, settings=settings, db=db, backend=backend, force=True, progress=False)
        pictures = pictures_after_crawl(settings, db, runs)  # served by the demo's feed server
        for run in runs:
            print_run(run)
            if run.partner_id in pictures:
                print_tallies({run.partner_id: pictures[run.partner_id]}, indent="    ")
        print(f"index: {backend.count()} opportunities ({backend.name})", flush=True)
        if crawl_only:
            return 0 if all(r.ok for r in runs) else 1
        return _serve(settings, host, port, with_scheduler=scheduler, dev_server=dev_server)
    finally:
        feeds.shutdown()
        feeds.server_close()


def _serve(settings: Any, host: str, port: int, with_scheduler: bool, dev_server: bool) -> int:
    """Serve the site (and keep the partners fresh with the scheduler) until Ctrl-C or SIGTERM.

    The site runs as ``volunteer-hub serve`` in a child process (the production server, or
    ``--dev``), started fresh rather than forked from this process, which ran Scrapy's reactor.
    Ctrl-C in a terminal reaches both; a SIGTERM to this process stops the child too.
    """
    # The crawl ran Scrapy's reactor in this process, which left its own SIGINT handler behind
    # (Ctrl-C then did nothing): put the defaults back before serving.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    running = None
    if with_scheduler:
        from schedules.scheduler import start_scheduler

        running = start_scheduler(settings)
    command = [sys.executable, "-m", "volunteer_hub.cli", "serve", "--host", host, "--port", str(port)]
    site = subprocess.Popen([*command, "--dev"] if dev_server else [*command, "--workers", "1"])  # noqa: S603
    try:
        if _wait_for_port(host, port, site):
            print(f"\nvolunteer-hub demo is ready: http://{host}:{port}/  (Ctrl-C to stop)\n", flush=True)
        site.wait()
    except KeyboardInterrupt:
        pass
    finally:
        forced = _stop(site)
        if running is not None:
            from schedules.scheduler import stop_scheduler

            stop_scheduler(running)
    print("stopped.", flush=True)
    # Killed by _stop after its 3 s: a stop the demo asked for (a busy machine's gunicorn can take
    # longer to quit), not a failure of the site.
    return 0 if forced or site.returncode in (0, -signal.SIGINT, -signal.SIGTERM) else 1


def _wait_for_port(host: str, port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> bool:
    """True once ``host:port`` accepts connections; False if ``process`` ended first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _stop(process: subprocess.Popen[bytes]) -> bool:
    """SIGINT (gunicorn's quick shutdown), then SIGKILL after 3 s: the demo stops within seconds.
    True when it had to kill the process."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return True
    return False


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
