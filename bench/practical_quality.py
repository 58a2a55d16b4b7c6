"""Precision and recall of the practical facts inferred from text (volunteer_hub.core.practical).

    python -m bench.practical_quality [--split tune|holdout] [--json] [--errors] [--check] [LABELLED.json]

Reads the labelled listings (default: tests/quality/practical_labelled.json: French and English
titles and descriptions, some with dates, a schedule or hours per week, each with the facts a
careful reader finds stated; a fact absent from ``labels`` is unknown; ``"split": "holdout"`` marks the
listings written after the rules, never used to tune them), runs the same inference
``crawlers.normalize`` runs, and prints one Markdown row per claimed value:

- labelled: listings whose label is that value; claimed: listings the inference gave it;
- correct: claimed and labelled so; precision = correct / claimed (a claim on a listing
  labelled unknown counts as wrong: unknown must stay unknown); recall = correct / labelled.

``--errors`` lists every wrong or missed claim; ``--check`` exits 1 when a claimed value is below
``PRECISION_TARGET`` (tests/test_practical.py runs it).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.practical import PRECISION_TARGET, infer_practical

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "quality" / "practical_labelled.json"
# label key in the set -> attribute of the record
FACTS = {
    "minors": "open_to_minors",
    "min_age": "min_age",
    "accessible": "accessible",
    "recurrence": "recurrence",
    "time_of_week": "time_of_week",
    "skills_based": "skills_based",
    "groups": "groups",
    "family": "family_friendly",
}
ROWS: list[tuple[str, Any]] = [
    ("minors", True), ("minors", False), ("min_age", "exact"), ("accessible", True), ("accessible", False),
    ("recurrence", "one-off"), ("recurrence", "recurring"), ("time_of_week", "weekdays"),
    ("time_of_week", "evenings"), ("time_of_week", "weekends"), ("skills_based", True),
    ("skills_based", False), ("groups", True), ("groups", False), ("family", True), ("family", False),
]  # fmt: skip


@dataclass
class Row:
    fact: str
    value: Any
    labelled: int = 0
    claimed: int = 0
    correct: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        attribute = FACTS[self.fact]
        if self.value == "exact":
            return attribute
        return f"{attribute} = {json.dumps(self.value) if isinstance(self.value, bool) else self.value}"

    @property
    def precision(self) -> float | None:
        return self.correct / self.claimed if self.claimed else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.labelled if self.labelled else None


def listing(item: dict[str, Any]) -> Opportunity:
    """The record a feed item with this text and these dates normalizes to, before inference."""
    opp = Opportunity(id=item["id"], partner="labelled", source_id=item["id"], url="https://example.org/",
                      title=item["title"], description=item["text"], language=item["lang"])  # fmt: skip
    opp.start = datetime.fromisoformat(item["start"]) if item.get("start") else None
    opp.end = datetime.fromisoformat(item["end"]) if item.get("end") else None
    opp.open_ended = item.get("open_ended", not (opp.start or opp.end))
    opp.schedule = item.get("schedule", "")
    opp.commitment_hours_per_week = item.get("commitment_hours_per_week")
    return opp


def measure(items: list[dict[str, Any]]) -> list[Row]:
    rows = [Row(fact, value) for fact, value in ROWS]
    for item in items:
        opp = listing(item)
        infer_practical(opp, f"{opp.title}\n{item['text']}")
        labels = item["labels"]
        for row in rows:
            said = getattr(opp, FACTS[row.fact])
            truth = labels.get(row.fact)
            if row.fact == "time_of_week":
                claimed, labelled = row.value in said, truth is not None and row.value in truth
            elif row.value == "exact":
                claimed, labelled = said is not None, truth is not None
            else:
                claimed, labelled = said == row.value, truth == row.value
            correct = claimed and (labelled if row.value != "exact" else said == truth)
            row.labelled += labelled
            row.claimed += claimed
            row.correct += correct
            if claimed and not correct:
                row.errors.append(f"{item['id']}: claimed {said!r}, labelled {truth!r} ({item['title']})")
            elif labelled and not claimed:
                row.errors.append(f"{item['id']}: missed (said {said!r}) ({item['title']})")
    return rows


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def table(rows: list[Row]) -> str:
    lines = [
        "| inferred value | labelled | claimed | correct | precision | recall |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| `{r.name}` | {r.labelled} | {r.claimed} | {r.correct} "
            f"| {_pct(r.precision)} | {_pct(r.recall)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labelled", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--split", choices=("tune", "holdout"), help="only the listings of this split")
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    parser.add_argument("--errors", action="store_true", help="list every wrong or missed claim")
    parser.add_argument("--check", action="store_true", help=f"exit 1 below {PRECISION_TARGET:.0%} precision")
    args = parser.parse_args(argv)
    items = json.loads(args.labelled.read_text(encoding="utf-8"))
    if args.split:
        items = [i for i in items if i.get("split", "tune") == args.split]
    rows = measure(items)
    if args.json:
        for r in rows:
            row = {"value": r.name, "labelled": r.labelled, "claimed": r.claimed, "correct": r.correct}
            print(json.dumps({**row, "precision": r.precision, "recall": r.recall}))
    else:
        langs = {lang: sum(1 for i in items if i["lang"] == lang) for lang in ("fr", "en")}
        print(f"{len(items)} labelled listings ({langs['fr']} French, {langs['en']} English)\n")
        print(table(rows))
    if args.errors:
        for r in rows:
            for error in r.errors:
                print(f"{r.name}: {error}", file=sys.stderr)
    below = [r for r in rows if r.precision is not None and r.precision < PRECISION_TARGET]
    if args.check and below:
        print("below target: " + ", ".join(f"{r.name} {_pct(r.precision)}" for r in below), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
