"""The same opportunity published by two partners: a blocking key, a comparison, and clusters.

Partners often republish each other's missions (a volunteer centre relays an association's
offer). Two records are the same opportunity when they come from *different partners*, name
the same organization, start the same day (or are both undated), happen at the same place, and
their titles are near-identical once the place words are set aside: the title terms, analyzed
like search terms so "Tri des dons" and "tri de don" meet, overlap by ``TITLE_SIMILARITY``.

Same place, location by location (``places_agree``): two postcodes must be equal (neighbouring
arrondissements have centroids under a kilometre apart, so points never overrule two postcodes);
a postcode and a bare point agree when the point lies within ``MAX_KM`` of that location's
point: the one its partner published, else the postcode's centroid (the gazetteer's, which the
normalizer gives a location that has only a postcode); two bare points within ``MAX_KM``; two
bare city names when equal; remote records with remote records. Place words are the records'
own city, region and postcode words and the arrondissement their postcode names ("Lyon 6e" for
69006): "Tri des dons (Lyon 6e)" and "Tri des dons" are the same title at 69006, but "(Lyon 3e)"
is not a place word there, and a term with a digit in one title only ("équipe 2", "3e") always
tells two missions apart.

The start day is part of the identity on purpose: a partner that lists each Saturday's food
drive as its own item publishes several opportunities, not copies of one. Records from the
same partner are never merged either; within one feed the id already decides.

``group_key`` is the blocking key (organization, start day) stored with each record; only
records sharing it are compared. ``cluster`` picks, in each block, the copies of one
opportunity and which of them is shown (the canonical one: first seen, then smallest id).
Measured on a labelled set of pairs: ``python -m bench.copies_quality`` (docs/data-quality.md).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from volunteer_hub.core.analysis import analyze
from volunteer_hub.core.gazetteer import default_gazetteer, distance_km
from volunteer_hub.core.opportunity import Location, Opportunity
from volunteer_hub.core.textfold import fold

TITLE_SIMILARITY = 0.8
MAX_KM = 1.0  # a published point and a postcode's centroid, or two published points
# Stored keys start with KEY_VERSION, so keys computed by an older rule are recomputed
# (``volunteer_hub.store.grouping.backfill_group_keys``); VAGUE_KEY marks a record never matched.
KEY_VERSION = "k"
VAGUE_KEY = KEY_VERSION
# Postcodes of the cities divided in arrondissements: Paris 75001-75020 (75116), Lyon 69001-69009,
# Marseille 13001-13016.
_ARRONDISSEMENT = re.compile(r"^(?:75(?:0(\d\d)|1(16))|6900(\d)|130(\d\d))$")


@dataclass(frozen=True)
class Spot:
    """One location as evidence of place: its postcode, its city's key, its point."""

    postal_code: str | None = None
    city: str | None = None
    point: tuple[float, float] | None = None
    country: str | None = None


@dataclass(frozen=True)
class Places:
    """Where a record happens, for comparison, with the words that name it."""

    spots: tuple[Spot, ...] = ()
    remote: bool = False
    words: frozenset[str] = field(default=frozenset())

    @property
    def known(self) -> bool:
        return bool(self.spots) or self.remote


def title_terms(title: str) -> frozenset[str]:
    # Numbers are kept: "Maraude 1" and "Maraude 2" are two teams, not one mission.
    return frozenset(analyze(title))


def _organization(opp: Opportunity) -> str:
    return " ".join(fold(opp.organization.name or "").replace("-", " ").split())


def _spot(loc: Location) -> Spot | None:
    postal_code = (loc.postal_code or "").replace(" ", "").upper() or None
    city = " ".join(fold(loc.city or "").replace("-", " ").split()) or None
    point = (loc.lat, loc.lon) if loc.has_point else None
    if not (postal_code or city or point):
        return None
    return Spot(postal_code, city, point, (loc.country or "").upper() or None)


def arrondissement_words(postal_code: str) -> set[str]:
    """ "6e", "6eme", "6" for 69006 (Lyon 6e); "1er" for 75001; nothing for other postcodes."""
    m = _ARRONDISSEMENT.match(postal_code)
    if not m:
        return set()
    n = int(next(g for g in m.groups() if g))
    return {str(n), f"{n}e", f"{n}eme", *(("1er", "1re") if n == 1 else ())}


def places_of(opp: Opportunity) -> Places:
    return places_from(opp.locations, bool(opp.remote))


def places_from(locations: Iterable[Location], remote: bool) -> Places:
    locations = list(locations)
    spots = tuple(spot for spot in map(_spot, locations) if spot is not None)
    words: set[str] = set()
    for loc in locations:
        words.update(analyze(" ".join(filter(None, (loc.city, loc.region, loc.postal_code)))))
        if loc.postal_code:
            words.update(arrondissement_words(loc.postal_code.replace(" ", "")))
    return Places(spots, remote, frozenset(words))


