"""Elasticsearch backend (official client): explicit mapping, bulk upserts, an alias in front
of generation-named indices (``<alias>-<UTC timestamp>``) so rebuilds swap atomically.

Text arrives pre-analyzed (volunteer_hub.core.analysis) and is indexed with the core
``whitespace`` analyzer, so a minimal node and a full one give the same answers, and the same
answers as the embedded backend.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import ApiError, ConflictError, Elasticsearch, NotFoundError, TransportError, helpers
from elasticsearch.serializer import OrjsonSerializer

from indexer.analysis_cache import Known, analyses, fingerprint, texts_and_hashes
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
from indexer.documents import Terms, build_document, iso
from indexer.mapping import MAPPING, index_settings
from indexer.practical import FACET_VALUES
from indexer.understanding import understood_search
from volunteer_hub.core.gazetteer import distance_km
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.practical import practical_label
from volunteer_hub.core.regions import region_label
from volunteer_hub.core.taxonomy import cause_label
from volunteer_hub.core.understanding import BODY, CAUSE, SAME_LANGUAGE, TITLE, Alternative, QueryPlan
from volunteer_hub.store.runs import HOST, pid_alive

log = logging.getLogger(__name__)

SPELLING_CANDIDATES = 25  # per field, from the term suggester
FACET_SIZE = 200
BULK_CHUNK = 500
# A rebuild's bulk requests: smaller, two in flight (helpers.parallel_bulk), so documents are prepared
# while the node indexes the previous request (tuned by bench/indexing.py: docs/benchmarks.md).
LOAD_CHUNK = 250
LOAD_THREADS = 2
# One small shared index holds the rebuild locks of every alias (document id: the alias). Its
# name cannot be mistaken for a generation (``<alias>-<20 digits>``).
LOCK_INDEX = "volunteer-hub-locks"
# The rebuild lock is a lease, renewed every LOCK_RENEW while the rebuild runs: a killed rebuild's
# lock is taken over once its lease ends, or at once from the same host when its process is gone.
LOCK_TTL = timedelta(minutes=2)
LOCK_RENEW = timedelta(seconds=30)
# SearchQuery.filters name -> the keyword or boolean field it matches (tests/test_conformance.py).
FILTER_FIELDS = {
    "remote": "remote",
    "partner": "partner",
    "organization": "org_slug",
    "language": "language",
    # the practical filters (indexer.practical); a missing field (unknown) never matches
    "minors": "open_to_minors",
    "accessible": "accessible",
    "recurrence": "recurrence",
    "time_of_week": "time_of_week",  # a tuple of values: any of them
    "skills_based": "skills_based",
    "groups": "groups",
    "family": "family_friendly",
    "commitment": "commitment",  # the level (core.practical.commitment_level)
}


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, url: str, alias: str = "volunteer-hub", shards: int = 1, replicas: int = 0) -> None:
        self.url = url
        self.alias = alias
        self.shards = shards
        self.replicas = replicas
        # Several nodes, comma-separated: the client spreads requests and retries on another node
        # when one is down (a cluster keeps answering while a node restarts).
        hosts = [u.strip() for u in url.split(",") if u.strip()]
        # orjson for request and response bodies (the client's own option): bulk loads serialize every
        # document, and every search parses its hits and aggregations.
        self.es = Elasticsearch(
            hosts, request_timeout=30, retry_on_timeout=True, max_retries=2, serializer=OrjsonSerializer()
        )

    # -- index lifecycle --------------------------------------------------------------------
    def new_generation_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"

    def create_generation(self, name: str | None = None, *, bulk_loading: bool = False) -> str:
        name = name or self.new_generation_name()
        settings = index_settings(self.shards, 0 if bulk_loading else self.replicas)
        if bulk_loading:
            settings["refresh_interval"] = "-1"
        # The analyzer that wrote it: a rebuild reuses its analyses only when it is the same one.
        mappings = {**MAPPING, "_meta": {**MAPPING["_meta"], "analysis": fingerprint()}}
        self._call(lambda: self.es.indices.create(index=name, settings=settings, mappings=mappings))
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
        current = self.current_generation()
        if current is None:
            name = self.create_generation()
            self._call(lambda: self.es.indices.put_alias(index=name, name=self.alias))
        else:
            # A generation made by an older release lacks the fields added since (the mapping is
            # strict): adding fields is allowed in place, so writes keep working; documents written
            # before lack them (unknown) until `index rebuild`.
            self._call(lambda: self.es.indices.put_mapping(index=current, properties=MAPPING["properties"]))

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
        """Index into a generation being built. The analysis of a record unchanged since the live
        generation is read from it (indexer.analysis_cache); requests overlap document preparation."""
        report = WriteReport()
        opps = list(opportunities)
        texts, hashes = texts_and_hashes(opps)  # a malformed record's text is None: reported below
        terms, report.reused_analysis = analyses(opps, hashes, self._previous_terms(generation, opps), texts)

        def actions() -> Iterator[dict[str, Any]]:
            for opp, content_hash, known, text in zip(opps, hashes, terms, texts, strict=True):
                try:
                    source = to_source(opp, content_hash, known, text)
                except (ValueError, TypeError) as exc:
                    report.failed[opp.id] = f"{type(exc).__name__}: {exc}"
                    continue
                yield {"_op_type": "index", "_index": generation, "_id": opp.id, "_source": source}

        try:
            for ok, info in helpers.parallel_bulk(
                self.es,
                actions(),
                thread_count=LOAD_THREADS,
                chunk_size=LOAD_CHUNK,
                raise_on_error=False,
                raise_on_exception=False,
            ):
                _count(report, ok, info)
        except TransportError as exc:
            for opp in opps:
                report.failed.setdefault(opp.id, f"Elasticsearch unreachable: {exc.__class__.__name__}")
        return report

    def _previous_terms(self, generation: str, opps: list[Opportunity]) -> Known:
        """id -> (content hash, title terms, body terms) in the live generation, for ``opps``; empty when
        it was analyzed by another analyzer, or cannot be read (everything is analyzed then)."""
        sources: dict[str, str | None] = self.__dict__.setdefault("_previous_for", {})
        if generation not in sources:
            sources[generation] = self._reusable_generation(generation)
        previous = sources[generation]
        if previous is None or not opps:
            return {}
        try:
            found = self.es.mget(
                index=previous,
                ids=[opp.id for opp in opps],
                source=["content_hash", "title_terms", "body_terms"],
            )
        except (ApiError, TransportError):
            return {}
        return {
            d["_id"]: (
                d["_source"].get("content_hash"),
                d["_source"]["title_terms"],
                d["_source"]["body_terms"],
            )
            for d in found["docs"]
            if d.get("found") and "title_terms" in d["_source"] and "body_terms" in d["_source"]
        }

    def _reusable_generation(self, generation: str) -> str | None:
        """The live generation, when the same analyzer wrote it (its mapping's ``_meta``)."""
        try:
            current = self.current_generation()
            if current is None or current == generation:
                return None
            meta = self.es.indices.get_mapping(index=current)[current]["mappings"].get("_meta", {})
        except (ApiError, TransportError, SearchBackendError, KeyError):
            return None
        return current if meta.get("analysis") == fingerprint() else None

    def seal_generation(self, generation: str) -> int:
        """Restore refresh and replicas, wait for the primaries (and, briefly, replicas); count."""
        self.__dict__.get("_previous_for", {}).pop(generation, None)
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
        across hosts), renewed while the rebuild runs. A lease that ended, or one held by a dead
        process of this host, is taken over with a compare-and-set."""
        self._ensure_lock_index()
        owner = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        try:
            self.es.create(index=LOCK_INDEX, id=self.alias, document=_lease(owner), refresh=True)
        except ConflictError:
            held = self._call(lambda: self.es.get(index=LOCK_INDEX, id=self.alias))
            src = held["_source"]
            stale = _stale_lease_reason(src)
            if stale is None:
                raise RebuildInProgress(
                    f"another rebuild of {self.alias} is running "
                    f"({src.get('owner')} since {src.get('acquired_at')})"
                ) from None
            try:
                self.es.index(
                    index=LOCK_INDEX,
                    id=self.alias,
                    document=_lease(owner),
                    refresh=True,
                    if_seq_no=held["_seq_no"],
                    if_primary_term=held["_primary_term"],
                )
            except ConflictError:
                raise RebuildInProgress(f"another rebuild of {self.alias} took the lock") from None
            log.warning("took over the rebuild lock of %s: %s", self.alias, stale)
        except (ApiError, TransportError) as exc:
            raise SearchBackendError(f"Elasticsearch at {self.url}: no rebuild lock: {exc}") from exc
        stop = threading.Event()
        keeper = threading.Thread(
            target=self._renew_lease, args=(owner, stop), name="rebuild-lease", daemon=True
        )
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join(10)
            with contextlib.suppress(ApiError, TransportError):
                held = self.es.get(index=LOCK_INDEX, id=self.alias)
                if held["_source"].get("owner") == owner:
                    self.es.delete(
                        index=LOCK_INDEX,
                        id=self.alias,
                        refresh=True,
                        if_seq_no=held["_seq_no"],
                        if_primary_term=held["_primary_term"],
                    )

    def _renew_lease(self, owner: str, stop: threading.Event) -> None:
        """Extend our lease every ``LOCK_RENEW`` (compare-and-set: never someone else's)."""
        while not stop.wait(LOCK_RENEW.total_seconds()):
            try:
                held = self.es.get(index=LOCK_INDEX, id=self.alias)
                if held["_source"].get("owner") != owner:
                    log.error(
                        "the rebuild lock of %s was taken over by %s",
                        self.alias,
                        held["_source"].get("owner"),
                    )
                    return
                self.es.index(
                    index=LOCK_INDEX,
                    id=self.alias,
                    document=_lease(owner, held["_source"].get("acquired_at")),
                    refresh=True,
                    if_seq_no=held["_seq_no"],
                    if_primary_term=held["_primary_term"],
                )
            except (ApiError, TransportError) as exc:  # a hiccup: the next beat retries within the lease
                log.warning("could not renew the rebuild lease of %s: %s", self.alias, exc)

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
                self.es,
                actions(),
                chunk_size=BULK_CHUNK,
                max_retries=5,
                initial_backoff=1,
                raise_on_error=False,
                raise_on_exception=False,
                **extra,
            ):
                _count(report, ok, info)
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
                self.es,
                actions,
                raise_on_error=False,
                raise_on_exception=False,
                max_retries=3,
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
            self.es,
            index=self.alias,
            query={"query": {"match_all": {}}},
            _source=["opportunity", "content_hash"],
            size=1000,
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
        return understood_search(q, lambda plan: self._search_plan(q, plan), _Spelling(self))

    def _search_plan(self, q: SearchQuery, plan: QueryPlan) -> SearchResult:
        terms = bool(plan.groups)
        base = self._filters(q, terms)
        # Multi-select facets: each facet's counts apply every filter but its own (``own``: the filters
        # of each facet kind; the hits apply them all).
        own: dict[str, list[dict[str, Any]]] = {
            "cause": [{"terms": {"causes": q.causes}}] if q.causes else [],
            "region": [{"terms": {"region_slugs": q.regions}}] if q.regions else [],
        }
        for name, value in q.filters.items():
            if name in FACET_VALUES:
                field = FILTER_FIELDS[name]
                own[name] = [
                    {"terms": {field: list(value)}} if isinstance(value, tuple) else {"term": {field: value}}
                ]
        facet_filters = [f for filters in own.values() for f in filters]
        # The hits honour every filter (the facet filters as a post filter, or in the query). The text,
        # if any: the score of volunteer_hub.core.understanding.score, built from constant scores: each
        # group is the best of its alternatives (dis_max), groups and the language bonus add up.
        query: dict[str, Any] = {"bool": {"filter": base}}
        if terms:
            query["bool"]["must"] = [
                {"dis_max": {"queries": [_alternative(a) for a in g.alternatives], "tie_breaker": 0}}
                for g in plan.groups
            ]
            query["bool"]["should"] = [
                {"constant_score": {"filter": {"term": {"language": plan.lang}}, "boost": SAME_LANGUAGE}}
            ]
        body: dict[str, Any] = {
            "query": query,
            "sort": self._sort(q, terms),
            "from": q.offset,
            "size": q.per_page,
            "track_total_hits": True,
            "_source": ["opportunity"],
        }
        if q.facets:
            body["aggs"] = _facet_aggs(own, facet_filters)
            if facet_filters:
                body["post_filter"] = {"bool": {"filter": facet_filters}}
        else:  # no counts wanted: every filter goes in the query
            query["bool"]["filter"] = base + facet_filters
        res = self._call(lambda: self.es.search(index=self.alias, **body))

        hits = []
        for h in res["hits"]["hits"]:
            opp = Opportunity.from_dict(h["_source"]["opportunity"])
            # Distances are computed like the embedded backend's, so both show the same km.
            distance = _nearest_km(opp, q.near) if q.near else None
            hits.append(Hit(opp, score=h.get("_score"), distance_km=distance))
        facets = _facets(res["aggregations"], own, q.lang) if q.facets else {}
        return SearchResult(total=res["hits"]["total"]["value"], hits=hits, facets=facets)

    def _filters(self, q: SearchQuery, terms: bool) -> list[dict[str, Any]]:
        f: list[dict[str, Any]] = [{"range": {"expiry": {"gt": iso(q.effective_now())}}}]
        for name, value in q.filters.items():
            if name not in FILTER_FIELDS:
                raise UnknownFilter(f"the Elasticsearch backend has no translation for the filter {name!r}")
            if name in FACET_VALUES:
                continue  # a practical filter: a facet filter (its facet ignores it), _search_plan
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

    def _sort(self, q: SearchQuery, terms: bool) -> list[Any]:
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


