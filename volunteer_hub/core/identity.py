"""The same opportunity published by two partners: a blocking key, a comparison, and clusters.

Partners often republish each other's missions (a volunteer centre relays an association's
offer). Two records are the same opportunity when they come from *different partners*, name
the same organization, the same place (postal code, else city; or both remote) and the same
start day (or both undated), and their titles are near-identical: the title terms, analyzed
like search terms so "Tri des dons" and "tri de don" meet, overlap by ``TITLE_SIMILARITY``.

The start day is part of the identity on purpose: a partner that lists each Saturday's food
drive as its own item publishes several opportunities, not copies of one. Records from the
same partner are never merged either; within one feed the id already decides.

``group_key`` is the blocking key (organization, places, start day) stored with each record;
only records sharing it are compared. ``cluster`` picks, in each block, the copies of one
opportunity and which of them is shown (the canonical one: first seen, then smallest id).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from volunteer_hub.core.analysis import analyze
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.textfold import fold

TITLE_SIMILARITY = 0.8


def title_terms(title: str) -> frozenset[str]:
    # Numbers are kept: "Maraude 1" and "Maraude 2" are two teams, not one mission.
    return frozenset(analyze(title))


def _organization(opp: Opportunity) -> str:
    return " ".join(fold(opp.organization.name or "").replace("-", " ").split())


def _places(opp: Opportunity) -> frozenset[str]:
    keys = {loc.postal_code or fold(loc.city or "") for loc in opp.locations if loc.postal_code or loc.city}
    if opp.remote:
        keys.add("remote")
    return frozenset(keys)


def _start_day(opp: Opportunity) -> str:
    return opp.start.date().isoformat() if opp.start else ""


def group_key(opp: Opportunity) -> str | None:
    """Blocking key shared by the copies of one opportunity; None when the record is too vague
    (no organization name, or no place and not remote) to be matched safely."""
    organization, places = _organization(opp), _places(opp)
    if not organization or not places:
        return None
    parts = "\x1f".join((organization, ",".join(sorted(places)), _start_day(opp)))
    return hashlib.sha1(parts.encode()).hexdigest()[:20]


def similar_titles(a: frozenset[str], b: frozenset[str]) -> bool:
    """Jaccard overlap of two titles' terms reaches ``TITLE_SIMILARITY``."""
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= TITLE_SIMILARITY


def same_opportunity(a: Opportunity, b: Opportunity) -> bool:
    """Different partners, same blocking key, near-identical titles (or literally the same record)."""
    if a.partner == b.partner:
        return a.source_id == b.source_id
    key = group_key(a)
    if key is None or key != group_key(b):
        return False
    return similar_titles(title_terms(a.title), title_terms(b.title))


@dataclass(frozen=True)
class Member:
    """What clustering needs to know of one stored record of a block."""

    id: str
    partner: str
    first_seen: datetime
    terms: frozenset[str]


def cluster(members: Iterable[Member]) -> dict[str, str]:
    """Map each member of one block to its canonical id (itself when it is shown).

    Leader clustering in (first_seen, id) order, so the answer is deterministic and the shown
    copy stays the same from one crawl to the next: a member joins the first earlier cluster
    whose leader's title is near-identical and which holds no record of the member's partner.
    """
    leaders: list[tuple[Member, set[str]]] = []  # leader, partners in its cluster
    canonical: dict[str, str] = {}
    for member in sorted(members, key=lambda m: (m.first_seen, m.id)):
        for leader, partners in leaders:
            if member.partner not in partners and similar_titles(leader.terms, member.terms):
                canonical[member.id] = leader.id
                partners.add(member.partner)
                break
        else:
            leaders.append((member, {member.partner}))
            canonical[member.id] = member.id
    return canonical
