"""Indexing and search benchmark for both search backends, with raw baselines from the same run.

    python bench/index_bench.py                       # embedded only, 100,000 opportunities
    python bench/index_bench.py --es-url http://127.0.0.1:9299
    VOLUNTEER_HUB_BENCH_ES_URL=http://127.0.0.1:9299 python bench/index_bench.py
    python bench/index_bench.py --start-es            # a throw-away node via scripts/elasticsearch.sh

What is timed, for N generated (invented, seeded) opportunities:

* ``analysis``: building the search documents in Python (volunteer_hub.core.analysis), the cost both
  backends share;
* ``sqlite rebuild``: ``begin/load/seal_generation`` (the ``index rebuild`` path: new file, no journal,
  then FTS optimize + ANALYZE);
* ``sqlite upsert``: ``SqliteBackend.upsert`` in batches of 500 (the crawl/sync path, hash checks);
* ``sqlite raw``: ``executemany`` of the same rows (id + JSON + raw title/description) into a plain
  table and an FTS5 table, one transaction: the floor for SQLite on this machine;
* ``es rebuild``: ``begin/load/seal_generation`` + alias swap (replicas 0, refresh off during the load);
* ``es raw``: ``helpers.bulk`` (same chunk size) of minimal documents (id, title, description, standard
  analyzer) into an index with the same load settings: the floor for Elasticsearch from Python.

Then search latency (p50/p95 over ``--queries`` runs after a warm-up) for a few typical queries on
each backend, and on-disk size per document. Everything is printed; ``--json FILE`` keeps it.
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer.base import SearchQuery  # noqa: E402
from indexer.documents import build_document  # noqa: E402
from indexer.sqlite_backend import SqliteBackend  # noqa: E402
from volunteer_hub.core.opportunity import Location, Opportunity, Organization, make_id  # noqa: E402

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
BATCH = 1000

# (city, postal code, region, lat, lon): real places, so geo queries behave as in production.
CITIES = [
    ("Paris", "75011", "Île-de-France", 48.8566, 2.3522),
    ("Marseille", "13001", "Provence-Alpes-Côte d'Azur", 43.2965, 5.3698),
    ("Lyon", "69001", "Auvergne-Rhône-Alpes", 45.7640, 4.8357),
    ("Toulouse", "31000", "Occitanie", 43.6047, 1.4442),
    ("Nice", "06000", "Provence-Alpes-Côte d'Azur", 43.7102, 7.2620),
    ("Nantes", "44000", "Pays de la Loire", 47.2184, -1.5536),
    ("Strasbourg", "67000", "Grand Est", 48.5734, 7.7521),
    ("Montpellier", "34000", "Occitanie", 43.6108, 3.8767),
    ("Bordeaux", "33000", "Nouvelle-Aquitaine", 44.8378, -0.5792),
    ("Lille", "59000", "Hauts-de-France", 50.6292, 3.0573),
    ("Rennes", "35000", "Bretagne", 48.1113, -1.6800),
    ("Brest", "29200", "Bretagne", 48.3904, -4.4861),
    ("Reims", "51100", "Grand Est", 49.2583, 4.0317),
    ("Le Havre", "76600", "Normandie", 49.4944, 0.1079),
    ("Grenoble", "38000", "Auvergne-Rhône-Alpes", 45.1885, 5.7245),
    ("Dijon", "21000", "Bourgogne-Franche-Comté", 47.3220, 5.0415),
    ("Angers", "49000", "Pays de la Loire", 47.4784, -0.5632),
    ("Clermont-Ferrand", "63000", "Auvergne-Rhône-Alpes", 45.7772, 3.0870),
    ("Tours", "37000", "Centre-Val de Loire", 47.3941, 0.6848),
    ("Orléans", "45000", "Centre-Val de Loire", 47.9030, 1.9093),
    ("Caen", "14000", "Normandie", 49.1829, -0.3707),
    ("Rouen", "76000", "Normandie", 49.4432, 1.0999),
    ("Metz", "57000", "Grand Est", 49.1193, 6.1757),
    ("Besançon", "25000", "Bourgogne-Franche-Comté", 47.2378, 6.0241),
    ("Limoges", "87000", "Nouvelle-Aquitaine", 45.8336, 1.2611),
    ("Poitiers", "86000", "Nouvelle-Aquitaine", 46.5802, 0.3404),
    ("Ajaccio", "20000", "Corse", 41.9192, 8.7386),
    ("Quimper", "29000", "Bretagne", 47.9960, -4.1020),
    ("Amiens", "80000", "Hauts-de-France", 49.8941, 2.2958),
    ("Perpignan", "66000", "Occitanie", 42.6887, 2.8948),
]
CAUSES = [
    "animaux",
    "culture-loisirs",
    "education",
    "emploi",
    "environnement",
    "humanitaire",
    "numerique",
    "sante",
    "solidarite-insertion",
    "sport",
    "vivre-ensemble",
    "memoire-et-citoyennete",
]
TITLE_FR = [
    ("Collecte de", ["déchets", "vêtements", "jouets", "livres", "denrées"]),
    ("Accompagnement", ["scolaire", "des seniors", "numérique", "vers l'emploi", "des familles"]),
    ("Animation", ["d'ateliers", "sportive", "au refuge", "en EHPAD", "de quartier"]),
    ("Distribution de", ["repas", "colis alimentaires", "kits d'hygiène", "fournitures"]),
    ("Nettoyage", ["de la plage", "de la rivière", "du parc", "des berges"]),
    ("Soutien", ["administratif", "aux réfugiés", "aux aidants", "juridique"]),
]
TITLE_EN = [
    ("Food bank", ["sorting", "drivers", "packing", "reception"]),
    ("Tutoring", ["in maths", "for teenagers", "in English", "online"]),
    ("Beach", ["clean-up", "survey", "litter picking"]),
    ("Befriending", ["older people", "refugees", "isolated neighbours"]),
]
WORDS_FR = (
    "association bénévoles mission quartier enfants familles seniors accueil écoute ateliers semaine "
    "samedi matin après-midi équipe formation accompagnement solidarité environnement jardin partage "
    "repas collecte tri animation sortie bibliothèque lecture sport santé prévention insertion emploi "
    "numérique ordinateur démarches administratives refuge animaux promenade soins nature rivière plage "
    "déchets recyclage vélo transport logistique entrepôt distribution hiver été vacances festival culture"
).split()
WORDS_EN = (
    "charity volunteers team weekly community children families older people welcome listening workshop "
    "saturday morning training support food bank sorting delivery garden sharing meals park cleaning river "
    "beach litter recycling bike library reading sport health digital computer shelter animals walks"
).split()


def generate(n: int, seed: int = 42) -> list[Opportunity]:
    """``n`` invented opportunities: 85% French, 1-3 places, 1-3 causes, 40-120 word descriptions."""
    return list(iter_generate(n, seed))


def iter_generate(n: int, seed: int = 42) -> Iterator[Opportunity]:
    """The same opportunities as ``generate``, one at a time: memory stays flat at 1,000,000
    (``bench/scale.py``). Deterministic: the i-th item depends only on ``seed`` and ``i``'s predecessors."""
    rng = random.Random(seed)
    for i in range(n):
        french = rng.random() < 0.85
        stem, tails = rng.choice(TITLE_FR if french else TITLE_EN)
        words = WORDS_FR if french else WORDS_EN
        description = " ".join(rng.choice(words) for _ in range(rng.randint(40, 120)))
        remote = rng.random() < 0.08
        places = [] if remote else rng.sample(CITIES, k=rng.choice((1, 1, 1, 2, 3)))
        locations = [
            Location(
                city=c,
                postal_code=pc,
                region=r,
                country="FR",
                lat=lat + rng.uniform(-0.05, 0.05),
                lon=lon + rng.uniform(-0.05, 0.05),
            )
            for c, pc, r, lat, lon in places
        ]
        start = NOW + timedelta(days=rng.randint(-30, 200)) if rng.random() < 0.6 else None
        partner = f"partner-{i % 40:02d}"
        o = Opportunity(
            id=make_id(partner, f"opp-{i}"),
            partner=partner,
            source_id=f"opp-{i}",
            url=f"https://partner.example/missions/{i}",
            title=f"{stem} {rng.choice(tails)} — {locations[0].city if locations else 'à distance'}",
            organization=Organization(
                name=f"Association {rng.randint(1, 3000)}", url="https://partner.example/"
            ),
            description=f"<p>{description}</p>",
            locations=locations,
            causes=rng.sample(CAUSES, k=rng.choice((1, 1, 2, 3))),
            remote=remote,
            language="fr" if french else "en",
            start=start,
            end=start + timedelta(days=rng.randint(1, 90)) if start and rng.random() < 0.7 else None,
            posted=NOW - timedelta(days=rng.randint(0, 60)),
        )
        o.content_hash = o.compute_hash()
        yield o