def to_source(
    opp: Opportunity, content_hash: str, terms: Terms | None = None, text: str | None = None
) -> dict[str, Any]:
    doc = build_document(opp, terms, text)
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
        "open_to_minors": doc.open_to_minors,
        "accessible": doc.accessible,
        "recurrence": doc.recurrence,
        "time_of_week": doc.time_of_week,
        "skills_based": doc.skills_based,
        "groups": doc.groups,
        "family_friendly": doc.family_friendly,
        "commitment": doc.commitment,
        "quality": doc.quality,
        "content_hash": content_hash,
        "indexed_at": iso(datetime.now(UTC)),
        "opportunity": opp.to_dict(),
    }


def _alternative(alt: Alternative) -> dict[str, Any]:
    if alt.cause:
        return {"constant_score": {"filter": {"term": {"causes": alt.cause}}, "boost": alt.weight * CAUSE}}
    phrase = " ".join(alt.terms)
    return {
        "bool": {
            "should": [
                {"constant_score": {"filter": {"match_phrase": {name: phrase}}, "boost": alt.weight * weight}}
                for name, weight in (("title_terms", TITLE), ("body_terms", BODY))
            ]
        }
    }


class _Spelling:
    """The index's own terms, for spelling corrections: exact document counts (a ``filters``
    aggregation) and candidates from the core ``term`` suggester."""

    def __init__(self, backend: ElasticsearchBackend) -> None:
        self.backend = backend

    def term_counts(self, terms: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(terms))
        if not wanted:
            return {}
        filters = {
            str(i): {"bool": {"should": [{"term": {"title_terms": t}}, {"term": {"body_terms": t}}]}}
            for i, t in enumerate(wanted)
        }
        res = self.backend._call(
            lambda: self.backend.es.search(
                index=self.backend.alias, size=0, aggs={"terms": {"filters": {"filters": filters}}}
            )
        )
        buckets = res["aggregations"]["terms"]["buckets"]
        return {t: int(buckets[str(i)]["doc_count"]) for i, t in enumerate(wanted)}

    def similar_terms(self, term: str) -> dict[str, int]:
        options = {
            "suggest_mode": "always",
            "max_edits": 2,
            "prefix_length": 1,
            "min_word_length": 4,
            "size": SPELLING_CANDIDATES,
            "string_distance": "damerau_levenshtein",
        }
        suggest = {
            name: {"text": term, "term": {"field": name, **options}} for name in ("title_terms", "body_terms")
        }
        res = self.backend._call(
            lambda: self.backend.es.search(index=self.backend.alias, size=0, suggest=suggest)
        )
        found = {
            option["text"]
            for field in suggest
            for entry in res.get("suggest", {}).get(field, [])
            for option in entry.get("options", [])
        }
        return {t: n for t, n in self.term_counts(found).items() if n}


