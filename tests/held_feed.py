"""A feed served on 127.0.0.1 that can be held back: a slow partner, so a fault lands mid-crawl."""

from __future__ import annotations

import http.server
import threading


class HeldFeed:
    """A feed on 127.0.0.1 whose answer waits until ``release()`` while ``held`` (a slow partner)."""

    def __init__(self) -> None:
        self.body = b""
        self.held = False
        self.requested = threading.Event()
        self._release = threading.Event()
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                feed.requested.set()
                if feed.held:
                    feed._release.wait(120)
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                self.wfile.write(feed.body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold(self) -> None:
        """Hold the next answers back until ``release()``."""
        self._release.clear()
        self.requested.clear()
        self.held = True

    def release(self) -> None:
        self._release.set()

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
