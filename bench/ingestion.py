"""Goals 4 and 5: the whole crawl pipeline against raw parsing, and re-crawls that cost nothing.

A synthetic FPXML feed (``crawlers.formats.synthetic``) is served from 127.0.0.1 by a static file
server that answers ``If-Modified-Since`` with 304, and crawled by the real CLI in a throw-away home
(``volunteer-hub crawl``: fetch, parse, normalize, geocode, classify, store, index into the embedded
backend). The baseline is ``lxml.etree.iterparse`` of the same bytes, in this process.

Then: the same feed again (goal: one 304, nothing written) and the feed with 1% of its items changed
(goal: exactly that 1% written). Peak memory is the crawl process's own (``wait4`` rusage).
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from lxml import etree

from bench.stats import Row, timed
from crawlers.formats.synthetic import write_fpxml

CLI = [sys.executable, "-m", "volunteer_hub.cli"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"  # files of ``directory`` under /


def crawl_env(home: Path) -> dict[str, str]:
    """The environment of the real CLI in a throw-away home: SQLite database and embedded index."""
    return {
        **os.environ,
        "VOLUNTEER_HUB_HOME": str(home),
        "VOLUNTEER_HUB_DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
        "VOLUNTEER_HUB_SEARCH": "sqlite",
        "VOLUNTEER_HUB_ALLOW_PRIVATE_URLS": "1",  # the feed server is on 127.0.0.1
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")])
        ),
    }


def add_partner(env: dict[str, str], partner: str, url: str) -> None:
    subprocess.run(
        CLI + ["partners", "add", partner, "--url", url, "--format", "fpxml", "--country", "FR"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def crawl(
    env: dict[str, str], force: bool = False, partner: str = "syn"
) -> tuple[float, float, float, dict[str, Any]]:
    """One ``crawl --json`` in its own process: (wall s, CPU s, peak RSS MB, run record)."""
    cmd = CLI + ["crawl", partner, "--json"] + (["--force"] if force else [])
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_buf, err_buf = io.BytesIO(), io.BytesIO()
    readers = [
        threading.Thread(target=lambda s, b: b.write(s.read()), args=(proc.stdout, out_buf)),
        threading.Thread(target=lambda s, b: b.write(s.read()), args=(proc.stderr, err_buf)),
    ]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"crawl exited {proc.returncode}: {err_buf.getvalue().decode()[-800:]}")
    record = json.loads(out_buf.getvalue())[0]
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, record


def _raw_parse(data: bytes) -> int:
    count = 0
    for _, elem in etree.iterparse(io.BytesIO(data), tag="VolunteerOpportunity", resolve_entities=False):
        count += 1
        elem.clear()
    return count


def ingestion_rows(n: int) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="vh-bench-ingest-") as tmp:
        root = Path(tmp)
        feed_dir = root / "feed"
        feed_dir.mkdir()
        feed = feed_dir / "feed.xml"
        write_fpxml(feed, n)
        data = feed.read_bytes()
        raw_s, count = timed(lambda: _raw_parse(data))
        assert count == n, count
        server, base = serve(feed_dir)
        url = f"{base}/{feed.name}"
        env = crawl_env(root / "home")
        try:
            add_partner(env, "syn", url)
            wall, cpu, rss, first = crawl(env)
            assert first["new"] == n and first["indexed"] == n, first
            per_core = n / cpu if cpu else 0.0
            rows.append(
                Row(
                    "ingestion",
                    f"crawl {n:,} FPXML items (fetch..index)",
                    f"{wall:.1f} s wall, {n / wall:,.0f}/s; {per_core:,.0f}/s per CPU-second; "
                    f"peak {rss:.0f} MB",
                    baseline=f"raw iterparse {raw_s:.2f} s ({n / raw_s:,.0f}/s)",
                    ratio=round(raw_s / wall, 3),
                    goal=">= 2,000 items/s per core",
                    met=per_core >= 2000,
                    details={
                        "wall_s": round(wall, 2),
                        "cpu_s": round(cpu, 2),
                        "peak_rss_mb": round(rss),
                        "raw_parse_s": round(raw_s, 3),
                        "feed_bytes": len(data),
                    },
                )
            )

            rows += recrawl_rows(env, feed, n)
        finally:
            server.shutdown()
    return rows


def recrawl_rows(env: dict[str, str], feed: Path, n: int, partner: str = "syn", first: int = 0) -> list[Row]:
    """Goal 5 for a partner whose ``n``-item ``feed`` (items numbered from ``first``) was just crawled:
    crawl it again unchanged (one 304, nothing written), then with 1% of its items changed (exactly
    that 1% written). The feed file is rewritten in place."""
    wall, cpu, _, again = crawl(env, partner=partner)
    writes = again["new"] + again["updated"] + again["removed"] + again["indexed"]
    rows = [
        Row(
            "recrawl",
            "unchanged partner",
            f"HTTP {again['http_status']}, {writes} writes, {wall:.1f} s wall, CPU {cpu:.1f} s",
            goal="one 304, zero writes",
            met=again["http_status"] == 304 and writes == 0,
            details={**again, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2)},
        )
    ]
    changed = max(1, n // 100)
    text = feed.read_text(encoding="utf-8")
    for k in range(first, first + n, n // changed)[:changed]:
        text = text.replace(f"n°{k} : tri", f"n°{k} : tri (modifiée)", 1)
    feed.write_text(text, encoding="utf-8")
    future = time.time() + 5  # a Last-Modified the server will report as newer
    os.utime(feed, (future, future))
    wall, cpu, _, delta = crawl(env, partner=partner)
    rows.append(
        Row(
            "recrawl",
            f"{changed:,} of {n:,} items changed (1%)",
            f"updated {delta['updated']}, indexed {delta['indexed']}, unchanged {delta['unchanged']}; "
            f"{wall:.1f} s wall, CPU {cpu:.1f} s",
            goal=f"exactly {changed} written",
            met=delta["updated"] == changed and delta["indexed"] == changed and delta["new"] == 0,
            details={
                **{k: delta[k] for k in ("http_status", "new", "updated", "unchanged", "indexed")},
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
            },
        )
    )
    return rows