def _lease(owner: str, acquired_at: str | None = None) -> dict[str, str]:
    now = datetime.now(UTC)
    return {"owner": owner, "acquired_at": acquired_at or iso(now), "expires_at": iso(now + LOCK_TTL)}


def _stale_lease_reason(lease: dict[str, Any]) -> str | None:
    """Why a held rebuild lease may be taken over (its process is dead here, or it ended), or None."""
    host, _, rest = str(lease.get("owner", "")).partition(":")
    pid_text = rest.partition(":")[0]
    if host == HOST and pid_text.isdigit() and not pid_alive(int(pid_text)):
        return f"its holder {lease.get('owner')} is dead (process {pid_text} gone on this host)"
    if str(lease.get("expires_at", "")) <= iso(datetime.now(UTC)):
        return f"its lease ended at {lease.get('expires_at')} ({lease.get('owner')} stopped renewing it)"
    return None


def _facet_key(kind: str) -> str:
    """The aggregation's name of a facet kind ("cause", "region" or a practical facet)."""
    return kind if kind in ("cause", "region") else f"practical_{kind}"


def _facet_aggs(own: dict[str, list[dict[str, Any]]], every: list[dict[str, Any]]) -> dict[str, Any]:
    """Every facet's aggregation; ``own``: each facet kind's filters in the search, ``every``: all of
    them (the post filter).

    Facets the search does not filter on are counted over its hits, under one filter agg (one pass);
    each facet it filters on, over the search without that facet's own filter (multi-select). At
    1,000,000 listings one filter agg per facet cost the node 1.5-3x more CPU (docs/benchmarks.md).
    """
    values = {
        "cause": _terms_values("causes"),
        "region": _terms_values("region_slugs"),
        **{_facet_key(name): _practical_values(name) for name in FACET_VALUES},
    }
    filtered = [kind for kind, filters in own.items() if filters]
    if not filtered:
        return values
    own_keys = {_facet_key(kind) for kind in filtered}
    aggs: dict[str, Any] = {
        "hits": {
            "filter": {"bool": {"filter": every}},
            "aggs": {key: v for key, v in values.items() if key not in own_keys},
        }
    }
    for kind in filtered:
        rest = [f for other, filters in own.items() if other != kind for f in filters]
        aggs[_facet_key(kind)] = {
            "filter": {"bool": {"filter": rest}} if rest else {"match_all": {}},
            "aggs": {"values": values[_facet_key(kind)]},
        }
    return aggs


