"""Data quality on real feeds: are places, dates and expiry right, not merely present?

    python -m bench.data_quality [FEED_PATH_OR_URL ...]

Reads every shared fixture (``../shared/fixtures`` beside the checkout, or ``/work/shared``)
and every feed given, parses and normalizes it exactly as ``validate`` does, and prints one
Markdown table row per feed:

- items, accepted, rejected (by reason);
- locations, and those with a point;
- points inside their stated country / inside their stated US state. "Stated" is read from
  the raw record, not from what the normalizer made of it: the location's own country, else
  "US" when its region is a US state code or name. The point's country and state come from
  offline data, independently of the code under test: the nearest US ZIP centroid (package
  ``zipcodes``) when it is nearer than the nearest non-US city, else the nearest GeoNames city.
  ZIP centroids are sparse near state lines (Lewiston, ID is 4.5 km from a Washington centroid
  and 13 km from its own), so a point also counts as inside its stated state when a centroid of
  that state lies within ``BORDER_KM`` of the nearest centroid's distance;
- publisher coordinates kept: of the locations whose feed gave a usable point, those whose
  point is still (within 10 m) the one the feed gave;
- items that expire (``Opportunity.expiry()`` is set) and items already expired on arrival
  (expiry before now).

No network access except for a feed URL given on the command line.
"""

from __future__ import annotations

import argparse
import inspect
import math
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawlers.formats import parse_feed
from crawlers.formats.base import FeedError, ParseProblem, RawLocation, RawOpportunity
from crawlers.normalize import NormalizeContext, gazetteer, normalize
from volunteer_hub.core.gazetteer import distance_km, name_key

US_TERRITORIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})
# GeoNames files overseas départements as countries; a feed rightly states "FR" for them.
FRENCH_OVERSEAS = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"})
KEPT_KM = 0.01
BORDER_KM = 10.0


def read_feed(source: str) -> bytes:
    """A local file, or a URL through ``validate``'s guarded reader (whichever signature it has)."""
    path = Path(source)
    if path.is_file():
        return path.read_bytes()
    from crawlers import validate

    if "settings" in inspect.signature(validate.read_source).parameters:
        from volunteer_hub.core.config import load_settings

        return validate.read_source(source, load_settings())
    return validate.read_source(source)


def shared_fixture_dirs() -> list[Path]:
    repo = Path(__file__).resolve().parent.parent
    found: list[Path] = []
    for base in (repo.parent / "shared", Path("/work/shared")):
        fixtures = base / "fixtures"
        if fixtures.is_dir() and fixtures.resolve() not in [f.resolve() for f in found]:
            found.append(fixtures)
    return found


def shared_fixtures() -> list[Path]:
    return sorted(
        p
        for d in shared_fixture_dirs()
        for p in d.rglob("*")
        if p.is_file() and p.suffix.lower() not in (".md", ".txt")
    )


@dataclass
class FeedQuality:
    name: str
    format: str = "?"
    items: int = 0
    accepted: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    locations: int = 0
    with_point: int = 0
    stated_country: int = 0  # points whose location states a country
    in_country: int = 0
    stated_state: int = 0  # points whose location states a US state
    in_state: int = 0
    publisher_points: int = 0
    publisher_kept: int = 0
    expiring: int = 0
    expired_on_arrival: int = 0
    error: str | None = None
    misplaced: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by_reason.values())


