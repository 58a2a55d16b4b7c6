"""What every subcommand shares: exit codes and the (settings, database, backend) triple."""

from __future__ import annotations

from volunteer_hub.core.config import Settings, load_settings

EXIT_OK, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2


def open_context() -> tuple[Settings, object, object]:
    from indexer import open_backend
    from volunteer_hub.store.db import Database

    settings = load_settings()
    return settings, Database.from_settings(settings), open_backend(settings)