def _facets(
    found: dict[str, Any], own: dict[str, list[dict[str, Any]]], lang: str
) -> dict[str, list[FacetValue]]:
    """The facet counts of ``_facet_aggs``'s answer, labelled in ``lang``."""

    def buckets(kind: str) -> Any:
        key = _facet_key(kind)
        return (found[key]["values"] if own.get(kind) else found.get("hits", found)[key])["buckets"]

    facets = {
        "cause": [
            FacetValue(b["key"], cause_label(b["key"], lang), b["doc_count"]) for b in buckets("cause")
        ],
        "region": [
            FacetValue(b["key"], region_label(b["key"], lang), b["doc_count"]) for b in buckets("region")
        ],
    }
    for name, values in FACET_VALUES.items():
        counts = buckets(name)
        facets[name] = [
            FacetValue(value, practical_label(name, value, lang), counts[value]["doc_count"])
            for value in values
            if counts[value]["doc_count"]
        ]
    return facets


def _terms_values(field: str) -> dict[str, Any]:
    return {"terms": {"field": field, "size": FACET_SIZE, "order": [{"_count": "desc"}, {"_key": "asc"}]}}


def _practical_values(name: str) -> dict[str, Any]:
    """Counts of a practical facet's values (indexer.practical.FACET_VALUES), one named bucket each."""
    field = FILTER_FIELDS[name]
    buckets = {value: {"term": {field: True if value == "true" else value}} for value in FACET_VALUES[name]}
    return {"filters": {"filters": buckets}}


def _nearest_km(opp: Opportunity, near: tuple[float, float]) -> float | None:
    dists = [distance_km(near[0], near[1], loc.lat, loc.lon) for loc in opp.locations if loc.has_point]
    return min(dists) if dists else None


def _count(report: WriteReport, ok: bool, info: dict[str, Any]) -> None:
    """One bulk result into ``report``: written, or failed with the node's reason (never dropped)."""
    item = info.get("index", {})
    if ok:
        report.written += 1
    else:
        report.failed[str(item.get("_id"))] = _bulk_reason(item)


def _bulk_reason(item: dict[str, Any]) -> str:
    error = item.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(error or f"status {item.get('status')}")


def _key(bucket: dict[str, Any]) -> str:
    return str(bucket["key"])
