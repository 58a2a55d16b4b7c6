"""Is a feed's point where the feed says it is? Coordinates checked against the named place.

France: the bundled commune data is complete, so a point more than ``FAR_KM`` from the commune
named by the city/postal code is wrong; it is swapped back when it was (lon, lat), else
replaced by the commune's position.

Elsewhere the world gazetteer (GeoNames cities >= 500 inhabitants) is incomplete: a town it
does not know is not a wrong point. So a point is only corrected when the feed's own words
contradict it:

- the nearest known city to the point lies in another state/country than the one stated,
  *and* the gazetteer knows the named city in the stated region (then its position is used);
  a point in another country than stated is flagged;
- or the point is in the stated state/country but more than ``WORLD_FAR_KM`` from every city
  of the stated name that the gazetteer knows there, and one of them has at least
  ``WORLD_SURE_POPULATION`` inhabitants: with a single such namesake its position is used,
  with several the point is only flagged (we cannot tell which one is meant).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from volunteer_hub.core.gazetteer import OfflineGazetteer, distance_km, name_key, us_state_code, us_zip
from volunteer_hub.core.opportunity import Location

FAR_KM = 60.0
# Outside France a city's GeoNames point is its centre, and feeds often name the big city for
# an address in its suburbs ("Los Angeles" in Santa Clarita, ~45 km out; "Houston" in
# Galveston, ~70 km): US metro areas span 60-90 km, more than FAR_KM, so only a point beyond
# 100 km of every namesake is called wrong. On the usaservice.org sample this leaves wrong
# points at 76 km (Verona, NJ) and 89 km (Detroit) alone and corrects one at 140 km (Encinitas).
WORLD_FAR_KM = 100.0
# The gazetteer lacks many neighbourhoods and hamlets, which may share a name with a small town
# elsewhere in the same state: "Mission Hills, CA" in the usaservice.org sample is the Los
# Angeles neighbourhood (right point), but the only Mission Hills GeoNames knows in California
# is a village of 3,600 near Lompoc, 187 km away. Only a namesake of at least this size is
# taken to be the place the feed means.
WORLD_SURE_POPULATION = 10_000
# A point this far from the centroid of the ZIP code stated with it (and agreeing with the
# stated city and state) contradicts the address. ZIP codes are small in towns, but rural ones
# span tens of km: on the usaservice.org sample the right points lie within 60 km of their
# ZIP centroid, and the one beyond 100 km (Encinitas, 140 km) is wrong.
ZIP_FAR_KM = 100.0
US_TERRITORIES = frozenset({"PR", "GU", "VI", "AS", "MP", "UM"})
_FRENCH = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"})
# Region names feeds spell out, as GeoNames admin1 codes (US state names are added from the data).
_REGION_NAMES = {
    "GB": {"england": "ENG", "scotland": "SCT", "wales": "WLS", "northern ireland": "NIR"},
}

Problem = Callable[..., None]


class _PointIndex:
    """World cities on a 1-degree grid, for "which known city is nearest this point?"."""

    def __init__(self, cities: list[Any]) -> None:
        self.cells: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for city in cities:
            self.cells[(math.floor(city.lat), math.floor(city.lon))].append(city)

    def nearest(self, lat: float, lon: float) -> Any | None:
        best, best_km = None, float("inf")
        for dlat in (-1, 0, 1):
            for dlon in (-1, 0, 1):
                for city in self.cells.get((math.floor(lat) + dlat, math.floor(lon) + dlon), ()):
                    km = distance_km(lat, lon, city.lat, city.lon)
                    if km < best_km:
                        best, best_km = city, km
        return best


class PointChecker:
    def __init__(self, gazetteer: OfflineGazetteer) -> None:
        self.gazetteer = gazetteer
        self._index: _PointIndex | None = None

    def _world(self) -> Any | None:
        try:
            return self.gazetteer._world()  # noqa: SLF001 - read-only use of the city index
        except AttributeError:
            return None

    def _nearest_city(self, lat: float, lon: float) -> Any | None:
        world = self._world()
        if world is None:
            return None
        if self._index is None:
            self._index = _PointIndex(world.cities)
        return self._index.nearest(lat, lon)

    def _namesakes(self, city: str, country: str) -> list[Any]:
        world = self._world()
        if world is None:
            return []
        return [
            world.cities[i]
            for i in world.primary.get(name_key(city), [])
            if world.cities[i].country == country
        ]

    def check(self, loc: Location, problem: Problem) -> None:
        """Fix or flag ``loc``'s point in place (``loc.lat``/``loc.lon`` are set)."""
        if loc.lat is None or loc.lon is None or not (loc.city or loc.postal_code):
            return
        if (loc.country or "FR") in _FRENCH:
            self._check_french(loc, problem)
        elif loc.country in ("US", *US_TERRITORIES) and self._check_us_zip(loc, problem):
            return
        elif loc.country:
            self._check_world(loc, problem)

    def _check_us_zip(self, loc: Location, problem: Problem) -> bool:
        """Check a US point against its ZIP code's centroid; False when the ZIP code cannot tell
        (unknown, or another state's or town's than the stated ones: the city decides then)."""
        assert loc.lat is not None and loc.lon is not None
        zip_code = us_zip(loc.postal_code)
        state = us_state_code(loc.region)
        if zip_code is None or (state and zip_code.state != state):
            return False
        if loc.city and not zip_code.serves(loc.city):
            return False
        far = distance_km(loc.lat, loc.lon, zip_code.lat, zip_code.lon)
        if far <= ZIP_FAR_KM:
            return True
        # The address has precedence over the coordinates (FPXML 0.1, <latitude>): say so.
        problem(
            f"coordinates {loc.lat},{loc.lon} are {far:,.0f} km from ZIP code {zip_code.code} "
            f"({zip_code.city}, {zip_code.state}); the position of that ZIP code was used",
            "locations",
            "warning",
        )
        loc.lat, loc.lon = zip_code.lat, zip_code.lon
        return True

    def _check_french(self, loc: Location, problem: Problem) -> None:
        assert loc.lat is not None and loc.lon is not None
        place = self.gazetteer.geocode(city=loc.city, postal_code=loc.postal_code, country=loc.country)
        if place is None or place.country not in _FRENCH:
            return
        far = distance_km(loc.lat, loc.lon, place.lat, place.lon)
        if far <= FAR_KM:
            return
        if distance_km(loc.lon, loc.lat, place.lat, place.lon) <= FAR_KM:
            problem(
                f"coordinates {loc.lat},{loc.lon} were given as longitude,latitude; swapped",
                "locations",
                "warning",
            )
            loc.lat, loc.lon = loc.lon, loc.lat
            return
        problem(
            f"coordinates {loc.lat},{loc.lon} are {far:,.0f} km from {loc.label()}; "
            f"the position of {place.name} was used",
            "locations",
            "warning",
        )
        loc.lat, loc.lon = place.lat, place.lon

    def _region(self, loc: Location) -> str:
        """The stated state/region as a GeoNames admin1 code ("Illinois" -> "IL"); else upper-cased."""
        region = (loc.region or "").strip()
        names = dict(_REGION_NAMES.get(loc.country or "", {}))
        world = self._world()
        if loc.country == "US" and world is not None:
            names.update({name_key(name): code for code, name in world.us_states.items()})
        return names.get(name_key(region), region.upper())

    def _check_world(self, loc: Location, problem: Problem) -> None:
        assert loc.lat is not None and loc.lon is not None and loc.country
        if loc.city and self.gazetteer.geocode(city=loc.city, country=loc.country) is None:
            elsewhere = self.gazetteer.geocode(city=loc.city)
            territory = loc.country == "US" and elsewhere is not None and elsewhere.country in US_TERRITORIES
            if elsewhere is not None and elsewhere.country != loc.country and not territory:
                problem(
                    f"{loc.city!r} is not a place we know in {loc.country} "
                    f"(there is one in {elsewhere.country}); the country or the city is probably wrong",
                    "locations",
                    "warning",
                )
            return
        nearest = self._nearest_city(loc.lat, loc.lon)
        if nearest is None:
            return
        region = self._region(loc)
        same_country = nearest.country == loc.country or (
            loc.country == "US" and nearest.country in US_TERRITORIES
        )
        if same_country and (not region or nearest.admin1 == region):
            # The point lies in the stated region: is it near the named city?
            if nearest.country == loc.country:
                self._check_named_city(loc, region, problem)
            return
        candidates = self._namesakes(loc.city or "", loc.country)
        if region:
            candidates = [c for c in candidates if c.admin1 == region]
        if not candidates:
            if not same_country:
                problem(
                    f"coordinates {loc.lat},{loc.lon} lie in {nearest.country}, "
                    f"not in {loc.country} as stated",
                    "locations",
                    "warning",
                )
            return
        lat, lon = loc.lat, loc.lon
        best = min(candidates, key=lambda c: distance_km(lat, lon, c.lat, c.lon))
        far = distance_km(lat, lon, best.lat, best.lon)
        if far <= FAR_KM:
            return
        where = f"{nearest.admin1 or nearest.country}" if same_country else nearest.country
        problem(
            f"coordinates {lat},{lon} are in {where}, {far:,.0f} km from {loc.label()}"
            f"{', ' + region if region else ''}; the position of {best.name} was used",
            "locations",
            "warning",
        )
        loc.lat, loc.lon = best.lat, best.lon

    def _check_named_city(self, loc: Location, region: str, problem: Problem) -> None:
        """A point in the stated state/country but far from every known city of the stated name."""
        assert loc.lat is not None and loc.lon is not None and loc.country
        if not loc.city:
            return
        candidates = self._namesakes(loc.city, loc.country)
        if region:
            candidates = [c for c in candidates if c.admin1 == region]
        if not candidates or max(c.population for c in candidates) < WORLD_SURE_POPULATION:
            return  # unknown there, or only a small namesake: the feed may mean another place
        lat, lon = loc.lat, loc.lon
        best = min(candidates, key=lambda c: distance_km(lat, lon, c.lat, c.lon))
        far = distance_km(lat, lon, best.lat, best.lon)
        if far <= WORLD_FAR_KM:
            return
        where = f"{loc.label()}, {region or loc.country}"
        if len(candidates) > 1:
            problem(
                f"coordinates {lat},{lon} are {far:,.0f} km from every {loc.city} we know in "
                f"{region or loc.country}; they were kept, but the point or the city is probably wrong",
                "locations",
                "warning",
            )
            return
        problem(
            f"coordinates {lat},{lon} are {far:,.0f} km from {where}; the position of {best.name} was used",
            "locations",
            "warning",
        )
        loc.lat, loc.lon = best.lat, best.lon
