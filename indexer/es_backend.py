"""Elasticsearch backend (official client): explicit mapping, bulk upserts, an alias in front
of generation-named indices (``<alias>-<UTC timestamp>``) so rebuilds swap atomically.

Text arrives pre-analyzed (volunteer_hub.core.analysis) and is indexed with the core
``whitespace`` analyzer, so a minimal node and a full one give the same answers, and the same
answers as the embedded backend.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import ApiError, ConflictError, Elasticsearch, NotFoundError, TransportError, helpers

from indexer.base import (
    FacetValue,
    Hit,
    RebuildInProgress,
    SearchBackendError,
    SearchQuery,
    SearchResult,
    UnknownFilter,
    WriteReport,
)
from indexer.documents import build_document, iso
from indexer.mapping import MAPPING, index_settings
from volunteer_hub.core.analysis import analyze
from volunteer_hub.core.gazetteer import distance_km
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.regions import region_label
from volunteer_hub.core.taxonomy import cause_label

TITLE_BOOST = 5.0
FACET_SIZE = 200
BULK_CHUNK = 500
# One small shared index holds the rebuild locks of every alias (document id: the alias). Its
# name cannot be mistaken for a generation (``<alias>-<20 digits>``).
LOCK_INDEX = "volunteer-hub-locks"
LOCK_TTL = timedelta(hours=4)  # a crashed rebuild's lock is taken over after this
# SearchQuery.filters name -> the keyword or boolean field it matches (tests/test_conformance.py).
FILTER_FIELDS = {
    "remote": "remote",
    "partner": "partner",
    "organization": "org_slug",
    "language": "language",
}


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, url: str, alias: str = "volunteer-hub", shards: int = 1, replicas: int = 0) -> None:
        self.url = url
        self.alias = alias
        self.shards = shards
        self.replicas = replicas
        self.es = Elasticsearch(url, request_timeout=30, retry_on_timeout=True, max_retries=2)

    # -- index lifecycle --------------------------------------------------------------------
    def new_generation_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"

    def create_generation(self, name: str | None = None, *, bulk_loading: bool = False) -> str:
        name = name or self.new_generation_name()
        settings = index_settings(self.shards, 0 if bulk_loading else self.replicas)
        if bulk_loading:
            settings["refresh_interval"] = "-1"
        self._call(lambda: self.es.indices.create(index=name, settings=settings, mappings=MAPPING))
        return name

    def generations(self) -> list[str]:
        """This alias's generation indices, oldest first (only ``<alias>-<timestamp>`` names)."""
        found = self._call(lambda: self.es.indices.get(index=f"{self.alias}-*", allow_no_indices=True))
        pattern = re.compile(re.escape(self.alias) + r"-\d{20}")
        return sorted(name for name in found if pattern.fullmatch(name))

    def current_generation(self) -> str | None:
        try:
            found = self.es.indices.get_alias(name=self.alias)
        except ApiError as exc:
            if exc.meta.status == 404:
                return None
            raise SearchBackendError(f"Elasticsearch at {self.url}: {exc}") from exc
        except TransportError as exc:
            raise SearchBackendError(f"Elasticsearch at {self.url} is unreachable: {exc}") from exc
        return sorted(found.keys())[-1] if found else None

    def ensure_ready(self) -> None:
        if self.current_generation() is None:
            name = self.create_generation()
            self._call(lambda: self.es.indices.put_alias(index=name, name=self.alias))

    def swap_alias(self, new_index: str, keep_previous: int = 1) -> list[str]:
        """Point the alias at ``new_index`` in one atomic call; delete all but the previous generation."""
        old = self.current_generation()
        actions: list[dict[str, Any]] = [{"add": {"index": new_index, "alias": self.alias}}]
        if old:
            actions.insert(0, {"remove": {"index": old, "alias": self.alias}})
        self._call(lambda: self.es.indices.update_aliases(actions=actions))
        older = [g for g in self.generations() if g not in (new_index, old)]
        stale = older[: max(0, len(older) - (keep_previous - 1))] if old else older
        for name in stale:
            self._call(lambda n=name: self.es.indices.delete(index=n))
        return stale

    def finish_bulk_load(self, index: str) -> None:
        self._call(
            lambda: self.es.indices.put_settings(
                index=index, settings={"refresh_interval": "1s", "number_of_replicas": self.replicas}
            )
        )
        self._call(lambda: self.es.indices.refresh(index=index))

    # -- generations (indexer.rebuild) ------------------------------------------------------
    def begin_generation(self) -> str:
        """A new, empty generation with replicas 0 and refresh off, for bulk loading."""
        return self.create_generation(bulk_loading=True)

    def load_generation(self, generation: str, opportunities: Iterable[Opportunity]) -> WriteReport:
        return self.upsert(opportunities, index=generation)

    def seal_generation(self, generation: str) -> int:
        """Restore refresh and replicas, wait for the primaries (and, briefly, replicas); count."""
        self.finish_bulk_load(generation)
        health = self._call(
            lambda: self.es.cluster.health(index=generation, wait_for_status="yellow", timeout="60s")
        )
        if health.get("status") not in ("yellow", "green"):
            raise SearchBackendError(f"generation {generation} is {health.get('status')} after 60s")
        if self.replicas:
            # Replicas allocate in the background; on a cluster with enough nodes, give them a moment
            # so the swap does not halve search capacity. Not fatal: they keep allocating after it.
            with contextlib.suppress(ApiError, TransportError):
                self.es.cluster.health(index=generation, wait_for_status="green", timeout="30s")
        return self.count(index=generation)

    def activate_generation(self, generation: str, keep_previous: int = 1) -> list[str]:
        return self.swap_alias(generation, keep_previous=keep_previous)

    def drop_generation(self, generation: str) -> None:
        if generation == self.current_generation():
            raise SearchBackendError(f"refusing to delete the live generation {generation}")
        with contextlib.suppress(NotFoundError):
            self.es.indices.delete(index=generation)

    def previous_generation(self) -> str | None:
        current = self.current_generation()
        older = [g for g in self.generations() if current is None or g < current]
        return older[-1] if older else None

    def rollback(self) -> str:
        """Point the alias back at the previous generation (kept by the last rebuild)."""
        previous = self.previous_generation()
        if previous is None:
            raise SearchBackendError(f"no previous generation of {self.alias} to roll back to")
        current = self.current_generation()
        actions: list[dict[str, Any]] = [{"add": {"index": previous, "alias": self.alias}}]
        if current:
            actions.insert(0, {"remove": {"index": current, "alias": self.alias}})
        self._call(lambda: self.es.indices.update_aliases(actions=actions))
        return previous

    @contextlib.contextmanager
    def rebuild_lock(self) -> Iterator[None]:
        """A lease document in ``LOCK_INDEX`` (created with op_type=create, so only one holder,
        across hosts); a lease older than ``LOCK_TTL`` is taken over with a compare-and-set."""
        self._ensure_lock_index()
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        now = datetime.now(UTC)
        lease = {"owner": owner, "acquired_at": iso(now), "expires_at": iso(now + LOCK_TTL)}
        try:
            self.es.create(index=LOCK_INDEX, id=self.alias, document=lease, refresh=True)
        except ConflictError:
            held = self._call(lambda: self.es.get(index=LOCK_INDEX, id=self.alias))
            src = held["_source"]
            if src.get("expires_at", "") > iso(now):
                raise RebuildInProgress(
                    f"another rebuild of {self.alias} is running "
                    f"({src.get('owner')} since {src.get('acquired_at')})"
                ) from None
            try:
                self.es.index(
                    index=LOCK_INDEX, id=self.alias, document=lease, refresh=True,
                    if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"],
                )
            except ConflictError:
                raise RebuildInProgress(f"another rebuild of {self.alias} took the lock") from None
        except (ApiError, TransportError) as exc:
            raise SearchBackendError(f"Elasticsearch at {self.url}: no rebuild lock: {exc}") from exc
        try:
            yield
        finally:
            with contextlib.suppress(ApiError, TransportError):
                held = self.es.get(index=LOCK_INDEX, id=self.alias)
                if held["_source"].get("owner") == owner:
                    self.es.delete(
                        index=LOCK_INDEX, id=self.alias, refresh=True,
                        if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"],
                    )

    def _ensure_lock_index(self) -> None:
        try:
            self.es.indices.create(
                index=LOCK_INDEX,
                settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"},
                mappings={
                    "dynamic": "strict",
                    "properties": {
                        "owner": {"type": "keyword"},
                        "acquired_at": {"type": "date"},
                        "expires_at": {"type": "date"},
                    },
                },
            )
        except ApiError as exc:
            if "resource_already_exists" not in str(exc):
                raise SearchBackendError(f"cannot create {LOCK_INDEX} at {self.url}: {exc}") from exc
        except TransportError as exc:
            raise SearchBackendError(f"Elasticsearch at {self.url} is unreachable: {exc}") from exc

    def health(self) -> tuple[bool, str]:
        try:
            health = self.es.cluster.health(request_timeout=5)
        except (ApiError, TransportError) as exc:
            return False, f"Elasticsearch at {self.url} unreachable: {exc.__class__.__name__}"
        status = health.get("status")
        nodes = health.get("number_of_nodes")
        return status in ("green", "yellow"), f"Elasticsearch {status} ({nodes} nodes)"

    # -- writes -----------------------------------------------------------------------------
    def upsert(self, opportunities: Iterable[Opportunity], index: str | None = None) -> WriteReport:
        target = index or self.alias
        report = WriteReport()
        batch: list[Opportunity] = []
        for opp in opportunities:
            batch.append(opp)
            if len(batch) >= BULK_CHUNK:
                self._write_batch(target, batch, report, skip_unchanged=index is None)
                batch = []
        if batch:
            self._write_batch(target, batch, report, skip_unchanged=index is None)
        if index is None and report.written:
            self._call(lambda: self.es.indices.refresh(index=self.alias))
        return report

    def _write_batch(
        self, target: str, batch: list[Opportunity], report: WriteReport, skip_unchanged: bool
    ) -> None:
        hashes = {o.id: (o.content_hash or o.compute_hash()) for o in batch}
        if skip_unchanged:
            existing = self._existing_hashes(list(hashes))
            todo = [o for o in batch if existing.get(o.id) != hashes[o.id]]
            report.skipped_unchanged += len(batch) - len(todo)
        else:
            todo = batch

        def actions() -> Iterator[dict[str, Any]]:
            for opp in todo:
                source = to_source(opp, hashes[opp.id])
                yield {"_op_type": "index", "_index": target, "_id": opp.id, "_source": source}

        # Writing through the alias must never auto-create a concrete index named like it.
        extra: dict[str, Any] = {"require_alias": True} if target == self.alias else {}
        try:
            # streaming_bulk retries 429 rejections with backoff; other per-document errors are
            # reported (raise_on_error=False), never dropped.
            for ok, info in helpers.streaming_bulk(
                self.es, actions(), chunk_size=BULK_CHUNK, max_retries=5, initial_backoff=1,
                raise_on_error=False, raise_on_exception=False, **extra,
            ):
                item = info.get("index", {})
                if ok:
                    report.written += 1
                else:
                    report.failed[str(item.get("_id"))] = _bulk_reason(item)
        except TransportError as exc:
            for opp in todo:
                report.failed.setdefault(opp.id, f"Elasticsearch unreachable: {exc.__class__.__name__}")

    def _existing_hashes(self, ids: list[str]) -> dict[str, str]:
        try:
            found = self.es.mget(index=self.alias, ids=ids, source=["content_hash"])
        except ApiError as exc:
            if exc.meta.status == 404:
                return {}
            raise SearchBackendError(str(exc)) from exc
        except TransportError:
            return {}
        return {d["_id"]: d["_source"].get("content_hash") for d in found["docs"] if d.get("found")}

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents (missing ones are fine); raises ``SearchBackendError`` listing any
        document the cluster failed to delete, so callers keep those deletions pending."""
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": i} for i in ids)
        removed = 0
        failed: dict[str, str] = {}
        try:
            for ok, info in helpers.streaming_bulk(
                self.es, actions, raise_on_error=False, raise_on_exception=False, max_retries=3,
                require_alias=True,
            ):
                item = info.get("delete", {})
                if ok:
                    removed += 1
                elif item.get("status") != 404:
                    failed[str(item.get("_id"))] = _bulk_reason(item)
        except TransportError as exc:
            raise SearchBackendError(f"Elasticsearch at {self.url} is unreachable: {exc}") from exc
        self._call(lambda: self.es.indices.refresh(index=self.alias))
        if failed:
            sample = next(iter(failed.items()))
            raise SearchBackendError(f"{len(failed)} deletions failed, e.g. {sample[0]}: {sample[1]}")
        return removed

    def delete_expired(self, now: datetime) -> int:
        """Delete documents whose expiry is at or before ``now``.

        A scroll then bulk deletes, not ``_delete_by_query``: that lives in the ``reindex`` module,
        which the minimal distribution does not ship.
        """
        return self.delete(self._ids_matching({"range": {"expiry": {"lte": iso(now)}}}))

    def clear(self) -> None:
        self.delete(self._ids_matching({"match_all": {}}))

    def _ids_matching(self, query: dict[str, Any]) -> list[str]:
        try:
            hits = helpers.scan(self.es, index=self.alias, query={"query": query}, _source=False, size=1000)
            return [h["_id"] for h in hits]
        except (ApiError, TransportError) as exc:
            raise SearchBackendError(f"Elasticsearch at {self.url}: {exc}") from exc

    # -- reads ------------------------------------------------------------------------------
    def get(self, opportunity_id: str) -> Opportunity | None:
        try:
            doc = self.es.get(index=self.alias, id=opportunity_id)
        except ApiError as exc:
            if exc.meta.status == 404:
                return None
            raise SearchBackendError(str(exc)) from exc
        except TransportError as exc:
            raise SearchBackendError(f"Elasticsearch at {self.url} is unreachable") from exc
        return Opportunity.from_dict(doc["_source"]["opportunity"])

    def count(self, index: str | None = None) -> int:
        return int(self._call(lambda: self.es.count(index=index or self.alias))["count"])

    def export(self) -> Iterator[Opportunity]:
        """Every indexed record with the content hash it was indexed with (scroll, any order)."""
        hits = helpers.scan(
            self.es, index=self.alias, query={"query": {"match_all": {}}},
            _source=["opportunity", "content_hash"], size=1000,
        )
        try:
            for h in hits:
                opp = Opportunity.from_dict(h["_source"]["opportunity"])
                opp.content_hash = h["_source"].get("content_hash") or opp.content_hash
                yield opp
        except (ApiError, TransportError) as exc:
            raise SearchBackendError(f"Elasticsearch at {self.url}: export interrupted: {exc}") from exc

    def ids(self) -> set[str]:
        hits = helpers.scan(self.es, index=self.alias, query={"query": {"match_all": {}}}, _source=False)
        return {h["_id"] for h in hits}

    def stats(self) -> dict[str, Any]:
        aggs = {
            "by_partner": {"terms": {"field": "partner", "size": FACET_SIZE}},
            "by_cause": {"terms": {"field": "causes", "size": FACET_SIZE}},
            "by_region": {"terms": {"field": "region_slugs", "size": FACET_SIZE}},
            "last_write": {"max": {"field": "indexed_at"}},
        }
        res = self._call(lambda: self.es.search(index=self.alias, size=0, aggs=aggs, track_total_hits=True))
        a = res["aggregations"]
        return {
            "backend": self.name,
            "location": self.url,
            "alias": self.alias,
            "generation": self.current_generation(),
            "generations": self.generations(),
            "documents": res["hits"]["total"]["value"],
            "last_write": a["last_write"].get("value_as_string"),
            "by_partner": {b["key"]: b["doc_count"] for b in sorted(a["by_partner"]["buckets"], key=_key)},
            "by_cause": {b["key"]: b["doc_count"] for b in sorted(a["by_cause"]["buckets"], key=_key)},
            "by_region": {b["key"]: b["doc_count"] for b in sorted(a["by_region"]["buckets"], key=_key)},
        }

    def search(self, q: SearchQuery) -> SearchResult:
        terms = analyze(q.text)
        base = self._filters(q, terms)
        cause_filter = [{"terms": {"causes": q.causes}}] if q.causes else []
        region_filter = [{"terms": {"region_slugs": q.regions}}] if q.regions else []

        query: dict[str, Any] = {"bool": {"filter": base}}
        if terms:
            query["bool"]["must"] = [
                {
                    "multi_match": {
                        "query": " ".join(terms),
                        "fields": [f"title_terms^{TITLE_BOOST}", "body_terms"],
                        "type": "cross_fields",
                        "operator": "and",
                    }
                }
            ]
        # Multi-select facets: each facet's counts apply every filter but its own, so the
        # cause/region filters go in post_filter and into the other facet's aggregation.
        aggs = {
            "cause": _facet_agg("causes", region_filter),
            "region": _facet_agg("region_slugs", cause_filter),
        }
        body: dict[str, Any] = {
            "query": query,
            "aggs": aggs,
            "sort": self._sort(q, terms),
            "from": q.offset,
            "size": q.per_page,
            "track_total_hits": True,
            "_source": ["opportunity"],
        }
        if cause_filter or region_filter:
            body["post_filter"] = {"bool": {"filter": cause_filter + region_filter}}
        res = self._call(lambda: self.es.search(index=self.alias, **body))

        hits = []
        for h in res["hits"]["hits"]:
            opp = Opportunity.from_dict(h["_source"]["opportunity"])
            # Distances are computed like the embedded backend's, so both show the same km.
            distance = _nearest_km(opp, q.near) if q.near else None
            hits.append(Hit(opp, score=h.get("_score"), distance_km=distance))
        facets = {
            "cause": [
                FacetValue(b["key"], cause_label(b["key"], q.lang), b["doc_count"])
                for b in res["aggregations"]["cause"]["values"]["buckets"]
            ],
            "region": [
                FacetValue(b["key"], region_label(b["key"], q.lang), b["doc_count"])
                for b in res["aggregations"]["region"]["values"]["buckets"]
            ],
        }
        return SearchResult(total=res["hits"]["total"]["value"], hits=hits, facets=facets)

    def _filters(self, q: SearchQuery, terms: list[str]) -> list[dict[str, Any]]:
        f: list[dict[str, Any]] = [{"range": {"expiry": {"gt": iso(q.effective_now())}}}]
        for name, value in q.filters.items():
            if name not in FILTER_FIELDS:
                raise UnknownFilter(f"the Elasticsearch backend has no translation for the filter {name!r}")
            f.append({"term": {FILTER_FIELDS[name]: value}})
        if q.date_from:
            f.append({"range": {"avail_end": {"gte": iso(q.date_from)}}})
        if q.date_to:
            f.append({"range": {"avail_start": {"lte": iso(q.date_to)}}})
        if q.near and q.radius_km is not None:
            f.append(
                {
                    "geo_distance": {
                        "distance": f"{q.radius_km}km",
                        "distance_type": "arc",
                        "points": {"lat": q.near[0], "lon": q.near[1]},
                    }
                }
            )
        return f

    def _sort(self, q: SearchQuery, terms: list[str]) -> list[Any]:
        if q.sort == "nearest" and q.near:
            first: Any = {
                "_geo_distance": {
                    "points": {"lat": q.near[0], "lon": q.near[1]},
                    "order": "asc",
                    "unit": "km",
                    "mode": "min",
                    "distance_type": "arc",
                }
            }
        elif q.sort == "soonest":
            first = {"sort_start": "asc"}
        elif q.sort == "newest":
            first = {"posted": "desc"}
        elif not terms:  # browsing: the quality signal first, then the newest (docs/search.md)
            return [QUALITY_SORT, {"posted": "desc"}, {"id": "asc"}]
        else:
            return [{"_score": "desc"}, QUALITY_SORT, {"id": "asc"}]  # quality breaks ties
        return [first, {"id": "asc"}]

    def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except TransportError as exc:
            raise SearchBackendError(f"Elasticsearch at {self.url} is unreachable: {exc}") from exc
        except ApiError as exc:
            raise SearchBackendError(f"Elasticsearch at {self.url} refused the request: {exc}") from exc


# A generation written before the field existed sorts as if every document scored 0.
QUALITY_SORT = {"quality": {"order": "desc", "unmapped_type": "integer"}}


def to_source(opp: Opportunity, content_hash: str) -> dict[str, Any]:
    doc = build_document(opp)
    return {
        "id": doc.id,
        "partner": doc.partner,
        "organization": doc.organization,
        "org_slug": doc.org_slug,
        "language": doc.language,
        "remote": doc.remote,
        "title_terms": doc.title_terms,
        "body_terms": doc.body_terms,
        "causes": doc.causes,
        "region_slugs": doc.region_slugs,
        "countries": doc.countries,
        "points": [{"lat": lat, "lon": lon} for lat, lon in doc.points],
        "avail_start": iso(doc.avail_start),
        "avail_end": iso(doc.avail_end),
        "expiry": iso(doc.expiry),
        "sort_start": iso(doc.sort_start),
        "posted": iso(doc.posted),
        "quality": doc.quality,
        "content_hash": content_hash,
        "indexed_at": iso(datetime.now(UTC)),
        "opportunity": opp.to_dict(),
    }


def _facet_agg(field: str, other_filters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "filter": {"bool": {"filter": other_filters}} if other_filters else {"match_all": {}},
        "aggs": {
            "values": {
                "terms": {"field": field, "size": FACET_SIZE, "order": [{"_count": "desc"}, {"_key": "asc"}]}
            }
        },
    }


def _nearest_km(opp: Opportunity, near: tuple[float, float]) -> float | None:
    dists = [distance_km(near[0], near[1], loc.lat, loc.lon) for loc in opp.locations if loc.has_point]
    return min(dists) if dists else None


def _bulk_reason(item: dict[str, Any]) -> str:
    error = item.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(error or f"status {item.get('status')}")


def _key(bucket: dict[str, Any]) -> str:
    return str(bucket["key"])