def batches(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def timed(label: str, fn: Callable[[], Any], results: dict[str, Any]) -> Any:
    started = time.perf_counter()
    value = fn()
    results[label] = round(time.perf_counter() - started, 2)
    print(f"  {label:<28} {results[label]:>8.2f} s", flush=True)
    return value


QUERIES: dict[str, dict[str, Any]] = {
    "keyword 'dechets'": {"text": "dechets"},
    "two keywords + cause": {"text": "collecte plage", "causes": ["environnement"]},
    "cause + region facets": {"causes": ["education"], "regions": ["bretagne"]},
    "near Rennes 30 km, nearest": {"near": (48.1113, -1.68), "radius_km": 30, "sort": "nearest"},
    "browse all, page 5": {"page": 5},
    "date window + remote": {
        "date_from": NOW + timedelta(days=10),
        "date_to": NOW + timedelta(days=20),
        "filters": {"remote": False},
    },
}


def latency(backend: Any, runs: int) -> dict[str, dict[str, float]]:
    out = {}
    for name, kw in QUERIES.items():
        query = SearchQuery(now=NOW, **kw)
        for _ in range(10):
            total = backend.search(query).total
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            backend.search(query)
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        p50 = statistics.median(samples)
        p95 = samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]
        out[name] = {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "total": total}
        print(f"  {name:<32} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   ({total} hits)", flush=True)
    return out


