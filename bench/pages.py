"""Goal 7: page weight and server time of the home, results and detail pages.

In process (Flask's test client over the index the indexing section built): HTML bytes, gzipped
bytes, the page's own sub-resources (scripts, stylesheets, images served by the app) and their
gzipped bytes, and the server time per page (p50/p95). The search page's budget: 50 KB gzipped.
"""

from __future__ import annotations

import gzip
import re
import tempfile
import time
from typing import Any

from bench.stats import Row, summary_ms

_RESOURCE = re.compile(r"""<(?:script[^>]+src|link[^>]+href|img[^>]+src)=["']([^"']+)["']""", re.I)
# Loaded by the page's scripts only when the map is shown (search.js, map.js): not part of the
# first load, reported beside it.
_ON_DEMAND = re.compile(r"""data-(?:leaflet|leaflet-css|script)=["']([^"']+)["']""", re.I)
BUDGET_GZIP = 50_000


def page_rows(backend: Any, sample_id: str, runs: int) -> list[Row]:
    from search_app.app import create_app
    from volunteer_hub.core.config import load_settings

    rows = []
    with tempfile.TemporaryDirectory(prefix="vh-bench-pages-") as home:
        settings = load_settings({"VOLUNTEER_HUB_HOME": home, "VOLUNTEER_HUB_RATE_LIMIT_SEARCH": "0"})
        app = create_app({"SETTINGS": settings, "BACKEND": backend, "TESTING": True})
        client = app.test_client()
        pages = {"home": "/", "results": "/?q=collecte&where=Rennes", "detail": f"/o/{sample_id}"}
        for name, path in pages.items():
            resp = client.get(path, headers={"Accept-Language": "fr"})
            html = resp.data
            assert resp.status_code == 200, (path, resp.status_code)
            resources = sorted({u for u in _RESOURCE.findall(html.decode()) if u.startswith("/")})
            res_gzip = 0
            for url in resources:
                sub = client.get(url)
                if sub.status_code == 200:
                    res_gzip += len(gzip.compress(sub.data))
            on_demand = sorted(set(_ON_DEMAND.findall(html.decode())) - set(resources))
            map_gzip = sum(len(gzip.compress(client.get(url).data)) for url in on_demand)
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                client.get(path, headers={"Accept-Language": "fr"})
                samples.append(time.perf_counter() - started)
            s = summary_ms(samples)
            total = len(gzip.compress(html)) + res_gzip
            rows.append(
                Row(
                    "pages",
                    f"{name} page",
                    f"{len(html) / 1000:.1f} KB HTML, {total / 1000:.1f} KB gzipped with {len(resources)} "
                    f"resources (+{map_gzip / 1000:.1f} KB in {len(on_demand)} when the map is shown); "
                    f"server p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms",
                    goal="<= 50 KB gzipped" if name == "results" else "",
                    met=(total <= BUDGET_GZIP) if name == "results" else None,
                    details={
                        "html_bytes": len(html),
                        "gzip_total": total,
                        "resources": resources,
                        "map_gzip": map_gzip,
                        "map_resources": on_demand,
                        **s,
                    },
                )
            )
    return rows
