"""The time zone a place lives in, offline: an event's local times are read in it.

From the most to the least precise: the zone of the point (``tzfpy``, time zone boundaries
shipped inside the package), of the US ZIP code, of the US state (its most common zone among
its ZIP codes), of the country when it has a single zone. ``None`` when the place does not say
(a multi-zone country with neither point nor ZIP code): the caller's default decides then.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from volunteer_hub.core.gazetteer import US_TERRITORIES, us_state_code, us_zip
from volunteer_hub.core.opportunity import Location

# Zones for "points" in open sea are Etc/GMT±N: true, but no event is held there; a feed's
# point in the sea is a wrong point, and its stated place says more.
_SEA_ZONE_PREFIX = "Etc/"


def zone_at(lat: float, lon: float) -> str | None:
    """The Olson zone at a point, or None at sea."""
    import tzfpy

    name = tzfpy.get_tz(lon, lat)
    return name if name and not name.startswith(_SEA_ZONE_PREFIX) else None


@lru_cache(maxsize=64)
def us_state_zone(state: str) -> str | None:
    """The zone most of a US state's ZIP codes are in ("IN" -> America/Indiana/Indianapolis)."""
    import zipcodes

    counts = Counter(z.get("timezone") for z in zipcodes.filter_by(state=state) if z.get("timezone"))
    return counts.most_common(1)[0][0] if counts else None


@lru_cache(maxsize=512)
def country_zone(country: str) -> str | None:
    """The zone of a country that has only one (France, Great Britain, India...), else None."""
    try:
        import pytz  # ships the ISO 3166 zone table; a dependency of dateparser
    except ImportError:
        return None
    zones = pytz.country_timezones.get(country.upper(), [])
    return zones[0] if len(zones) == 1 else None


def zone_of(location: Location) -> str | None:
    """The time zone of ``location``, from its point, ZIP code, US state or country."""
    if location.has_point:
        assert location.lat is not None and location.lon is not None
        found = zone_at(location.lat, location.lon)
        if found:
            return found
    country = (location.country or "").upper()
    if country in ("US", *US_TERRITORIES):
        zip_code = us_zip(location.postal_code)
        if zip_code is not None and zip_code.timezone:
            return zip_code.timezone
        state = us_state_code(location.region) or (country if country in US_TERRITORIES else None)
        if state:
            return us_state_zone(state)
    return country_zone(country) if country else None
