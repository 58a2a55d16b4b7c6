"""The Elasticsearch mapping, next to the code that builds documents (indexer.documents).

No dynamic fields: a document with an unknown field is rejected, not silently mapped.
Text fields hold terms already analyzed in Python (volunteer_hub.core.analysis), so the core
``whitespace`` analyzer is all the node needs: the same on the minimal CI distribution and
on a full one. Changing this mapping means ``volunteer-hub index rebuild``.
"""

from __future__ import annotations

from typing import Any

# 2: the practical facts (indexer.practical) and quality; 3: commitment (each needs `index rebuild`)
MAPPING_VERSION = 3

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"mapping_version": MAPPING_VERSION},
    "properties": {
        "id": {"type": "keyword"},
        "partner": {"type": "keyword"},
        "organization": {"type": "keyword"},
        "org_slug": {"type": "keyword"},
        "language": {"type": "keyword"},
        "remote": {"type": "boolean"},
        "title_terms": {"type": "text", "analyzer": "whitespace"},
        "body_terms": {"type": "text", "analyzer": "whitespace"},
        "causes": {"type": "keyword"},
        "region_slugs": {"type": "keyword"},
        "countries": {"type": "keyword"},
        "points": {"type": "geo_point"},
        "avail_start": {"type": "date"},
        "avail_end": {"type": "date"},
        "expiry": {"type": "date"},
        "sort_start": {"type": "date"},
        "posted": {"type": "date"},
        "open_to_minors": {"type": "boolean"},
        "accessible": {"type": "boolean"},
        "recurrence": {"type": "keyword"},
        "time_of_week": {"type": "keyword"},
        "skills_based": {"type": "boolean"},
        "groups": {"type": "boolean"},
        "family_friendly": {"type": "boolean"},
        "commitment": {"type": "keyword"},  # light / regular / intensive
        "quality": {"type": "integer"},  # indexer.documents.quality_score
        "indexed_at": {"type": "date"},
        "content_hash": {"type": "keyword", "index": False},
        # The full normalized record, returned as-is; not indexed.
        "opportunity": {"type": "object", "enabled": False},
    },
}


def index_settings(shards: int, replicas: int) -> dict[str, Any]:
    return {"number_of_shards": shards, "number_of_replicas": replicas}
