"""Search relevance on the labelled set in ``tests/relevance/``: how often does search find what people mean?

    python -m bench.relevance [--es-url URL] [--json] [--details]

Loads the demo partners' listings (``volunteer_hub/demo_data``, parsed and normalized exactly as a
crawl does, at the demo's fixed "now"), indexes them in a fresh embedded index and, when an
Elasticsearch URL is given (or ``VOLUNTEER_HUB_TEST_ES_URL`` is set), in a throw-away alias on that
node, runs every query of ``tests/relevance/queries.toml`` through ``SearchBackend.search`` and
prints per backend:

- zero-result rate: queries with at least one relevant listing that return nothing;
- recall@10: relevant listings in the first 10, divided by min(10, number of relevant listings);
- nDCG@10 with binary gains (log2 discount), averaged over the queries with a relevant listing;
- identical rankings: queries whose first 10 ids are the same, in the same order, on both backends.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import tomllib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from crawlers.formats import parse_feed
from crawlers.formats.base import RawOpportunity
from crawlers.normalize import NormalizeContext, normalize
from indexer.base import SearchBackend, SearchQuery
from indexer.sqlite_backend import SqliteBackend
from volunteer_hub.core.opportunity import Opportunity

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "tests" / "relevance" / "queries.toml"
DEMO_DIR = ROOT / "volunteer_hub" / "demo_data"
# The demo feeds are generated for this "now" (volunteer_hub/demo_data/generate.py).
DEMO_NOW = datetime(2026, 11, 26, 7, 0, tzinfo=ZoneInfo("Europe/Paris"))
K = 10


@dataclass(frozen=True)
class Judged:
    q: str
    lang: str
    kind: str
    relevant: tuple[str, ...]  # id suffixes (the hash after the partner id)


def load_queries(path: Path = QUERIES) -> list[Judged]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Judged(e["q"], e["lang"], e["kind"], tuple(e["relevant"])) for e in data["query"]]


def demo_listings() -> list[Opportunity]:
    """The demo partners' listings, normalized as a crawl at the demo's date would."""
    found: list[Opportunity] = []
    for partner in json.loads((DEMO_DIR / "partners.json").read_text(encoding="utf-8")):
        _, items = parse_feed((DEMO_DIR / partner["path"]).read_bytes())
        ctx = NormalizeContext(partner=partner["id"], now=DEMO_NOW, default_country="FR")
        for item in items:
            if isinstance(item, RawOpportunity):
                opp, _ = normalize(item, ctx)
                if opp is not None:
                    found.append(opp)
    return found


def suffix(opportunity_id: str) -> str:
    return opportunity_id.rsplit("-", 1)[-1]


def query_for(judged: Judged, per_page: int = K) -> SearchQuery:
    lang = judged.lang if judged.lang in ("fr", "en") else "fr"
    return SearchQuery(text=judged.q, lang=lang, now=DEMO_NOW, per_page=per_page)


def ranked(backend: SearchBackend, judged: Judged) -> list[str]:
    return [suffix(h.opportunity.id) for h in backend.search(query_for(judged)).hits]


def ndcg(ranking: list[str], relevant: Iterable[str], k: int = K) -> float:
    rel = set(relevant)
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(ranking[:k]) if r in rel)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(rel))))
    return dcg / ideal if ideal else 0.0


def recall(ranking: list[str], relevant: Iterable[str], k: int = K) -> float:
    rel = set(relevant)
    return len(rel & set(ranking[:k])) / min(k, len(rel)) if rel else 0.0


def measure(backend: SearchBackend, queries: list[Judged]) -> dict[str, Any]:
    judged = [j for j in queries if j.relevant]
    rankings = {j.q: ranked(backend, j) for j in queries}
    zero = [j.q for j in judged if not rankings[j.q]]
    return {
        "backend": backend.name,
        "queries": len(judged),
        "zero_result_rate": len(zero) / len(judged),
        "zero_result_queries": zero,
        "recall@10": sum(recall(rankings[j.q], j.relevant) for j in judged) / len(judged),
        "ndcg@10": sum(ndcg(rankings[j.q], j.relevant) for j in judged) / len(judged),
        "rankings": rankings,
    }


def load_backends(es_url: str | None, workdir: Path) -> list[SearchBackend]:
    listings = demo_listings()
    backends: list[SearchBackend] = []
    sqlite = SqliteBackend(workdir / "relevance.sqlite3")
    sqlite.ensure_ready()
    backends.append(sqlite)
    if es_url:
        from indexer.es_backend import ElasticsearchBackend

        backends.append(ElasticsearchBackend(es_url, alias=f"vh-relevance-{uuid.uuid4().hex[:8]}"))
        backends[-1].ensure_ready()
    for backend in backends:
        report = backend.upsert(listings)
        if not report.ok:
            raise SystemExit(f"{backend.name} refused documents: {report.failed}")
    return backends


def drop(backend: SearchBackend) -> None:
    if backend.name == "elasticsearch":
        for name in backend.generations():  # type: ignore[attr-defined]
            backend.es.indices.delete(index=name)  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--es-url", default=os.environ.get("VOLUNTEER_HUB_TEST_ES_URL"))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--details", action="store_true", help="print every query below its target")
    args = parser.parse_args(argv)
    queries = load_queries()
    with tempfile.TemporaryDirectory() as tmp:
        backends = load_backends(args.es_url, Path(tmp))
        try:
            results = [measure(b, queries) for b in backends]
        finally:
            for backend in backends:
                drop(backend)
    same = None
    if len(results) == 2:
        a, b = results[0]["rankings"], results[1]["rankings"]
        same = sum(a[q] == b[q] for q in a)
    if args.json:
        out = [{k: v for k, v in r.items() if k != "rankings"} for r in results]
        print(json.dumps({"results": out, "identical_rankings": same, "total": len(queries)}, indent=2))
        return 0
    judged = sum(1 for j in queries if j.relevant)
    print(f"{len(queries)} queries, {judged} with a relevant listing, over {len(demo_listings())} listings")
    print("| backend | zero-result rate | recall@10 | nDCG@10 |")
    print("|---|---|---|---|")
    for r in results:
        zero = r["zero_result_rate"]
        print(f"| {r['backend']} | {zero:.1%} | {r['recall@10']:.3f} | {r['ndcg@10']:.3f} |")
    if same is not None:
        print(f"identical first-10 rankings on both backends: {same}/{len(queries)}")
    if args.details:
        by_q = {j.q: j for j in queries}
        for r in results:
            print(f"\n{r['backend']}: queries below nDCG@10 0.85")
            for q, ranking in r["rankings"].items():
                j = by_q[q]
                score = ndcg(ranking, j.relevant)
                if j.relevant and score < 0.85:
                    print(f"  {score:.2f} {q!r}: got {ranking[:5]} want {list(j.relevant)[:5]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
