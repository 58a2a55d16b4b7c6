"""Configuration, read once from the environment (documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    home: Path
    search: str  # "sqlite" or an http(s) URL of an Elasticsearch node
    database_url: str
    allow_private_urls: bool
    es_index: str = "volunteer-hub"
    shrink_threshold: float = 0.5
    es_shards: int = 1
    es_replicas: int = 0

    @property
    def uses_elasticsearch(self) -> bool:
        return self.search.startswith(("http://", "https://"))

    @property
    def sqlite_index_path(self) -> Path:
        return self.home / "search.sqlite3"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    home = Path(env.get("VOLUNTEER_HUB_HOME") or Path.home() / ".volunteer-hub").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return Settings(
        home=home,
        search=(env.get("VOLUNTEER_HUB_SEARCH") or "sqlite").strip(),
        database_url=env.get("VOLUNTEER_HUB_DATABASE_URL") or f"sqlite:///{home / 'volunteer-hub.db'}",
        allow_private_urls=_truthy(env.get("VOLUNTEER_HUB_ALLOW_PRIVATE_URLS")),
        es_index=env.get("VOLUNTEER_HUB_ES_INDEX") or "volunteer-hub",
        shrink_threshold=float(env.get("VOLUNTEER_HUB_SHRINK_THRESHOLD") or 0.5),
        es_shards=int(env.get("VOLUNTEER_HUB_ES_SHARDS") or 1),
        es_replicas=int(env.get("VOLUNTEER_HUB_ES_REPLICAS") or 0),
    )
