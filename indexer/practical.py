"""The practical filters (issue 13) as both backends index, filter and count them.

``SearchQuery.filters`` names (declared in search_app.filters) -> the record attribute, the values a
facet counts, and, for the multi-valued ``time_of_week``, the bit of each value (the embedded
backend keeps one integer mask per document; Elasticsearch a keyword array). Each practical facet
counts every filter but its own, like causes and regions. Unknown (None) never matches a filter.
"""

from __future__ import annotations

# filter name -> attribute of Opportunity / SearchDocument
FIELDS = {
    "minors": "open_to_minors",
    "accessible": "accessible",
    "recurrence": "recurrence",
    "time_of_week": "time_of_week",
    "skills_based": "skills_based",
    "groups": "groups",
    "family": "family_friendly",
    "commitment": "commitment",  # the level of commitment_hours_per_week (core.practical.commitment_level)
}
# filter name -> the values its facet counts ("true" for a yes/no fact: "false" is not offered)
FACET_VALUES: dict[str, tuple[str, ...]] = {
    "minors": ("true",),
    "accessible": ("true",),
    "recurrence": ("one-off", "recurring"),
    "time_of_week": ("weekdays", "evenings", "weekends"),
    "skills_based": ("true",),
    "groups": ("true",),
    "family": ("true",),
    "commitment": ("light", "regular", "intensive"),
}
TIME_BITS = {"weekdays": 1, "evenings": 2, "weekends": 4}


def time_mask(values: list[str] | tuple[str, ...]) -> int:
    return sum(TIME_BITS.get(v, 0) for v in set(values))