class PointPlacer:
    """Which country (and US state) a point lies in, from offline data only."""

    def __init__(self) -> None:
        import zipcodes

        self.zip_cells: dict[tuple[int, int], list[tuple[float, float, str]]] = defaultdict(list)
        self.state_cells: dict[str, dict[tuple[int, int], list[tuple[float, float, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for z in zipcodes.list_all():
            try:
                lat, lon = float(z["lat"]), float(z["long"])
            except (TypeError, ValueError):
                continue
            cell = (math.floor(lat), math.floor(lon))
            self.zip_cells[cell].append((lat, lon, z["state"]))
            self.state_cells[z["state"]][cell].append((lat, lon, z["state"]))
        world = gazetteer()._world()  # noqa: SLF001 - read-only use of the city list
        self.city_cells: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for city in world.cities:
            if city.country not in US_TERRITORIES:
                self.city_cells[(math.floor(city.lat), math.floor(city.lon))].append(city)

    @staticmethod
    def _nearest(cells: dict, lat: float, lon: float, coords) -> tuple[Any, float]:  # noqa: ANN001
        best, best_km = None, float("inf")
        for ring in range(0, 4):
            for dlat in range(-ring, ring + 1):
                for dlon in range(-ring, ring + 1):
                    if max(abs(dlat), abs(dlon)) != ring:
                        continue
                    for entry in cells.get((math.floor(lat) + dlat, math.floor(lon) + dlon), ()):
                        km = distance_km(lat, lon, *coords(entry))
                        if km < best_km:
                            best, best_km = entry, km
            if best is not None and best_km < ring * 80:
                break
        return best, best_km

    def place(self, lat: float, lon: float, state: str | None = None) -> tuple[str | None, str | None]:
        """(country, US state or None) of the point; ``state`` when it lies within the border margin."""
        zip_entry, zip_km = self._nearest(self.zip_cells, lat, lon, lambda z: (z[0], z[1]))
        city, city_km = self._nearest(self.city_cells, lat, lon, lambda c: (c.lat, c.lon))
        if zip_entry is not None and zip_km <= city_km:
            if state and zip_entry[2] != state and state in self.state_cells:
                _, own_km = self._nearest(self.state_cells[state], lat, lon, lambda z: (z[0], z[1]))
                if own_km <= zip_km + BORDER_KM:
                    return "US", state
            return "US", zip_entry[2]
        if city is not None:
            return city.country, None
        return None, None


_US_STATES: dict[str, str] | None = None


def us_state(region: str | None) -> str | None:
    """A US state code from a code or a name ("Illinois" -> "IL"), else None."""
    global _US_STATES
    if _US_STATES is None:
        states = gazetteer()._world().us_states  # noqa: SLF001
        _US_STATES = {name_key(n): c for c, n in states.items()} | {c.lower(): c for c in states}
        _US_STATES["dc"] = "DC"
        _US_STATES["district of columbia"] = "DC"
    return _US_STATES.get(name_key(region or ""))


def stated(raw: RawLocation) -> tuple[str | None, str | None]:
    """The country and US state the raw location itself states (no inference beyond the state)."""
    country = gazetteer().country_code(raw.country) if raw.country and raw.country.strip() else None
    state = us_state(raw.region)
    if country is None and state:
        country = "US"
    return country, (state if country == "US" else None)


def _point(raw: RawLocation) -> tuple[float, float] | None:
    try:
        lat, lon = float(str(raw.lat).replace(",", ".")), float(str(raw.lon).replace(",", "."))
    except (TypeError, ValueError):
        return None
    if (lat, lon) == (0.0, 0.0) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _kept_raw(raw: RawLocation) -> bool:
    return any((raw.name, raw.street, raw.city, raw.postal_code, raw.region, _point(raw)))


def measure(name: str, data: bytes, placer: PointPlacer, now: datetime) -> FeedQuality:
    quality = FeedQuality(name)
    ctx = NormalizeContext(partner="bench", now=now)
    try:
        quality.format, stream = parse_feed(data)
        seen: set[str] = set()
        for entry in stream:
            if isinstance(entry, ParseProblem):
                if entry.severity == "error":
                    quality.rejected_by_reason[f"{entry.field or 'feed'}"] += 1
                continue
            quality.items += 1
            key = entry.source_id or entry.url
            if key and key in seen:
                quality.rejected_by_reason["id (duplicate)"] += 1
                continue
            if key:
                seen.add(key)
            opp, problems = normalize(entry, ctx)
            if opp is None:
                reasons = sorted({p.field or "item" for p in problems if p.severity == "error"})
                quality.rejected_by_reason[",".join(reasons)] += 1
                continue
            quality.accepted += 1
            _measure_places(quality, entry, opp, placer)
            expiry = opp.expiry()
            if expiry is not None:
                quality.expiring += 1
                if expiry <= now:
                    quality.expired_on_arrival += 1
    except FeedError as exc:
        quality.error = str(exc)
    return quality


def _measure_places(quality: FeedQuality, raw: RawOpportunity, opp: Any, placer: PointPlacer) -> None:
    raws = [r for r in raw.locations if _kept_raw(r)]
    if len(raws) != len(opp.locations):
        raws = raws[: len(opp.locations)]
    for raw_loc, loc in zip(raws, opp.locations, strict=False):
        quality.locations += 1
        given = _point(raw_loc)
        if given is not None:
            quality.publisher_points += 1
            if loc.has_point and distance_km(given[0], given[1], loc.lat, loc.lon) <= KEPT_KM:
                quality.publisher_kept += 1
        if not loc.has_point:
            continue
        quality.with_point += 1
        country, state = stated(raw_loc)
        if country is None:
            continue
        where_country, where_state = placer.place(loc.lat, loc.lon, state)
        quality.stated_country += 1
        inside = (
            where_country == country
            or (country == "US" and where_country in US_TERRITORIES)
            or (country == "FR" and where_country in FRENCH_OVERSEAS)
        )
        quality.in_country += inside
        if state:
            quality.stated_state += 1
            quality.in_state += inside and where_state == state
        if not inside or (state and where_state != state):
            quality.misplaced.append(
                f"{opp.source_id}: {loc.label()}, {raw_loc.region or ''} {country} -> "
                f"{loc.lat:.3f},{loc.lon:.3f} in {where_state or ''} {where_country}"
            )


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "-"


COLUMNS = (
    "feed", "format", "items", "accepted", "rejected (by reason)", "locations", "with a point",
    "in stated country", "in stated US state", "publisher points kept", "expire", "expired on arrival",
)  # fmt: skip


def row(q: FeedQuality) -> list[str]:
    if q.error and not q.items:
        return [q.name, q.format, "unreadable: " + q.error[:60], *["-"] * (len(COLUMNS) - 3)]
    reasons = ", ".join(f"{k}: {v}" for k, v in sorted(q.rejected_by_reason.items())) or "-"
    return [
        q.name, q.format, str(q.items), str(q.accepted), f"{q.rejected} ({reasons})" if q.rejected else "0",
        str(q.locations), str(q.with_point), _pct(q.in_country, q.stated_country),
        _pct(q.in_state, q.stated_state), _pct(q.publisher_kept, q.publisher_points),
        str(q.expiring), str(q.expired_on_arrival),
    ]  # fmt: skip


def total(results: list[FeedQuality]) -> FeedQuality:
    t = FeedQuality("**total**", format="")
    for q in results:
        for name in ("items", "accepted", "locations", "with_point", "stated_country", "in_country",
                     "stated_state", "in_state", "publisher_points", "publisher_kept", "expiring",
                     "expired_on_arrival"):  # fmt: skip
            setattr(t, name, getattr(t, name) + getattr(q, name))
        t.rejected_by_reason.update(q.rejected_by_reason)
    return t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.data_quality", description=__doc__.split("\n")[0])
    parser.add_argument("feeds", nargs="*", help="feed files or URLs, besides the shared fixtures")
    parser.add_argument("--misplaced", action="store_true", help="list the points outside their stated place")
    args = parser.parse_args(argv)
    sources: list[tuple[str, Any]] = [(p.name, p) for p in shared_fixtures()]
    sources += [(f, f) for f in args.feeds]
    if not sources:
        print("no shared fixtures found and no feed given", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    placer = PointPlacer()
    results = []
    for label, source in sources:
        try:
            data = source.read_bytes() if isinstance(source, Path) else read_feed(source)
        except Exception as exc:  # noqa: BLE001 - reported in the table
            results.append(FeedQuality(label, error=str(exc)))
            continue
        results.append(measure(label, data, placer, now))
    print(f"Data quality, {now:%Y-%m-%d} (expiry relative to that day)\n")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for q in [*results, total(results)]:
        print("| " + " | ".join(row(q)) + " |")
    if args.misplaced:
        for q in results:
            for line in q.misplaced:
                print(f"{q.name}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
