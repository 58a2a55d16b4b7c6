"""What the views need from the rest of the system, stored on ``app.extensions["volunteer_hub"]``."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from indexer.base import SearchBackend, SearchBackendError
from indexer.truth import IndexLost, check_index
from volunteer_hub.core.config import Settings
from volunteer_hub.store.db import Database

log = logging.getLogger(__name__)

EXTENSION = "volunteer_hub"
PARTNER_NAME_TTL = 300.0  # seconds; partner names change rarely, detail pages are hot
# Seconds between two comparisons of the index with the database (indexer.truth) in one process.
INDEX_TRUTH_TTL = 10.0


@dataclass
class Services:
    settings: Settings
    backend: SearchBackend
    database: Database | None = None  # opened lazily: only detail pages need partner names
    index_truth_ttl: float = INDEX_TRUTH_TTL
    _partner_names: dict[str, tuple[float, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _truth: tuple[float, str | None] = (float("-inf"), None)  # (checked at, problem)

    def partner_name(self, partner_id: str) -> str:
        """The partner's display name, or its id when unknown or the database is unavailable."""
        now = time.monotonic()
        cached = self._partner_names.get(partner_id)
        if cached and now - cached[0] < PARTNER_NAME_TTL:
            return cached[1]
        name = partner_id
        try:
            partner = self._database().partner(partner_id)
            if partner is not None and partner.name:
                name = partner.name
        except SQLAlchemyError:
            log.warning("partner name lookup failed for %s", partner_id, exc_info=True)
        self._partner_names[partner_id] = (now, name)
        return name

    def index_problem(self) -> str | None:
        """Why the index cannot be trusted (it lost documents), checked at most every
        ``index_truth_ttl`` seconds; None when it can, or when the database cannot tell (a database
        outage must not take search down). Raises ``SearchBackendError`` when the backend is down."""
        now = time.monotonic()
        checked_at, problem = self._truth
        if now - checked_at < self.index_truth_ttl:
            return problem
        try:
            problem = check_index(self._database(), self.backend).problem
        except SearchBackendError:
            raise
        except Exception:  # noqa: BLE001 - the check guards search; it must never break it itself
            log.warning("cannot compare the search index with the database", exc_info=True)
            problem = None
        if problem:
            log.error("search index lost documents, searches answer 503 until it is rebuilt: %s", problem)
        self._truth = (now, problem)
        return problem

    def _database(self) -> Database:
        with self._lock:
            if self.database is None:
                self.database = Database.from_settings(self.settings)
            return self.database


def install(app: Flask, services: Services) -> None:
    app.extensions[EXTENSION] = services


def services() -> Services:
    return current_app.extensions[EXTENSION]


def backend() -> SearchBackend:
    """The search backend for public reads; raises ``IndexLost`` (a 503) while the index lacks
    documents the database says are live, so no page silently shows "no results" for them."""
    svc = services()
    problem = svc.index_problem()
    if problem:
        raise IndexLost(problem)
    return svc.backend
