"""``volunteer-hub db``: the database schema's version (Alembic; docs/operations.md)."""

from __future__ import annotations

import argparse
import subprocess
import sys

from volunteer_hub.cli.common import EXIT_FAILED, EXIT_OK


def _engine():  # noqa: ANN202
    from volunteer_hub.core.config import load_settings
    from volunteer_hub.store.db import Database

    return Database(load_settings().database_url, migrate=False).engine


def cmd_upgrade(args: argparse.Namespace) -> int:
    from volunteer_hub.store import schema

    engine = _engine()
    before = schema.current_revision(engine)
    schema.upgrade(engine, args.revision)
    after = schema.current_revision(engine)
    if before == after:
        print(f"database already at revision {after}")
    else:
        print(f"database upgraded from revision {before or '(none)'} to {after}")
    return EXIT_OK


def cmd_current(_args: argparse.Namespace) -> int:
    from volunteer_hub.store import schema

    current, head = schema.current_revision(_engine()), schema.head_revision()
    state = "up to date" if current == head else f"behind: run `volunteer-hub db upgrade` to reach {head}"
    print(f"revision {current or '(none)'} ({state})")
    return EXIT_OK


def cmd_check(_args: argparse.Namespace) -> int:
    from volunteer_hub.store import schema

    engine = _engine()
    if schema.current_revision(engine) != schema.head_revision():
        print(f"the database is not at revision {schema.head_revision()}: run `volunteer-hub db upgrade`")
        return EXIT_FAILED
    diffs = schema.differences(engine)
    for diff in diffs:
        print(f"differs from the models: {diff}")
    if diffs:
        print("the models changed without a migration: `volunteer-hub db revision -m '...'`", file=sys.stderr)
        return EXIT_FAILED
    print("the database matches the models")
    return EXIT_OK


def cmd_revision(args: argparse.Namespace) -> int:
    from volunteer_hub.store import schema

    for path in schema.new_revision(args.message):
        # The project's style, when ruff is there (the test extra has it); harmless when it is not.
        subprocess.run(
            [sys.executable, "-m", "ruff", "format", "-q", str(path)], check=False, capture_output=True
        )
        print(f"wrote {path}: read it, edit it if needed, commit it")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser(
        "db", help="the database schema: upgrade it, show or check its revision"
    ).add_subparsers(dest="db_command", required=True, metavar="ACTION")
    p = db.add_parser("upgrade", help="migrate the database to this release's schema (keeps every row)")
    p.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    p.set_defaults(func=cmd_upgrade)
    p = db.add_parser("current", help="the database's schema revision")
    p.set_defaults(func=cmd_current)
    p = db.add_parser("check", help="exit 1 unless the database is at head and matches the models")
    p.set_defaults(func=cmd_check)
    p = db.add_parser(
        "revision",
        help="developers: write a migration for the models' changes (autogenerate, in the package)",
    )
    p.add_argument("-m", "--message", required=True, help="what the migration does, e.g. 'add link_check'")
    p.set_defaults(func=cmd_revision)
