"""Partner pictures: a listing's ``image`` and its organization's ``logo``, fetched once, checked,
resized and kept by the app (``volunteer_hub.store.pictures``), so pages never hot-link a partner.

Every fetch goes through the guarded fetcher (``crawlers.fetch.fetch_resource``: address policy,
deadline ``picture_timeout``, size cap ``picture_max_bytes``). A body counts as a picture only
when Pillow decodes it as JPEG, PNG, GIF or WebP with at most ``picture_max_pixels`` pixels
(decompression bombs are refused from the header, before any pixel is decoded). The picture is
turned upright (EXIF orientation), stripped of every metadata (EXIF, ICC, XMP, comments),
resized to ``WIDTHS`` (never enlarged) and re-encoded as WebP (transparency kept).

Failures are remembered with a time to try again (``picture_retry_hours``, doubled on each
failure in a row, at most ``MAX_RETRY``), so a broken picture costs one request a while, not one
per crawl; a cached picture is asked again after ``picture_refresh_days`` with its validators
(If-None-Match / If-Modified-Since), so an unchanged one costs a 304.

This never runs in a web request: after a crawl (``fetch_after_crawl``), from
``volunteer-hub images fetch`` and from the scheduler's hourly job.
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from crawlers.fetch import AddressRefused, FetchError, FetchLimits, Resource, TooLarge, fetch_resource
from volunteer_hub.core.config import Settings
from volunteer_hub.store.db import CrawlRun, Database, StoredOpportunity
from volunteer_hub.store.pictures import FAILED, OK, REFUSED, PictureCache, SourceEntry, Variant
from volunteer_hub.store.states import OpportunityState

WIDTHS = (160, 640)  # a card's thumbnail (56 CSS px, up to 3x screens) and the detail page's picture
FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
MAX_SHAPE = 8  # width:height or height:width beyond this is a strip, not a picture
MAX_RETRY = timedelta(days=7)
WEBP_QUALITY = 80
HOSTS_AT_ONCE = 4
# Reserved names that never resolve (RFC 2606 / 6761): refused without asking DNS.
NEVER_RESOLVES = (".example", ".invalid")

# What happened to one source URL in a pass.
FETCHED = "fetched"  # new or changed: fetched and stored
UNCHANGED = "unchanged"  # asked again: the same picture (304, or the same bytes)
CACHED = "cached"  # cached recently: not asked
WAITING = "waiting"  # failed before: not tried again yet
LATER = "later"  # not asked in this pass: its request budget was spent (the next pass goes on)
OUTCOMES = (FETCHED, UNCHANGED, CACHED, WAITING, FAILED, REFUSED, LATER)
AFTER_CRAWL_REQUESTS = 200  # the post-crawl step's budget: a crawl never waits long on pictures


class NotAPicture(Exception):
    """The bytes are refused as a picture; the message says why."""


@dataclass(frozen=True)
class Rendered:
    digest: str  # of the source bytes: names the variant files
    variants: list[tuple[Variant, bytes]]


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )


def render(data: bytes, *, max_pixels: int, widths: Sequence[int] = WIDTHS) -> Rendered:
    """Decode ``data`` as a picture and make its variants; ``NotAPicture`` when it is not one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise NotAPicture("not a picture (JPEG, PNG, GIF or WebP)") from None
        raise NotAPicture("too many pixels (a decompression bomb?)") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise NotAPicture(f"not a readable picture ({exc})") from None
    width, height = image.size
    if width < 1 or height < 1:
        raise NotAPicture("an empty picture")
    if width * height > max_pixels:
        raise NotAPicture(f"too many pixels ({width}x{height}, at most {max_pixels:,} allowed)")
    if max(width / height, height / width) > MAX_SHAPE:
        raise NotAPicture(f"a strip, not a picture ({width}x{height})")
    largest = min(max(widths), width)
    if image.format == "JPEG":  # decode at a reduced scale when the picture is much larger than needed
        image.draft("RGB", (largest, largest))  # both sides: EXIF may turn it a quarter
    digest = hashlib.sha256(data).hexdigest()[:20]
    try:
        image.load()
        image = ImageOps.exif_transpose(image)  # upright, before the EXIF goes
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        return Rendered(digest, _variants(image, digest, widths))
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        raise NotAPicture(f"a damaged picture ({exc})") from None


