"""Precision and recall of cross-partner copy matching on the labelled pairs.

``python -m bench.copies_quality [PAIRS.json] [--misses]`` reads ``tests/quality/copies_labelled.json``
(built by ``python -m bench.copies_set``) and asks ``volunteer_hub.core.identity.same_opportunity``
about each pair. Precision comes first: a false merge hides a real listing from search, a missed
copy only shows one opportunity twice. ``--misses`` lists the pairs it got wrong.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from volunteer_hub.core.identity import same_opportunity
from volunteer_hub.core.opportunity import Opportunity

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "quality" / "copies_labelled.json"


def judge(pairs: list[dict]) -> list[tuple[dict, bool]]:
    return [
        (pair, same_opportunity(Opportunity.from_dict(pair["a"]), Opportunity.from_dict(pair["b"])))
        for pair in pairs
    ]


def scores(judged: list[tuple[dict, bool]]) -> dict[str, float | int]:
    tp = sum(1 for pair, said in judged if said and pair["label"] == "copy")
    fp = sum(1 for pair, said in judged if said and pair["label"] != "copy")
    fn = sum(1 for pair, said in judged if not said and pair["label"] == "copy")
    return {
        "pairs": len(judged),
        "copies": tp + fn,
        "merged": tp + fp,
        "false_merges": fp,
        "missed": fn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    show_misses = "--misses" in args
    paths = [a for a in args if not a.startswith("--")]
    pairs = json.loads(Path(paths[0] if paths else PAIRS).read_text())
    judged = judge(pairs)
    total = scores(judged)
    print(
        f"{total['pairs']} labelled pairs, {total['copies']} copies: precision {total['precision']:.1%} "
        f"({total['false_merges']} false merges), recall {total['recall']:.1%} ({total['missed']} missed)"
    )
    print(f"\n| {'pairs (kind: why)':<76} | label    | pairs | said same |")
    print(f"|{'-' * 78}|----------|-------|-----------|")
    groups = Counter((p["kind"], p["why"], p["label"]) for p, _ in judged)
    merged = Counter((p["kind"], p["why"], p["label"]) for p, said in judged if said)
    for (kind, why, label), n in sorted(groups.items()):
        print(f"| {f'{kind}: {why}':<76} | {label:<8} | {n:>5} | {merged[(kind, why, label)]:>9} |")
    if show_misses:
        for pair, said in judged:
            if said != (pair["label"] == "copy"):
                a, b = pair["a"], pair["b"]
                print(f"\n{'FALSE MERGE' if said else 'MISSED'} ({pair['why']}):")
                for rec in (a, b):
                    places = [(loc.get("postal_code"), loc.get("city"), loc.get("lat"), loc.get("lon"))
                              for loc in rec.get("locations") or []]  # fmt: skip
                    org = (rec.get("organization") or {}).get("name")
                    print(f"  {rec['partner']}: {rec['title']!r} | {org} | {rec.get('start')} | {places}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
