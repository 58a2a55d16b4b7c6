"""Build ``tests/quality/copies_labelled.json``: pairs of records labelled copy / distinct.

``python -m bench.copies_set`` reads the shared fixtures (``../shared/fixtures/allforgood/``) and
the demo feeds through the real parsers and normalizer, then writes pairs of normalized records:

- **found**: pairs that exist in the data. Copies: VolunteerMatch's native listings and the FPXML
  All for Good's pipeline made of them (two partners, one opportunity each), the demo mission two
  federations relay. Distinct (hand-checked): every pair of records of two partners whose titles
  share half their terms (Habitat for Humanity affiliates, "I Have a Dream"...), and every other
  pair of records of one organization published by two partners.
- **relayed**: what a relay does to a real record of the demo or the fixtures (at most
  ``PER_FEED`` of each feed), one change at a time, labelled copy: it gives a point only (an
  address 0.4 km from the original's point, another entrance 0.8 km away, the town hall 1.5 km
  away), or adds the place to the title ("(Lyon 6e)", "- Orléans"), or both.
- **look-alikes**: the same organization and title, labelled distinct: another site of the
  organization 1.5 km away (same town) or 3 to 8 km away, another arrondissement named in the
  title, the next week's session, another team number.

Labels are decided here, by construction or by reading the pair, never by the matcher.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

from crawlers.formats import parse_feed
from crawlers.formats.base import RawOpportunity
from crawlers.normalize import NormalizeContext, normalize
from volunteer_hub.core.identity import arrondissement_words, title_terms
from volunteer_hub.core.opportunity import Location, Opportunity, make_id
from volunteer_hub.core.textfold import fold

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "quality" / "copies_labelled.json"
FIXTURES = [REPO.parent / "shared" / "fixtures" / "allforgood", Path("/work/shared/fixtures/allforgood")]
DEMO = REPO / "volunteer_hub" / "demo_data"
FIXTURE_NOW = datetime(2009, 3, 1, tzinfo=UTC)  # the fixtures' own time: their items are live then
DEMO_NOW = datetime(2026, 11, 26, tzinfo=UTC)  # the demo's fixed "today"
# The two feeds of one opportunity set: VolunteerMatch's listings, and All for Good's FPXML of them.
SAME_SOURCE = ("volunteermatch-sample1", "volunteermatch-sample1-output-fpxml")
RELAY = "relais"
PER_FEED = 40  # records of each feed a relay republishes (a fixed sample of the large feeds)


def _partner(path: Path) -> str:
    return path.name.split(".xml")[0].split(".")[0].replace("_", "-").lower()


def load(path: Path, now: datetime) -> list[Opportunity]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    _, stream = parse_feed(data)
    context = NormalizeContext(partner=_partner(path), now=now)
    records = []
    for entry in stream:
        if isinstance(entry, RawOpportunity):
            opp, _ = normalize(entry, context)
            if opp is not None:
                records.append(opp)
    return records


def records() -> dict[str, list[Opportunity]]:
    fixtures = next((d for d in FIXTURES if d.is_dir()), None)
    found: dict[str, list[Opportunity]] = {}
    if fixtures is not None:
        for path in sorted(fixtures.iterdir()):
            if path.suffix != ".md":
                found[_partner(path)] = load(path, FIXTURE_NOW)
    for path in sorted(DEMO.iterdir()):
        if path.suffix not in (".md", ".py", ".json"):
            found[_partner(path)] = load(path, DEMO_NOW)
    return found


def _org(opp: Opportunity) -> str:
    return " ".join(fold(opp.organization.name or "").split())


def _jaccard(a: Opportunity, b: Opportunity) -> float:
    x, y = title_terms(a.title), title_terms(b.title)
    return len(x & y) / len(x | y) if x and y else 0.0


def _record(opp: Opportunity) -> dict[str, Any]:
    data = opp.to_dict()
    data["description"] = (data.get("description") or "")[:200]  # the matcher never reads it: a small file
    return data


def _pair(kind: str, label: str, why: str, a: Opportunity, b: Opportunity) -> dict[str, Any]:
    return {"kind": kind, "label": label, "why": why, "a": _record(a), "b": _record(b)}


def found_pairs(by_partner: dict[str, list[Opportunity]]) -> list[dict[str, Any]]:
    pairs: list[dict[str, Any]] = []
    native, fpxml = (by_partner.get(name, []) for name in SAME_SOURCE)
    copies: set[tuple[str, str]] = set()
    for a in native:  # the pipeline kept the listing's title: one output record per listing
        for b in fpxml:
            if a.title == b.title and _org(a) == _org(b):
                pairs.append(_pair("found", "copy", "VolunteerMatch listing and its FPXML", a, b))
                copies.add((a.id, b.id))
    demo_relays = [
        (a, b)
        for a, b in combinations(
            [o for p in ("agir-ensemble", "passerelles-benevoles") for o in by_partner[p]], 2
        )
        if a.partner != b.partner and _org(a) == _org(b) and _org(a).startswith("table ouverte")
    ]
    for a, b in demo_relays:  # the demo's relayed mission (generate.py: "table-ouverte")
        pairs.append(_pair("found", "copy", "the demo's relayed winter evening service", a, b))
        copies.add((a.id, b.id))
    everything = [o for group in by_partner.values() for o in group]
    by_term: dict[str, list[Opportunity]] = {}
    for opp in everything:
        for term in title_terms(opp.title):
            by_term.setdefault(term, []).append(opp)
    seen: set[tuple[str, str]] = set()
    for opp in everything:
        for term in title_terms(opp.title):
            bucket = by_term[term]
            if len(bucket) > 300:
                continue
            for other in bucket:
                key = tuple(sorted((opp.id, other.id)))
                if other.partner == opp.partner or key in seen or key in copies or (key[1], key[0]) in copies:
                    continue
                same_org = bool(_org(opp)) and _org(opp) == _org(other)
                if _jaccard(opp, other) >= 0.5 or same_org:
                    seen.add(key)  # type: ignore[arg-type]
                    why = "one organization, two different missions" if same_org else "look-alike titles"
                    pairs.append(_pair("found", "distinct", why, opp, other))
    return pairs


def _digest(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def _offset(lat: float, lon: float, km: float, seed: str) -> tuple[float, float]:
    """A point ``km`` away in a direction fixed by ``seed`` (deterministic)."""
    angle = _digest(seed) / 0xFFFFFFFF * 2 * math.pi
    dlat = km / 111.2 * math.cos(angle)
    dlon = km / (111.2 * math.cos(math.radians(lat))) * math.sin(angle)
    return round(lat + dlat, 5), round(lon + dlon, 5)


def _relay(opp: Opportunity, suffix: str, **changes: Any) -> Opportunity:
    source_id = f"{opp.source_id}-{suffix}"
    copy = replace(opp, partner=RELAY, source_id=source_id, id=make_id(RELAY, source_id), **changes)
    copy.content_hash = copy.compute_hash()
    return copy


def _place_words(loc: Location) -> str:
    arrondissement = sorted(w for w in arrondissement_words(loc.postal_code or "") if w.endswith(("e", "er")))
    return " ".join(filter(None, (loc.city, arrondissement[0] if arrondissement else None)))


def derived_pairs(by_partner: dict[str, list[Opportunity]]) -> list[dict[str, Any]]:
    pairs: list[dict[str, Any]] = []
    for group in by_partner.values():
        for opp in sorted(group, key=lambda o: _digest(o.id))[:PER_FEED]:
            located = [loc for loc in opp.locations if loc.postal_code and loc.has_point and loc.city]
            if len(opp.locations) != 1 or not located or not opp.organization.name:
                continue
            loc = located[0]
            address = _offset(loc.lat or 0.0, loc.lon or 0.0, 0.4, opp.id)  # a street a few blocks away
            point_only = [Location(lat=address[0], lon=address[1])]
            titled = f"{opp.title} ({_place_words(loc)})"
            pairs += [
                _pair("relayed", "copy", "the relay gives the published point only", opp,
                      _relay(opp, "point", locations=point_only)),
                _pair("relayed", "copy", "the relay adds the place to the title", opp,
                      _relay(opp, "titled", title=titled)),
                _pair("relayed", "copy", "the relay gives the point only, the place in the title", opp,
                      _relay(opp, "both", title=f"{opp.title} - {loc.city}", locations=point_only)),
            ]  # fmt: skip
            for km, label, why in (
                (0.8, "copy", "the relay's point is the same site's other entrance, 0.8 km away"),
                (1.5, "copy", "the relay's point is the town hall, 1.5 km from the site"),
                (1.5, "distinct", "another site of the organization in the same town, 1.5 km away"),
            ):
                spot = _offset(loc.lat or 0.0, loc.lon or 0.0, km, f"{opp.id}{km}{label}")
                pairs.append(
                    _pair("relayed" if label == "copy" else "look-alike", label, why, opp,
                          _relay(opp, f"{label}-{km}", locations=[Location(lat=spot[0], lon=spot[1])]))
                )  # fmt: skip
            far = _offset(loc.lat or 0.0, loc.lon or 0.0, 3 + _digest(opp.id) % 6, opp.id + "far")
            pairs.append(
                _pair("look-alike", "distinct", "another site of the organization, 3 to 8 km away", opp,
                      _relay(opp, "far", locations=[Location(lat=far[0], lon=far[1])]))
            )  # fmt: skip
            arrondissement = arrondissement_words(loc.postal_code or "")
            if arrondissement:
                n = int(min(arrondissement, key=len))
                other = n + 1 if n < 9 else n - 1
                nearby = _offset(loc.lat or 0.0, loc.lon or 0.0, 0.9, opp.id + "arr")
                pairs.append(
                    _pair("look-alike", "distinct", "another arrondissement named in the title", opp,
                          _relay(opp, "arr", title=f"{opp.title} ({loc.city} {other}e)",
                                 locations=[Location(lat=nearby[0], lon=nearby[1])]))
                )  # fmt: skip
            if opp.start is not None:
                week = timedelta(days=7)
                nxt = opp.end + week if opp.end else None
                pairs.append(
                    _pair("look-alike", "distinct", "the next week's session", opp,
                          _relay(opp, "week", start=opp.start + week, end=nxt))
                )  # fmt: skip
            pairs.append(
                _pair("look-alike", "distinct", "another team of the same mission", opp,
                      _relay(opp, "team", title=f"{opp.title} - équipe 2"))
            )  # fmt: skip
    return pairs


def build() -> list[dict[str, Any]]:
    by_partner = records()
    return found_pairs(by_partner) + derived_pairs(by_partner)


def main() -> int:
    pairs = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(pairs, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n")
    labels = {label: sum(1 for p in pairs if p["label"] == label) for label in ("copy", "distinct")}
    print(
        f"{len(pairs)} pairs ({labels['copy']} copies, {labels['distinct']} distinct) "
        f"-> {OUT.relative_to(REPO)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
