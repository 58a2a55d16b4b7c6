"""Cost of recognizing one opportunity published by several partners (volunteer_hub.store.grouping).

    python bench/grouping_bench.py                  # 100,000 opportunities + 2% relayed copies
    python bench/grouping_bench.py -n 20000 --json bench/results/grouping.json

Generates the invented corpus of ``bench/index_bench.py``, then relays ``--copies`` of it through
another partner with a reworded title (what a volunteer centre does), and measures, on SQLite:

* ``store``: ``PartnerSync.store`` of everything, the crawl path, which now computes each record's
  blocking key; baseline: the same store with the key computation switched off, same run;
* ``regroup first``: finding every copy in a database that has none marked yet;
* ``regroup steady``: the pass every push to the index pays when nothing changed; baseline: the
  bare ``GROUP BY`` over live rows that any grouping has to run, same run;
* recall of the planted copies, and how many other records were grouped (records the generator
  made identical by chance: same organization, places, start day and title).
Only local files are touched; no network.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from index_bench import NOW, generate  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

import indexer.sync  # noqa: E402, F401
import volunteer_hub.store.partner_sync  # noqa: E402
from volunteer_hub.core.opportunity import Opportunity, make_id  # noqa: E402
from volunteer_hub.store.db import Database, Partner, StoredOpportunity  # noqa: E402
from volunteer_hub.store.grouping import regroup  # noqa: E402
from volunteer_hub.store.partner_sync import PartnerSync  # noqa: E402
from volunteer_hub.store.states import OpportunityState  # noqa: E402

RELAY = "relay-centre"


def relayed(opps: list[Opportunity], share: float, seed: int = 7) -> list[Opportunity]:
    """Copies of a random ``share`` of ``opps`` as a volunteer centre republishes them."""
    rng = random.Random(seed)
    out = []
    for opp in rng.sample(opps, int(len(opps) * share)):
        copy = replace(
            opp,
            id=make_id(RELAY, f"relay-{opp.id}"),
            partner=RELAY,
            source_id=f"relay-{opp.id}",
            url=f"https://relay.example/m/{opp.id}",
            title=opp.title.replace(" — ", " - "),
        )
        copy.content_hash = copy.compute_hash()
        out.append(copy)
    return out


def store_all(db: Database, opps: list[Opportunity]) -> None:
    by_partner: dict[str, list[Opportunity]] = defaultdict(list)
    for opp in opps:
        by_partner[opp.partner].append(opp)
    for partner, items in by_partner.items():
        sync = PartnerSync(db, partner, now=NOW)
        for start in range(0, len(items), 1000):
            sync.store(items[start : start + 1000])


def fresh_db(directory: Path, name: str, partners: set[str]) -> Database:
    db = Database(f"sqlite:///{directory / name}")
    with db.session() as s, s.begin():
        for partner in sorted(partners):
            s.add(Partner(id=partner, name=partner, url=f"https://{partner}.example/feed"))
    return db


def timed(label: str, fn, results: dict) -> object:  # noqa: ANN001
    started = time.perf_counter()
    value = fn()
    results[label] = round(time.perf_counter() - started, 3)
    print(f"  {label:<34} {results[label]:>9.3f} s", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--copies", type=float, default=0.02, help="share relayed by another partner")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    originals = generate(args.n)
    copies = relayed(originals, args.copies)
    everything = originals + copies
    partners = {o.partner for o in everything}
    print(f"{len(originals)} opportunities, {len(copies)} relayed copies, {len(partners)} partners")
    results: dict[str, object] = {"n": args.n, "copies": len(copies)}
    with tempfile.TemporaryDirectory() as tmp:
        base = fresh_db(Path(tmp), "baseline.sqlite3", partners)
        real_key = volunteer_hub.store.partner_sync.record_group_key
        volunteer_hub.store.partner_sync.record_group_key = lambda _opp: ""  # baseline: no blocking key
        try:
            timed("store, no key (baseline)", lambda: store_all(base, everything), results)
        finally:
            volunteer_hub.store.partner_sync.record_group_key = real_key
        db = fresh_db(Path(tmp), "hub.sqlite3", partners)
        timed("store, with blocking key", lambda: store_all(db, everything), results)

        changed = timed("regroup first", lambda: regroup(db), results)
        timed("regroup steady (nothing new)", lambda: regroup(db), results)

        def bare_group_by() -> int:
            with db.session() as s:
                stmt = (
                    select(StoredOpportunity.group_key, func.count())
                    .where(StoredOpportunity.state == OpportunityState.LIVE)
                    .group_by(StoredOpportunity.group_key)
                )
                return len(s.execute(stmt).all())

        timed("bare GROUP BY (baseline)", bare_group_by, results)
        with db.session() as s:
            marked = dict(
                s.execute(
                    select(StoredOpportunity.id, StoredOpportunity.duplicate_of).where(
                        StoredOpportunity.duplicate_of.is_not(None)
                    )
                ).all()
            )
            blocks = s.execute(
                text(
                    "SELECT count(*) FROM (SELECT group_key FROM stored_opportunity "
                    "WHERE group_key NOT IN ('', 'k') GROUP BY group_key "
                    "HAVING count(DISTINCT partner_id) > 1)"
                )
            ).scalar()
    found = sum(1 for c in copies if c.id in marked or any(v == c.id for v in marked.values()))
    results.update(
        rows_changed_first=len(changed),  # type: ignore[arg-type]
        marked_copies=len(marked),
        planted_found=found,
        recall=round(found / len(copies), 4) if copies else None,
        other_grouped=len(marked) - found,
        shared_blocks=blocks,
        store_ratio=round(results["store, with blocking key"] / results["store, no key (baseline)"], 2),  # type: ignore[operator]
        steady_ratio=round(
            results["regroup steady (nothing new)"] / max(results["bare GROUP BY (baseline)"], 1e-3),
            2,  # type: ignore[operator]
        ),
    )
    print(
        f"  planted copies found: {found}/{len(copies)} (recall {results['recall']}); "
        f"other records grouped (identical by chance in the generated corpus): {results['other_grouped']}"
    )
    print(
        f"  store with key / without: x{results['store_ratio']}; "
        f"steady regroup / bare GROUP BY: x{results['steady_ratio']}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