def bench_sqlite(opps: list[Opportunity], workdir: Path, runs: int, with_upsert: bool) -> dict[str, Any]:
    r: dict[str, Any] = {}
    print("SQLite (embedded)")
    backend = SqliteBackend(workdir / "search.sqlite3")

    def rebuild() -> int:
        name = backend.begin_generation()
        for chunk in batches(opps):
            report = backend.load_generation(name, chunk)
            assert report.ok, report.failed
        count = backend.seal_generation(name)
        backend.activate_generation(name)
        return count

    count = timed("sqlite rebuild (ours)", rebuild, r)
    assert count == len(opps), count
    gen = Path(backend.generation_path(backend.current_generation()))
    r["sqlite_bytes"] = gen.stat().st_size
    r["sqlite_bytes_per_doc"] = round(r["sqlite_bytes"] / len(opps))

    if with_upsert:
        other = SqliteBackend(workdir / "upsert.sqlite3")
        other.ensure_ready()
        timed("sqlite upsert (sync path)", lambda: [other.upsert(c) for c in batches(opps, 500)], r)

    def raw() -> None:
        conn = sqlite3.connect(workdir / "raw.sqlite3")
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("CREATE TABLE doc (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, data TEXT)")
        conn.execute(
            "CREATE VIRTUAL TABLE doc_fts USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')"
        )
        with conn:
            conn.executemany(
                "INSERT INTO doc (rowid, id, data) VALUES (?, ?, ?)",
                ((i, o.id, json.dumps(o.to_dict(), ensure_ascii=False)) for i, o in enumerate(opps, 1)),
            )
            conn.executemany(
                "INSERT INTO doc_fts (rowid, title, body) VALUES (?, ?, ?)",
                ((i, o.title, o.description) for i, o in enumerate(opps, 1)),
            )
        conn.close()

    timed("sqlite raw executemany", raw, r)
    r["sqlite_ratio_rebuild_vs_raw"] = round(r["sqlite rebuild (ours)"] / r["sqlite raw executemany"], 1)
    print(
        f"  ratio ours/raw: {r['sqlite_ratio_rebuild_vs_raw']}x; "
        f"{r['sqlite_bytes_per_doc']} bytes/doc on disk"
    )
    print("  search latency")
    r["latency"] = latency(backend, runs)
    backend.close()
    return r


