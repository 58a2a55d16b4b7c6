"""What a place typed in a search means: a region, a département, a city, a postal code or a point.

One reading for every surface (the site's "where", the API's ``near``, the CLI's ``--near``,
All for Good's ``vol_loc``), so that "Bretagne" is the same search everywhere:

- a French region ("Bretagne", "Brittany", "PACA"), a US state or a Canadian province spelled out
  ("California", "Ontario"), is a **region**: the search keeps what lies in it;
- a French département ("Finistère") is its communes' circle inside its region;
- a French commune, postal code or "lat,lon" is a **point** searched around;
- a place abroad is taken only when it is a big city (London, New York, Montréal, Genève...) or
  when the visitor asked for that country ("Springfield, IL", "Atlantis, ZA", or ``country``):
  a same-name village abroad is never the answer to a French search ("Atlantis" is not
  "Atlantis, ZA"). Anything else is an ``UnknownPlace``, with a close spelling when one exists.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from volunteer_hub.core.gazetteer import (
    CA_PROVINCES,
    OfflineGazetteer,
    default_gazetteer,
    name_key,
    us_state_code,
    us_state_name,
    us_zip,
)
from volunteer_hub.core.regions import DEPARTMENTS, REGIONS, find_region, region_for_department, region_label
from volunteer_hub.core.spelling import best_correction
from volunteer_hub.core.textfold import slugify

PlaceKind = Literal["region", "department", "city", "postal_code", "point"]

# Where a place named without a country is looked for first: France and its overseas territories.
HOME_COUNTRIES = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"})
# A city abroad this big is taken without its country: Genève (200,000) yes, Atlantis (83,000) no.
BIG_CITY_POPULATION = 100_000
# A US state or a Canadian province wins over a same-name city abroad smaller than this: "Ontario" is
# the province (Ontario, California: 175,000), "Washington" and "New York" are the cities.
STATE_NAMESAKE_POPULATION = 500_000
# A commune this big wins over a département of the same name ("Paris"; but "Aube" is the département).
DEPARTMENT_NAMESAKE_POPULATION = 20_000
# Candidates of a "did you mean": communes and cities big enough to be what a visitor meant.
_SUGGESTED_COMMUNE_POPULATION = 2_000

_LAT_LON = re.compile(r"^\s*([-+]?\d{1,2}(?:\.\d+)?)\s*[,;\s]\s*([-+]?\d{1,3}(?:\.\d+)?)\s*$")
_POSTAL_CODE = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class SearchPlace:
    """How a typed place was understood. ``regions``: the region slugs it stands for (a region, a
    département's region); ``lat``/``lon``: the point searched around (a département's centre);
    ``radius_km``: the radius that covers it (a département), else the caller's."""

    query: str
    kind: PlaceKind
    name: str
    label: str  # how a page names it: "Rennes", "Rennes (35000)", "London, GB", "Bretagne"
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    regions: tuple[str, ...] = ()
    radius_km: float | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)

    @property
    def is_region(self) -> bool:
        """A whole region: searched by region, without a point or a radius of its own choosing."""
        return self.kind == "region"


class UnknownPlace(ValueError):
    """A typed place that means nothing we can search: ``suggestion`` is a close spelling of a known
    place, ``abroad`` the label of a same-name small place abroad (taken only when asked for)."""

    def __init__(self, query: str, suggestion: str | None = None, abroad: str | None = None) -> None:
        super().__init__(query)
        self.query = query
        self.suggestion = suggestion
        self.abroad = abroad


def names_a_place(text: str) -> bool:
    """Whether ``text`` can name a place at all: a letter or a digit 0-9. The gazetteer's fuzzy
    lookup would otherwise match "," or "-" to some village (a hamlet in North Macedonia)."""
    return any(ch.isalpha() or ch in "0123456789" for ch in text)