@lru_cache(maxsize=65536)
def postcode_centroid(postal_code: str, country: str | None) -> tuple[float, float] | None:
    """The gazetteer's point for a postcode (a French postcode's commune or arrondissement, a US
    ZIP's centroid), or None when it does not know it."""
    place = default_gazetteer().geocode(postal_code=postal_code, country=country)
    return (place.lat, place.lon) if place is not None else None


def _near(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return distance_km(a[0], a[1], b[0], b[1]) <= MAX_KM


def same_spot(a: Spot, b: Spot) -> bool:
    """Two locations name the same place (see the module's docstring for the rules)."""
    if a.postal_code and b.postal_code:
        return a.postal_code == b.postal_code and (not a.country or not b.country or a.country == b.country)
    if a.postal_code or b.postal_code:
        coded, bare = (a, b) if a.postal_code else (b, a)
        if bare.point is None:
            return False  # a postcode and a bare city name: too loose to merge on
        # The coded location's own point: the one its partner published, else (the normalizer
        # geocodes a postcode) the postcode's centroid; a published point is the better evidence.
        anchor = coded.point or postcode_centroid(coded.postal_code or "", coded.country)
        return anchor is not None and _near(anchor, bare.point)
    if a.point and b.point:
        return _near(a.point, b.point)
    return bool(a.city) and a.city == b.city


def places_agree(a: Places, b: Places) -> bool:
    """The same place: a location of one is a location of the other, or both are remote only."""
    if not a.spots and not b.spots:
        return a.remote == b.remote
    return any(same_spot(x, y) for x in a.spots for y in b.spots)


def _start_day(opp: Opportunity) -> str:
    return opp.start.date().isoformat() if opp.start else ""


def group_key(opp: Opportunity) -> str | None:
    """Blocking key shared by the copies of one opportunity (organization, start day); None when the
    record is too vague (no organization name, or no place and not remote) to be matched safely."""
    organization = _organization(opp)
    if not organization or not places_of(opp).known:
        return None
    parts = "\x1f".join((organization, _start_day(opp)))
    return KEY_VERSION + hashlib.sha1(parts.encode()).hexdigest()[:19]


def similar_titles(a: frozenset[str], b: frozenset[str], place_words: frozenset[str] = frozenset()) -> bool:
    """Jaccard overlap of two titles' terms, place words set aside, reaches ``TITLE_SIMILARITY``."""
    a, b = (a - place_words) or a, (b - place_words) or b
    if not a or not b:
        return False
    if any(any(c.isdigit() for c in term) for term in a ^ b):
        return False  # "équipe 2", "(Lyon 7e)" in one title only: another team, another place
    return len(a & b) / len(a | b) >= TITLE_SIMILARITY


def matches(a_terms: frozenset[str], a_places: Places, b_terms: frozenset[str], b_places: Places) -> bool:
    """Same place and near-identical titles once the words naming either's place are set aside."""
    return places_agree(a_places, b_places) and similar_titles(
        a_terms, b_terms, a_places.words | b_places.words
    )


def same_opportunity(a: Opportunity, b: Opportunity) -> bool:
    """Different partners, same blocking key, same place, near-identical titles (or literally the
    same record)."""
    if a.partner == b.partner:
        return a.source_id == b.source_id
    key = group_key(a)
    if key is None or key != group_key(b):
        return False
    return matches(title_terms(a.title), places_of(a), title_terms(b.title), places_of(b))


@dataclass(frozen=True)
class Member:
    """What clustering needs to know of one stored record of a block."""

    id: str
    partner: str
    first_seen: datetime
    terms: frozenset[str]
    places: Places = Places()


def cluster(members: Iterable[Member]) -> dict[str, str]:
    """Map each member of one block to its canonical id (itself when it is shown).

    Leader clustering in (first_seen, id) order, so the answer is deterministic and the shown
    copy stays the same from one crawl to the next: a member joins the first earlier cluster
    whose leader is at the same place with a near-identical title and which holds no record of the
    member's partner.
    """
    leaders: list[tuple[Member, set[str]]] = []  # leader, partners in its cluster
    by_term: dict[str, list[int]] = defaultdict(list)  # a title term -> the leaders (indexes) using it
    canonical: dict[str, str] = {}
    for member in sorted(members, key=lambda m: (m.first_seen, m.id)):
        # A block is one organization's day, possibly thousands of records: only leaders sharing a
        # title term can be near-identical, so only those are compared, earliest first.
        candidates = sorted({i for term in member.terms for i in by_term.get(term, ())})
        for index in candidates:
            leader, partners = leaders[index]
            if member.partner not in partners and matches(
                leader.terms, leader.places, member.terms, member.places
            ):
                canonical[member.id] = leader.id
                partners.add(member.partner)
                break
        else:
            for term in member.terms:
                by_term[term].append(len(leaders))
            leaders.append((member, {member.partner}))
            canonical[member.id] = member.id
    return canonical
