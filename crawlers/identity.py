"""The same opportunity published by two partners: a grouping key, and a looser comparison.

Partners often republish each other's missions (a volunteer centre relays an association's
offer). Two records are the same opportunity when they come from the same organization, at
the same place (postal code, else city; or both remote), with near-identical titles. Search
can then show one result with both sources. ``group_key`` is exact on the normalized parts
(title terms analyzed like search terms, so "Tri des dons" and "tri de don" meet);
``same_opportunity`` also accepts titles whose terms overlap by ``TITLE_SIMILARITY``.
"""

from __future__ import annotations

import hashlib

from volunteer_hub.analysis import analyze
from volunteer_hub.opportunity import Opportunity
from volunteer_hub.textfold import fold

TITLE_SIMILARITY = 0.8


def _title_terms(opp: Opportunity) -> frozenset[str]:
    return frozenset(t for t in analyze(opp.title) if not t.isdigit())


def _organization(opp: Opportunity) -> str:
    return " ".join(fold(opp.organization.name or "").replace("-", " ").split())


def _places(opp: Opportunity) -> frozenset[str]:
    keys = {loc.postal_code or fold(loc.city or "") for loc in opp.locations if loc.postal_code or loc.city}
    if opp.remote:
        keys.add("remote")
    return frozenset(keys)


def group_key(opp: Opportunity) -> str | None:
    """Stable key shared by the copies of one opportunity; None when the record is too vague
    (no organization name, or no place and not remote) to be matched safely."""
    organization, places = _organization(opp), _places(opp)
    if not organization or not places:
        return None
    parts = "\x1f".join((organization, ",".join(sorted(places)), " ".join(sorted(_title_terms(opp)))))
    return hashlib.sha1(parts.encode()).hexdigest()[:20]


def same_opportunity(a: Opportunity, b: Opportunity) -> bool:
    """Same organization, a place in common, and titles whose terms overlap (Jaccard) enough."""
    if a.partner == b.partner and a.source_id == b.source_id:
        return True
    organization = _organization(a)
    if not organization or organization != _organization(b) or not (_places(a) & _places(b)):
        return False
    ta, tb = _title_terms(a), _title_terms(b)
    if not ta or not tb:
        return False
    return len(ta & tb) / len(ta | tb) >= TITLE_SIMILARITY