def resolve_place(
    text: str, *, country: str | None = None, lang: str = "fr", gazetteer: OfflineGazetteer | None = None
) -> SearchPlace:
    """The place ``text`` names, looked for in France unless ``country`` (ISO code) or a "City, CC"
    suffix says where; ``UnknownPlace`` when it names nothing we know (see the module's rules)."""
    text = " ".join((text or "").split())
    if not text or not names_a_place(text):
        raise UnknownPlace(text)
    g = gazetteer or default_gazetteer()
    country = (country or "").upper() or None
    compact = text.replace(" ", "")
    if _POSTAL_CODE.match(compact):  # before lat/lon: "75 011" is Paris 11e, not a point in the Arctic
        return _postal_code(text, compact, country, g)
    point = _point(text)
    if point is not None:
        return point
    head, suffix_country = _split_country(text, g)
    asked = country or suffix_country
    area = _area(head, asked, lang, g)
    if area is not None:
        return area
    if asked is not None:  # a country asked for: any place there, whatever its size
        place = g.geocode(city=text if suffix_country else head, country=None if suffix_country else asked)
        if place is None:
            raise UnknownPlace(text, _suggestion(head, g))
        return _city(text, place.name, place.country, place.lat, place.lon)
    place = g.geocode(city=text)
    population = (place.population or 0) if place is not None else 0
    if place is not None and place.country not in HOME_COUNTRIES and population < STATE_NAMESAKE_POPULATION:
        foreign = _foreign_region(text, None, lang)
        if foreign is not None:
            return foreign
    if place is not None and (place.country in HOME_COUNTRIES or population >= BIG_CITY_POPULATION):
        label = place.name if place.country in HOME_COUNTRIES else f"{place.name}, {place.country}"
        if place.country in HOME_COUNTRIES and name_key(place.name) != name_key(text) and place.postal_code:
            label = f"{place.name} ({place.postal_code})"  # "Paris 11e" -> "Paris (75011)"
        return _city(text, place.name, place.country, place.lat, place.lon, label)
    foreign = _foreign_region(text, None, lang)
    if foreign is not None:
        return foreign
    abroad = f"{place.name}, {place.country}" if place is not None else None
    raise UnknownPlace(text, _suggestion(text, g), abroad)


