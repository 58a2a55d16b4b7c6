"""schema.org JSON-LD for opportunity pages.

schema.org has no volunteering type of its own; search engines read volunteer roles as a
``JobPosting`` with ``employmentType: VOLUNTEER`` (and no salary), which is what we emit.
Rendered with Jinja's ``tojson`` inside ``<script type="application/ld+json">``: a data block
the browser never executes (so ``script-src 'self'`` does not apply), and ``tojson`` escapes
``<``, ``>``, ``&`` and ``'`` so partner text cannot close the element.
"""

from __future__ import annotations

from typing import Any

from search_app.display import aware, http_url
from volunteer_hub.core.html import sanitize, to_text
from volunteer_hub.core.opportunity import Opportunity


def _iso(value: Any) -> str | None:
    value = aware(value)
    return value.isoformat() if value else None


def opportunity_json_ld(opp: Opportunity, url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "employmentType": "VOLUNTEER",
        "identifier": {"@type": "PropertyValue", "name": opp.partner, "value": opp.source_id},
        "title": opp.title,
        "description": to_text(sanitize(opp.description)) or opp.summary or opp.title,
        "url": url,
        "inLanguage": opp.language,
        "datePosted": _iso(opp.posted or opp.first_seen or opp.updated),
        "validThrough": _iso(opp.expiry()),
        "hiringOrganization": {"@type": "Organization", "name": opp.organization.name or opp.partner},
    }
    org_url = http_url(opp.organization.url)
    if org_url:
        data["hiringOrganization"]["sameAs"] = org_url
    if opp.start:
        data["jobStartDate"] = _iso(opp.start)
    if opp.skills:
        data["skills"] = ", ".join(opp.skills)
    if opp.causes:
        data["occupationalCategory"] = ", ".join(opp.causes)
    if opp.commitment_hours_per_week:
        data["workHours"] = f"{opp.commitment_hours_per_week:g} h/week"
    places = []
    for loc in opp.locations:
        address = {
            "@type": "PostalAddress",
            "streetAddress": loc.street,
            "addressLocality": loc.city,
            "postalCode": loc.postal_code,
            "addressRegion": loc.region,
            "addressCountry": loc.country,
        }
        place: dict[str, Any] = {"@type": "Place", "address": {k: v for k, v in address.items() if v}}
        if loc.name:
            place["name"] = loc.name
        if loc.lat is not None and loc.lon is not None:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": loc.lat, "longitude": loc.lon}
        places.append(place)
    if places:
        data["jobLocation"] = places
    if opp.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        countries = sorted({loc.country for loc in opp.locations if loc.country}) or ["FR"]
        data["applicantLocationRequirements"] = [{"@type": "Country", "name": c} for c in countries]
    return {k: v for k, v in data.items() if v is not None}
