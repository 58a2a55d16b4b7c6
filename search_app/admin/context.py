"""What every console module reads from the running app: its database and the operations config."""

from __future__ import annotations

from search_app.services import services
from volunteer_hub.core.ops_config import OpsConfig, load_ops_config
from volunteer_hub.store.db import Database


def database() -> Database:
    return services()._database()  # noqa: SLF001 - the app's shared, lazily opened database


def ops_config() -> OpsConfig:
    return load_ops_config()
