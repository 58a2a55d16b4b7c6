"""The partner picture cache: files under ``<home>/pictures`` (no database table).

``sources/<key>.json`` is one source URL's entry (``key``: the SHA-256 of the URL): what its last
fetch gave (``ok``, ``failed`` or ``refused``, and why), when to try again, the validators for a
conditional request, and the variants made from it. ``files/<digest>-<width>.webp`` are the
variants; ``digest`` hashes the source bytes, so a name never changes meaning and can be served
as immutable. Writes go through a temporary file and a rename: a reader (a web worker) never sees
half a file. The site reads entries only; ``volunteer_hub.services.images`` writes them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

OK, FAILED, REFUSED = "ok", "failed", "refused"
# A variant's file name: what the site's picture route accepts, nothing else.
FILE_NAME = re.compile(r"^[0-9a-f]{20}-[0-9]{1,4}\.(webp|png|jpg)$")
MEDIA_TYPES = {"webp": "image/webp", "png": "image/png", "jpg": "image/jpeg"}


def source_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Variant:
    """One resized copy: its file name (under ``files/``) and its pixel size."""

    name: str
    width: int
    height: int


@dataclass
class SourceEntry:
    """What the cache knows of one source URL."""

    url: str
    status: str  # OK / FAILED / REFUSED
    checked_at: str  # ISO 8601, UTC
    reason: str | None = None  # why failed or refused
    retry_at: str | None = None  # failed or refused: not fetched again before (ISO 8601)
    failures: int = 0  # failures in a row
    etag: str | None = None
    last_modified: str | None = None
    digest: str | None = None
    variants: list[Variant] = field(default_factory=list)

    def retry_time(self) -> datetime | None:
        return datetime.fromisoformat(self.retry_at) if self.retry_at else None

    def checked_time(self) -> datetime:
        return datetime.fromisoformat(self.checked_at)

    def best(self, width: int) -> Variant | None:
        """The smallest variant at least ``width`` wide (else the widest): what a page shows."""
        if not self.variants:
            return None
        wide_enough = [v for v in self.variants if v.width >= width]
        return (
            min(wide_enough, key=lambda v: v.width)
            if wide_enough
            else max(self.variants, key=lambda v: v.width)
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceEntry:
        values = dict(data)
        values["variants"] = [Variant(**v) for v in values.get("variants") or []]
        return cls(**values)


class PictureCache:
    """The cache under ``root`` (``Settings.pictures_dir``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sources = root / "sources"
        self.files = root / "files"

    def entry(self, url: str) -> SourceEntry | None:
        """The entry of ``url``, or None when never fetched (or unreadable: fetched again)."""
        try:
            data = json.loads((self.sources / f"{source_key(url)}.json").read_text(encoding="utf-8"))
            return SourceEntry.from_dict(data)
        except (OSError, ValueError, TypeError):
            return None

    def picture(self, url: str | None, width: int) -> Variant | None:
        """The variant to show for ``url`` at ``width`` CSS pixels, when cached and its file is there."""
        return self.pictures(url, (width,))[width]

    def pictures(self, url: str | None, widths: tuple[int, ...]) -> dict[int, Variant | None]:
        """``picture`` for several widths, reading ``url``'s entry once."""
        entry = self.entry(url) if url else None
        if entry is None or entry.status != OK:
            return dict.fromkeys(widths)
        found: dict[int, Variant | None] = {}
        for width in widths:
            best = entry.best(width)
            found[width] = best if best is not None and (self.files / best.name).is_file() else None
        return found

    def file(self, name: str) -> Path | None:
        """The path of a variant file named ``name``, if it is one and exists."""
        if not FILE_NAME.match(name):
            return None
        path = self.files / name
        return path if path.is_file() else None

    def save_entry(self, entry: SourceEntry) -> None:
        self._write(self.sources / f"{source_key(entry.url)}.json", json.dumps(asdict(entry)).encode())

    def save_file(self, name: str, data: bytes) -> None:
        if not FILE_NAME.match(name):
            raise ValueError(f"not a picture file name: {name}")
        path = self.files / name
        if not path.is_file():  # content-named: an existing file already holds these bytes
            self._write(path, data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def media_type(name: str) -> str:
    return MEDIA_TYPES[name.rsplit(".", 1)[-1]]