def bench_es(opps: list[Opportunity], url: str, runs: int) -> dict[str, Any]:
    from elasticsearch import helpers

    from indexer.es_backend import ElasticsearchBackend

    r: dict[str, Any] = {"url": url}
    print(f"Elasticsearch ({url})")
    alias = f"vh-bench-{uuid.uuid4().hex[:8]}"
    backend = ElasticsearchBackend(url, alias=alias)
    raw_index = f"vh-bench-raw-{uuid.uuid4().hex[:8]}"
    try:

        def rebuild() -> int:
            name = backend.begin_generation()
            for chunk in batches(opps):
                report = backend.load_generation(name, chunk)
                assert report.ok, list(report.failed.items())[:3]
            count = backend.seal_generation(name)
            backend.activate_generation(name)
            return count

        count = timed("es rebuild (ours)", rebuild, r)
        assert count == len(opps), count
        gen = backend.current_generation()
        stats = backend.es.indices.stats(index=gen, metric="store,docs")["indices"][gen]["primaries"]
        r["es_store_bytes"] = stats["store"]["size_in_bytes"]
        backend.es.options(request_timeout=600).indices.forcemerge(index=gen, max_num_segments=1)
        merged = backend.es.indices.stats(index=gen, metric="store")["indices"][gen]["primaries"]
        r["es_store_bytes_merged"] = merged["store"]["size_in_bytes"]
        r["es_bytes_per_doc_merged"] = round(r["es_store_bytes_merged"] / len(opps))

        def raw() -> None:
            backend.es.indices.create(
                index=raw_index,
                settings={"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1"},
                mappings={
                    "dynamic": "strict",
                    "properties": {
                        "id": {"type": "keyword"},
                        "title": {"type": "text"},
                        "description": {"type": "text"},
                    },
                },
            )
            actions = (
                {
                    "_index": raw_index,
                    "_id": o.id,
                    "_source": {"id": o.id, "title": o.title, "description": o.description},
                }
                for o in opps
            )
            ok, errors = helpers.bulk(backend.es, actions, chunk_size=500, raise_on_error=False)
            assert ok == len(opps) and not errors, errors[:3]
            backend.es.indices.refresh(index=raw_index)

        timed("es raw helpers.bulk", raw, r)
        r["es_ratio_rebuild_vs_raw"] = round(r["es rebuild (ours)"] / r["es raw helpers.bulk"], 1)
        print(
            f"  ratio ours/raw: {r['es_ratio_rebuild_vs_raw']}x; store {r['es_store_bytes']} B, "
            f"{r['es_bytes_per_doc_merged']} bytes/doc after force-merge"
        )
        print("  search latency")
        r["latency"] = latency(backend, runs)
    finally:
        for name in backend.generations():
            backend.es.indices.delete(index=name)
        if backend.es.indices.exists(index=raw_index):
            backend.es.indices.delete(index=raw_index)
    return r


def start_es() -> tuple[str, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.run(
        [
            "bash",
            str(REPO / "scripts" / "elasticsearch.sh"),
            "start",
            "--port",
            str(port),
            "--watch-pid",
            str(os.getpid()),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=1200,
    )
    return proc.stdout.strip().splitlines()[-1], port


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="opportunities to index (default 100000)")
    parser.add_argument("--queries", type=int, default=200, help="timed runs per query (default 200)")
    parser.add_argument("--es-url", default=os.environ.get("VOLUNTEER_HUB_BENCH_ES_URL"))
    parser.add_argument("--start-es", action="store_true", help="start a node with scripts/elasticsearch.sh")
    parser.add_argument("--no-upsert", action="store_true", help="skip the SQLite upsert (sync path) timing")
    parser.add_argument("--json", dest="json_out", help="also write the results to this file")
    args = parser.parse_args()
    if args.es_url and not args.es_url.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("this benchmark only talks to 127.0.0.1")

    results: dict[str, Any] = {
        "n": args.n,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
    }
    print(
        f"{args.n} opportunities, {os.cpu_count()} CPUs, "
        f"Python {results['python']}, SQLite {results['sqlite']}"
    )
    opps = timed("generate", lambda: generate(args.n), results)
    timed("analysis (build_document)", lambda: [build_document(o) for o in opps], results)

    with tempfile.TemporaryDirectory(prefix="vh-bench-") as tmp:
        results["sqlite"] = bench_sqlite(opps, Path(tmp), args.queries, with_upsert=not args.no_upsert)

    es_port = None
    url = args.es_url
    if not url and args.start_es:
        url, es_port = start_es()
    if url:
        try:
            results["elasticsearch"] = bench_es(opps, url, args.queries)
        finally:
            if es_port:
                subprocess.run(
                    ["bash", str(REPO / "scripts" / "elasticsearch.sh"), "stop", "--port", str(es_port)],
                    check=False,
                    capture_output=True,
                )
    else:
        print("Elasticsearch: skipped (give --es-url, VOLUNTEER_HUB_BENCH_ES_URL or --start-es)")

    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
