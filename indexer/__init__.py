"""Search indexing: backends (embedded SQLite FTS5, Elasticsearch), mapping, sync, rebuild."""

from __future__ import annotations

from indexer.base import SearchBackend
from volunteer_hub.core.config import Settings


def open_backend(settings: Settings) -> SearchBackend:
    """The configured backend: Elasticsearch when VOLUNTEER_HUB_SEARCH is a URL, else embedded."""
    if settings.uses_elasticsearch:
        from indexer.es_backend import ElasticsearchBackend

        return ElasticsearchBackend(
            settings.search, alias=settings.es_index, shards=settings.es_shards, replicas=settings.es_replicas
        )
    from indexer.sqlite_backend import SqliteBackend

    return SqliteBackend(settings.sqlite_index_path)
