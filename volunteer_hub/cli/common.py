"""What every subcommand shares: exit codes and the (settings, database, backend) triple."""

from __future__ import annotations

import argparse
import sys

from volunteer_hub.core.config import Settings, load_settings

EXIT_OK, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2


def open_context() -> tuple[Settings, object, object]:
    from indexer import open_backend
    from volunteer_hub.store.db import Database

    settings = load_settings()
    return settings, Database.from_settings(settings), open_backend(settings)


def partners_chosen(args: argparse.Namespace) -> bool:
    """``PARTNER...`` or ``--all`` was given; else says so on stderr."""
    if not args.partners and not args.all:
        print("error: name one or more partners, or --all", file=sys.stderr)
        return False
    return True


def partners_known(db: object, ids: list[str]) -> bool:
    """Every id in ``ids`` is a registered partner; else names the others on stderr."""
    known = {p.id for p in db.partners()}  # type: ignore[attr-defined]
    unknown = [p for p in ids if p not in known]
    if unknown:
        print(f"error: no partner {', '.join(unknown)}", file=sys.stderr)
        return False
    return True
