"""The search backend interface shared by the embedded (SQLite FTS5) and Elasticsearch backends.

Views, the CLI and the API only ever talk to a ``SearchBackend``; neither builds engine
queries itself. Both backends must answer a ``SearchQuery`` with the same result set (the
conformance suite in tests/test_conformance.py runs on both).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.understanding import QueryPlan

SORTS = ("relevance", "soonest", "newest", "nearest")

FieldValue = str | bool | tuple[str, ...]  # a tuple: any of these values (a multi-valued field)


class UnknownFilter(ValueError):
    """A ``SearchQuery.filters`` name the backend has no translation for (a programming error)."""


@dataclass
class SearchQuery:
    text: str = ""
    causes: list[str] = field(default_factory=list)  # OR within the facet
    regions: list[str] = field(default_factory=list)  # region slugs, OR within the facet
    near: tuple[float, float] | None = None  # (lat, lon)
    radius_km: float | None = None
    date_from: datetime | None = None  # "available between" window (overlap)
    date_to: datetime | None = None
    # Equality filters on one indexed field each, keyed by the search filter's name (declared in
    # search_app.filters): "remote" (bool), "partner" (id), "organization" (org slug)... Absent: any.
    # Each backend translates the names it knows and raises UnknownFilter on any other.
    filters: dict[str, FieldValue] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    lang: str = "fr"  # language of facet labels, and of the listings ranked first on equal scores
    exact: bool = False  # the words typed only: no vocabulary, no causes (spelling is still corrected)
    now: datetime | None = None  # query-time expiry cut-off; defaults to the current time
    # False: the caller needs no facet counts (SearchResult.facets may then be empty), so a backend
    # may skip counting them (Elasticsearch does: the aggregations are most of a search's cost).
    facets: bool = True

    def effective_now(self) -> datetime:
        return self.now or datetime.now(UTC)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class Hit:
    opportunity: Opportunity
    score: float | None = None
    distance_km: float | None = None  # to the nearest location, when the query has ``near``


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]  # "cause" and "region"
    # How the text was understood (None without text); see volunteer_hub.core.understanding.
    plan: QueryPlan | None = None
    # The query returned nothing, so its misspelled words were corrected and these results are for
    # ``corrected``; ``suggestion`` is a correction that found nothing either (shown, not applied).
    corrected_from: str | None = None
    corrected: str | None = None
    suggestion: str | None = None


@dataclass
class WriteReport:
    """Outcome of a bulk write: every document is either written or reported with a reason."""

    written: int = 0
    skipped_unchanged: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # id -> reason
    reused_analysis: int = 0  # documents whose text analysis came from the live generation

    @property
    def ok(self) -> bool:
        return not self.failed


class SearchBackendError(RuntimeError):
    """The backend is unreachable or refused the request."""


class RebuildError(SearchBackendError):
    """A rebuild was abandoned before the swap; the live generation is untouched."""


class RebuildInProgress(RebuildError):
    """Another rebuild holds the lock."""


class SearchBackend(Protocol):
    name: str

    def ensure_ready(self) -> None:
        """Create the index (and alias) when missing. Idempotent."""

    def upsert(self, opportunities: Iterable[Opportunity]) -> WriteReport:
        """Insert or replace documents keyed by ``Opportunity.id``; searchable when it returns."""

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents; returns how many existed."""

    def get(self, opportunity_id: str) -> Opportunity | None: ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def count(self) -> int: ...

    def stats(self) -> dict: ...

    def health(self) -> tuple[bool, str]:
        """(healthy, human-readable detail)."""

    def delete_expired(self, now: datetime) -> int:
        """Remove documents whose expiry is at or before ``now``; returns how many."""

    def export(self) -> Iterator[Opportunity]:
        """Every indexed record, with the content hash it was indexed with."""


class GenerationalBackend(SearchBackend, Protocol):
    """What ``indexer.rebuild`` needs: build a generation aside, then switch to it atomically."""

    def current_generation(self) -> str | None: ...

    def generations(self) -> list[str]: ...

    def begin_generation(self) -> str:
        """Create an empty generation, tuned for bulk loading; returns its name."""

    def load_generation(self, generation: str, opportunities: Iterable[Opportunity]) -> WriteReport: ...

    def seal_generation(self, generation: str) -> int:
        """Make a loaded generation ready to serve (refresh, replicas...); returns its document count."""

    def activate_generation(self, generation: str, keep_previous: int = 1) -> list[str]:
        """Atomically serve ``generation``; delete older ones but ``keep_previous``; returns deleted names."""

    def drop_generation(self, generation: str) -> None: ...

    def rollback(self) -> str:
        """Serve the previous generation again; returns its name."""

    def rebuild_lock(self) -> AbstractContextManager[None]:
        """Held for a whole rebuild; raises ``RebuildInProgress`` when another one holds it."""