# -- the kinds of place ----------------------------------------------------------------------
def _point(text: str) -> SearchPlace | None:
    m = _LAT_LON.match(text)
    if not m:
        return None
    lat, lon = float(m.group(1)), float(m.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise UnknownPlace(text)
    label = f"{lat:.4f}, {lon:.4f}"
    return SearchPlace(text, "point", label, label, None, lat, lon)


def _postal_code(text: str, code: str, country: str | None, g: OfflineGazetteer) -> SearchPlace:
    """A five-digit code: French unless ``country`` says US (a ZIP code)."""
    if country == "US":
        zip_code = us_zip(code)
        if zip_code is None:
            raise UnknownPlace(text)
        label = f"{zip_code.city}, {zip_code.state} {zip_code.code}"
        return SearchPlace(text, "postal_code", zip_code.city, label, "US", zip_code.lat, zip_code.lon)
    place = g.geocode(postal_code=code) if country in (None, *HOME_COUNTRIES) else None
    if place is None:
        raise UnknownPlace(text)
    label = f"{place.name} ({code})"
    return SearchPlace(text, "postal_code", place.name, label, place.country, place.lat, place.lon)


def _city(
    text: str, name: str, country: str, lat: float, lon: float, label: str | None = None
) -> SearchPlace:
    if label is None:
        label = name if country in HOME_COUNTRIES else f"{name}, {country}"
    return SearchPlace(text, "city", name, label, country, lat, lon)


def _area(text: str, country: str | None, lang: str, g: OfflineGazetteer) -> SearchPlace | None:
    """A region or a département named by ``text`` (in ``country`` when given), else None."""
    if country in (None, "FR"):
        region = find_region(text)
        if region is not None:
            label = region_label(region.slug, lang)
            return SearchPlace(text, "region", label, label, "FR", regions=(region.slug,))
        department = _department(text)
        if department is not None:
            namesake = g.geocode(city=text, country="FR")
            big = namesake is not None and (namesake.population or 0) >= DEPARTMENT_NAMESAKE_POPULATION
            if not big:
                return _department_place(text, department, g)
    if country is not None:
        return _foreign_region(text, country, lang)
    return None


def _department(text: str) -> str | None:
    key = slugify(text)
    return next((code for code, d in DEPARTMENTS.items() if slugify(d.name) == key), None) if key else None


def _department_place(text: str, code: str, g: OfflineGazetteer) -> SearchPlace | None:
    area = g.department_area(code)
    region = region_for_department(code)
    if area is None or region is None:
        return None
    lat, lon, radius = area
    name = DEPARTMENTS[code].name
    return SearchPlace(
        text, "department", name, f"{name} ({code})", "FR", lat, lon, (region.slug,), round(radius + 1.0, 1)
    )


def _foreign_region(text: str, country: str | None, lang: str) -> SearchPlace | None:
    """A US state or a Canadian province, by its name (or its code when the country is given).

    Listings name them either way ("California", "CA"), so both slugs are searched."""
    key = name_key(text)
    if country in (None, "US"):
        code = us_state_code(text)
        if code is not None and (country == "US" or len(key) > 2):
            name = us_state_name(code) or code
            return SearchPlace(text, "region", name, name, "US", regions=(slugify(name), code.lower()))
    if country in (None, "CA"):
        code = next((c for c, n in CA_PROVINCES.items() if name_key(n) == key), None)
        if code is None and country == "CA" and key.upper() in CA_PROVINCES:
            code = key.upper()
        if code is None and key == "quebec" and country == "CA":
            code = "QC"
        if code is not None:
            name = CA_PROVINCES[code]
            return SearchPlace(text, "region", name, name, "CA", regions=(slugify(name), code.lower()))
    return None


def _split_country(text: str, g: OfflineGazetteer) -> tuple[str, str | None]:
    """A "City, CC" form: "Springfield, IL" -> ("Springfield", "US"); else (text, None)."""
    if "," not in text:
        return text, None
    head, country, _state = g.split_suffix(text)
    return (head, country) if country else (text, None)


# -- start-up ------------------------------------------------------------------------------
_preload_started = threading.Event()


def preload() -> None:
    """Load the gazetteer's French and world indexes now, once per process (and its forks: a web
    server's parent calls this before forking its workers, which then share the data)."""
    if _preload_started.is_set():
        return
    _preload_started.set()
    _load()


def preload_in_background() -> None:
    """Load the gazetteer's French and world indexes in a daemon thread, once per process, so that
    the first visitor who types a place abroad (or a place we do not know) does not wait for them."""
    if _preload_started.is_set():
        return
    _preload_started.set()
    threading.Thread(target=_load, name="places-preload", daemon=True).start()


def _load() -> None:
    gazetteer = default_gazetteer()
    gazetteer.warm_up(world=True)
    _candidates(gazetteer)


# -- did you mean ----------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _candidates(g: OfflineGazetteer) -> tuple[dict[str, int], dict[str, str]]:
    """Name key -> population, and name key -> display name, of the places worth suggesting."""
    known = g.known_names(
        french_population=_SUGGESTED_COMMUNE_POPULATION, world_population=BIG_CITY_POPULATION
    )
    sizes = {key: population for key, (_name, population) in known.items()}
    names = {key: name for key, (name, _population) in known.items()}
    areas = [r.name_fr for r in REGIONS.values()] + [r.name_en for r in REGIONS.values()]
    areas += [d.name for d in DEPARTMENTS.values()]
    for area in areas:  # regions and départements first on a tie: the biggest "places"
        sizes[name_key(area)], names[name_key(area)] = 10**8, area
    return sizes, names


def _suggestion(text: str, g: OfflineGazetteer) -> str | None:
    key = name_key(text)
    if not key:
        return None
    sizes, names = _candidates(g)
    found = best_correction(key, sizes)
    return names[found] if found else None
