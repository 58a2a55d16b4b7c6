"""Text analysis for a batch of documents: reused when unchanged, else computed (in worker processes
for large batches).

Analysis (volunteer_hub.core.analysis: folding, stop words, stemming) is most of the Python cost of
indexing (docs/benchmarks.md). Two ways around it:

* **Reuse.** The live index generation already holds every document's analyzed title and body,
  with the content hash of the record they came from. A rebuild looks them up (by id) and reuses
  them when the hash is the same and the generation was analyzed by the same analyzer
  (``fingerprint``, stored in the generation): an unchanged text is never analyzed twice.
* **Worker processes.** What is left to analyze in a batch of at least ``WORKER_THRESHOLD`` texts is
  spread over a process pool (one worker per core, started once per process); smaller batches (a
  crawl's few changes) are analyzed in this process and never pay for it. A pool that cannot start
  or breaks makes the process analyze everything itself (logged once), never fails the load.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from indexer.documents import Terms, analysis_input, analyze_pair
from volunteer_hub.core.html import to_text
from volunteer_hub.core.opportunity import Opportunity

# Bump when ``analysis_input`` or volunteer_hub.core.analysis changes what it produces. The probe
# below catches most changes anyway (a generation analyzed otherwise is then never reused).
ANALYSIS_VERSION = 1
_PROBE = (
    "Les Déchets : Œuvres d'Été à l’Île-de-France",
    "Nos bénévoles accueillent des animaux, des bateaux et des chevaux; activities for families "
    "and the children of the neighbourhood, 2026. Straße, Łódź, naïve.",
)
WORKER_THRESHOLD = 400  # texts to analyze in one batch before worker processes are worth starting

log = logging.getLogger(__name__)

Known = Mapping[str, tuple[str, str, str]]  # id -> (content hash, title terms, body terms)


@functools.cache
def fingerprint() -> str:
    """Identifies the analyzer: its version and what it makes of a probe text."""
    probe = "\n".join(analyze_pair(_PROBE))
    return f"{ANALYSIS_VERSION}-{hashlib.sha256(probe.encode()).hexdigest()[:16]}"


def texts_and_hashes(opps: Sequence[Opportunity]) -> tuple[list[str | None], list[str]]:
    """Each record's description as text (None when malformed: the load reports it) and content
    hash, computed once for both the analysis and the document."""
    texts: list[str | None] = []
    for opp in opps:
        try:
            texts.append(to_text(opp.description))
        except (ValueError, TypeError):
            texts.append(None)
    return texts, [opp.content_hash or opp.compute_hash() for opp in opps]


def analyses(
    opps: Sequence[Opportunity], hashes: Sequence[str], known: Known, texts: Sequence[str | None]
) -> tuple[list[Terms | None], int]:
    """Every record's terms, in order, and how many were reused from ``known``; ``texts``: the
    descriptions as plain text. None for a record whose text cannot be read (its document build
    reports why)."""
    out: list[Terms | None] = []
    missing: list[int] = []
    inputs: list[tuple[str, str]] = []
    for i, (opp, content_hash, text) in enumerate(zip(opps, hashes, texts, strict=True)):
        hit = known.get(opp.id)
        if hit is not None and hit[0] == content_hash:
            out.append((hit[1], hit[2]))
            continue
        out.append(None)
        if text is None:
            continue
        try:
            inputs.append(analysis_input(opp, text))
        except (ValueError, TypeError):
            continue
        missing.append(i)
    for i, terms in zip(missing, analyze_many(inputs), strict=True):
        out[i] = terms
    return out, len(opps) - len(inputs) - sum(1 for t in out if t is None)


def analyze_many(texts: Sequence[tuple[str, str]], threshold: int = WORKER_THRESHOLD) -> list[Terms]:
    """``analyze_pair`` of each (title, body), in worker processes when there are enough of them."""
    workers = _worker_count()
    if len(texts) >= threshold and workers >= 2 and not _pool_broken.is_set():
        chunk = max(1, len(texts) // (workers * 4))
        try:
            return list(_pool(workers).map(analyze_pair, texts, chunksize=chunk))
        except (BrokenProcessPool, OSError) as exc:
            # Workers could not start or died: analyze here, and stop trying for this process.
            log.warning("analysis worker processes unavailable (%s); analyzing in this process", exc)
            _pool_broken.set()
    return [analyze_pair(t) for t in texts]


def _worker_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_lock = threading.Lock()
_executor: ProcessPoolExecutor | None = None
_pool_broken = threading.Event()


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per process, started on first use. Forked where the platform can (instant start, no
    re-import of the caller's main module): the workers only run ``analyze_pair``, pure computation
    that takes no lock another thread of the parent could hold at the fork."""
    global _executor
    with _lock:
        if _executor is None:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            _executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))
            atexit.register(_executor.shutdown, cancel_futures=True)
        return _executor