def _variants(image: Image.Image, digest: str, widths: Sequence[int]) -> list[tuple[Variant, bytes]]:
    """``image`` at each of ``widths`` (never enlarged), as WebP without any metadata."""
    variants: list[tuple[Variant, bytes]] = []
    done: set[int] = set()
    for wanted in sorted(widths):
        w = min(wanted, image.width)
        if w in done:
            continue
        done.add(w)
        h = max(1, round(image.height * w / image.width))
        resized = (
            image.resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0)
            if w != image.width
            else image.copy()
        )
        resized.info = {}  # no metadata travels into the copy
        out = io.BytesIO()
        resized.save(out, format="WEBP", quality=WEBP_QUALITY, method=4, exif=b"", icc_profile=None)
        variants.append((Variant(f"{digest}-{w}.webp", w, h), out.getvalue()))
    return variants


# -- one source URL ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    url: str
    status: str  # one of OUTCOMES
    reason: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _refused_name(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host.endswith(NEVER_RESOLVES):
        return f"refused: {host} is a reserved name that never resolves"
    return None


def _retry_after(settings: Settings, failures: int) -> timedelta:
    hours = settings.picture_retry_hours * 2 ** min(max(failures - 1, 0), 16)
    return min(timedelta(hours=hours), MAX_RETRY)


def _settled(entry: SourceEntry | None, url: str, now: datetime, settings: Settings) -> Outcome | None:
    """CACHED or WAITING when ``url`` needs no request now; None when it does."""
    if entry is None:
        return None
    if entry.status == OK:
        if now - entry.checked_time() < timedelta(days=settings.picture_refresh_days):
            return Outcome(url, CACHED)
    elif (retry := entry.retry_time()) is not None and retry > now:
        return Outcome(url, WAITING, entry.reason)
    return None


def refresh_source(
    cache: PictureCache, url: str, settings: Settings, *, now: datetime | None = None, force: bool = False
) -> Outcome:
    """Bring the cache entry of ``url`` up to date (fetch, revalidate, or leave it); never raises
    for anything the partner's server does."""
    now = now or _now()
    entry = cache.entry(url)
    if not force and (settled := _settled(entry, url, now, settings)) is not None:
        return settled
    headers: dict[str, str] = {}
    if entry is not None and entry.status == OK:
        if entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
    limits = FetchLimits(
        deadline=min(settings.picture_timeout, settings.download_timeout),
        max_bytes=settings.picture_max_bytes,
    )
    resource = None
    try:
        if reason := _refused_name(url):
            raise AddressRefused(reason)
        resource = fetch_resource(
            url, allow_private=settings.allow_private_urls, limits=limits, headers=headers
        )
        if resource.not_modified and entry is not None:
            entry.checked_at, entry.failures = now.isoformat(), 0
            cache.save_entry(entry)
            return Outcome(url, UNCHANGED)
        rendered = render(resource.body, max_pixels=settings.picture_max_pixels)
    except (AddressRefused, TooLarge, NotAPicture) as exc:
        return _failed(cache, entry, url, REFUSED, _with_type(exc, resource), now, settings)
    except FetchError as exc:
        return _failed(cache, entry, url, FAILED, str(exc), now, settings)
    same = entry is not None and entry.status == OK and entry.digest == rendered.digest
    for variant, data in rendered.variants:
        cache.save_file(variant.name, data)
    cache.save_entry(
        SourceEntry(
            url=url,
            status=OK,
            checked_at=now.isoformat(),
            etag=resource.etag,
            last_modified=resource.last_modified,
            digest=rendered.digest,
            variants=[variant for variant, _ in rendered.variants],
        )
    )
    return Outcome(url, UNCHANGED if same else FETCHED)


def _with_type(exc: Exception, resource: Resource | None) -> str:
    declared = resource.content_type if resource is not None else None
    if isinstance(exc, NotAPicture) and declared:
        return f"{exc} (the server called it {declared.split(';')[0].strip()})"
    return str(exc)


def _failed(
    cache: PictureCache,
    entry: SourceEntry | None,
    url: str,
    status: str,
    reason: str,
    now: datetime,
    settings: Settings,
) -> Outcome:
    if entry is not None and entry.status == OK and status == FAILED:
        # A picture shown until now is kept through a passing failure (a time-out, a 503); asked again
        # at the next refresh. A picture that is gone (404, 410) or refused now is dropped below.
        if not any(f"HTTP {code}" in reason for code in (404, 410)):
            entry.checked_at = now.isoformat()
            cache.save_entry(entry)
            return Outcome(url, status, reason)
    failures = (entry.failures if entry is not None and entry.status != OK else 0) + 1
    cache.save_entry(
        SourceEntry(
            url=url,
            status=status,
            checked_at=now.isoformat(),
            reason=reason,
            retry_at=(now + _retry_after(settings, failures)).isoformat(),
            failures=failures,
        )
    )
    return Outcome(url, status, reason)


# -- a pass over partners ------------------------------------------------------------------------
@dataclass
class PictureTally:
    """One partner's pass: how many source URLs ended in each outcome, and the reasons of failures."""

    counts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        if outcome.status in (FAILED, REFUSED) and outcome.reason:
            self.reasons[f"{outcome.status}: {outcome.reason}"] += 1

    def as_dict(self) -> dict[str, Any]:
        return {**{name: self.counts[name] for name in OUTCOMES}, "reasons": dict(self.reasons.most_common())}

    def summary(self) -> str:
        return ", ".join(f"{self.counts[name]} {name}" for name in OUTCOMES if self.counts[name]) or "none"


def picture_sources(db: Database, partner_ids: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Per partner, the picture URLs of its shown listings (images, then organization logos).

    Only the two URLs are read, streamed: decoding whole records held ~5 KB a listing at once
    (220 MB after a 30,000-item crawl).
    """
    T = StoredOpportunity
    found: dict[str, dict[str, None]] = defaultdict(dict)
    with db.session() as s:
        stmt = select(T.partner_id, T.data["image"].as_string(), T.data[("organization", "logo")].as_string())
        stmt = stmt.where(T.state == OpportunityState.LIVE)
        if partner_ids is not None:
            stmt = stmt.where(T.partner_id.in_(list(partner_ids)))
        ordered = stmt.order_by(T.partner_id, T.id).execution_options(yield_per=2000)
        for partner, image, logo in s.execute(ordered):
            for url in (image, logo):
                if isinstance(url, str) and url:
                    found[partner][url] = None
    return {partner: list(urls) for partner, urls in found.items()}


def fetch_pictures(
    db: Database,
    settings: Settings,
    partner_ids: Sequence[str] | None = None,
    *,
    force: bool = False,
    limit: int | None = None,
    clock: Callable[[], datetime] = _now,
) -> dict[str, PictureTally]:
    """Bring the cache up to date for the pictures of ``partner_ids`` (all when None): one request
    at a time per host, ``HOSTS_AT_ONCE`` hosts at once, at most ``limit`` requests in all (the
    rest counts as ``later``). A URL used by several partners is fetched once and counted for the
    first of them."""
    cache = PictureCache(settings.pictures_dir)
    sources = picture_sources(db, partner_ids)
    owner: dict[str, str] = {}
    for partner, urls in sources.items():
        for url in urls:
            owner.setdefault(url, partner)
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in owner:
        by_host[(urlsplit(url).hostname or "").lower()].append(url)
    tallies: dict[str, PictureTally] = {partner: PictureTally() for partner in sources}
    lock = threading.Lock()

    budget = [limit]

    def run(host: str) -> None:
        for url in by_host[host]:
            now = clock()
            outcome = None if force else _settled(cache.entry(url), url, now, settings)
            if outcome is None:  # a request is due: within the budget, or later
                with lock:
                    allowed = budget[0] is None or budget[0] > 0
                    if allowed and budget[0] is not None:
                        budget[0] -= 1
                outcome = (
                    refresh_source(cache, url, settings, now=now, force=force)
                    if allowed
                    else Outcome(url, LATER)
                )
            with lock:
                tallies[owner[url]].add(outcome)

    with ThreadPoolExecutor(max_workers=HOSTS_AT_ONCE) as pool:
        for future in [pool.submit(run, host) for host in sorted(by_host)]:
            future.result()
    return tallies


def fetch_after_crawl(db: Database, settings: Settings, runs: Sequence[CrawlRun]) -> dict[str, PictureTally]:
    """The post-crawl step: pictures of the partners whose run went well (new or changed ones are
    fetched, the rest is a look at the cache)."""
    done = [run.partner_id for run in runs if run.ok]
    return fetch_pictures(db, settings, done, limit=AFTER_CRAWL_REQUESTS) if done else {}
