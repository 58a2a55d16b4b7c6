"""Precision and recall of each moderation rule (volunteer_hub.core.moderation) on the labelled set
``tests/quality/moderation_set.jsonl`` (real-looking fr/en listings, both kinds).

    PYTHONPATH=$PWD python tests/quality/measure_moderation.py   # prints the table of docs/quality.md

A rule "hides" or "flags"; its hiding precision is what matters most (a hidden honest listing is
lost to volunteers), so it is reported apart. Recall counts a listing found by either action.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from volunteer_hub.core.moderation import CODES, HIDE, Finding, moderate, repeated_texts
from volunteer_hub.core.opportunity import Compensation, Opportunity, Organization

SET = Path(__file__).with_name("moderation_set.jsonl")


@dataclass
class Labelled:
    opportunity: Opportunity
    labels: set[str]
    lang: str


@dataclass
class RuleScore:
    code: str
    positives: int = 0  # listings labelled with the code
    hidden: int = 0
    hidden_right: int = 0
    found: int = 0  # hidden or flagged
    found_right: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def hide_precision(self) -> float | None:
        return self.hidden_right / self.hidden if self.hidden else None

    @property
    def precision(self) -> float | None:
        return self.found_right / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.found_right / self.positives if self.positives else None


def load(path: Path = SET) -> list[Labelled]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        opp = Opportunity(
            id=raw["id"],
            partner=raw["partner"],
            source_id=raw["id"],
            url=raw["url"],
            title=raw["title"],
            description=raw["description"],
            language=raw["lang"],
            organization=Organization(name="Association"),
            compensation=Compensation(**raw["compensation"]) if raw.get("compensation") else None,
        )
        items.append(Labelled(opp, set(raw["labels"]), raw["lang"]))
    return items


def findings(items: list[Labelled]) -> dict[str, list[Finding]]:
    """Every rule's findings per listing, the partner-level rule included."""
    found = {item.opportunity.id: moderate(item.opportunity) for item in items}
    by_partner: dict[str, list[Opportunity]] = defaultdict(list)
    for item in items:
        by_partner[item.opportunity.partner].append(item.opportunity)
    for opps in by_partner.values():
        for opp_id, finding in repeated_texts(opps).items():
            found[opp_id].append(finding)
    return found


def score(items: list[Labelled]) -> dict[str, RuleScore]:
    found = findings(items)
    scores = {code: RuleScore(code) for code in CODES}
    for item in items:
        opp_id = item.opportunity.id
        for code, s in scores.items():
            hit = [f for f in found[opp_id] if f.code == code]
            right = code in item.labels
            s.positives += right
            if hit:
                s.found += 1
                s.found_right += right
                if not right:
                    s.wrong.append(f"{opp_id} {hit[0].action}: {hit[0].detail}")
                if any(f.action == HIDE for f in hit):
                    s.hidden += 1
                    s.hidden_right += right
            elif right:
                s.misses.append(f"{opp_id} {item.opportunity.title}")
    return scores


def _pct(value: float | None, num: int, den: int) -> str:
    return "–" if value is None else f"{value:.0%} ({num}/{den})"


def table(items: list[Labelled]) -> str:
    scores = score(items)
    langs = {lang: sum(i.lang == lang for i in items) for lang in ("fr", "en")}
    honest = sum(not i.labels for i in items)
    lines = [
        f"Labelled set: {len(items)} listings ({langs['fr']} fr, {langs['en']} en), "
        f"{len(items) - honest} with at least one problem, {honest} honest.",
        "",
        "| rule | labelled | hides: precision | hides + flags: precision | recall |",
        "|---|---|---|---|---|",
    ]
    for s in scores.values():
        lines.append(
            f"| `{s.code}` | {s.positives} | {_pct(s.hide_precision, s.hidden_right, s.hidden)} "
            f"| {_pct(s.precision, s.found_right, s.found)} | {_pct(s.recall, s.found_right, s.positives)} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    items = load()
    print(table(items))
    for s in score(items).values():
        for line in s.wrong:
            print(f"  {s.code} wrong: {line}")
        for line in s.misses:
            print(f"  {s.code} missed: {line}")
