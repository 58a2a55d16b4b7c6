"""``volunteer-hub index``: inspect and maintain the search index."""

from __future__ import annotations

import argparse
import json
import sys

from volunteer_hub.cli.common import EXIT_FAILED, EXIT_OK, open_context


# -- index -----------------------------------------------------------------------------------
def cmd_index_stats(args: argparse.Namespace) -> int:
    from indexer.base import SearchBackendError

    _settings, _db, backend = open_context()
    try:
        backend.ensure_ready()
        stats = backend.stats()
    except SearchBackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("`volunteer-hub index rebuild` writes a new index from the database", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False, default=str))
        return EXIT_OK
    print(f"backend: {stats['backend']} ({stats['location']}), generation {stats.get('generation')}")
    print(f"documents: {stats['documents']}, last write: {stats.get('last_write')}")
    for key in ("by_partner", "by_cause", "by_region"):
        print(f"{key.replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in stats[key].items()))
    return EXIT_OK


def cmd_index_sync(args: argparse.Namespace) -> int:
    """Push pending changes, then check the index against the database; rebuild it when it lost
    documents or serves another generation (``indexer.truth``)."""
    from indexer.base import RebuildInProgress, SearchBackendError
    from indexer.rebuild import repair_index
    from indexer.sync import push_pending
    from indexer.truth import check_index

    settings, db, backend = open_context()
    counts = push_pending(db, backend)  # never raises on an outage: failures stay pending
    print(f"indexed {counts.indexed}, removed {counts.removed}, failed {len(counts.index_failures)}")
    for opp_id, reason in list(counts.index_failures.items())[:5]:
        print(f"  failed {opp_id}: {reason}", file=sys.stderr)
    if counts.index_failures:
        return EXIT_FAILED
    try:
        truth = check_index(db, backend)
        if truth.ok:
            return EXIT_OK
        print(f"INDEX LOST: {truth.problem}; rebuilding it from the database", file=sys.stderr)
        report = repair_index(db, backend, truth, shrink_threshold=settings.shrink_threshold)
        after = check_index(db, backend)
    except RebuildInProgress as exc:
        print(f"error: cannot repair now: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except SearchBackendError as exc:
        print(f"error: the index could not be checked or repaired: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"repaired: rebuilt {report.backend} with {report.documents} documents ({report.generation})")
    if not after.ok:
        print(f"error: still wrong after the rebuild: {after.problem}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_index_rebuild(args: argparse.Namespace) -> int:
    from indexer.base import RebuildInProgress, SearchBackendError
    from indexer.rebuild import rebuild_index

    settings, db, backend = open_context()
    try:
        report = rebuild_index(
            db,
            backend,
            shrink_threshold=settings.shrink_threshold,
            force=args.force,
            max_failures=args.max_failures,
        )
    except RebuildInProgress as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except SearchBackendError as exc:
        print(f"rebuild abandoned: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        print(
            f"rebuilt {report.backend}: {report.documents} documents in {report.total_seconds:.1f}s "
            f"(load {report.load_seconds:.1f}s); live generation {report.generation}"
        )
        print(f"previous generation kept for rollback: {report.previous or '-'}")
        if report.deleted:
            print(f"deleted older generations: {', '.join(report.deleted)}")
        if report.expired:
            print(f"marked {report.expired} expired opportunities in the database")
        for opp_id, reason in list(report.failed.items())[:5]:
            print(f"  refused {opp_id}: {reason}", file=sys.stderr)
        if report.caught_up and (report.caught_up.indexed or report.caught_up.index_failures):
            print(
                f"caught up after the swap: indexed {report.caught_up.indexed}, "
                f"failed {len(report.caught_up.index_failures)}"
            )
    pending = bool(report.caught_up and report.caught_up.index_failures)
    return EXIT_FAILED if pending else EXIT_OK


def cmd_index_rollback(args: argparse.Namespace) -> int:
    from indexer.base import SearchBackendError
    from indexer.rebuild import adopt_generation

    _settings, db, backend = open_context()
    try:
        name = backend.rollback()
        adopt_generation(db, backend)
    except SearchBackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"searches now use generation {name}; run `volunteer-hub index sync` to apply recent changes")
    return EXIT_OK


def cmd_index_expire(args: argparse.Namespace) -> int:
    from indexer.maintenance import expire_index

    _settings, db, backend = open_context()
    report = expire_index(db, backend)
    print(f"expired {report.marked} in the database, removed {report.removed} from the index")
    for opp_id, reason in list(report.failures.items())[:5]:
        print(f"  pending {opp_id}: {reason}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_index_export(args: argparse.Namespace) -> int:
    from indexer.base import SearchBackendError
    from indexer.maintenance import write_jsonl

    _settings, _db, backend = open_context()
    out = open(args.output, "w", encoding="utf-8") if args.output not in (None, "-") else sys.stdout
    try:
        n = write_jsonl(backend.export(), out)
    except SearchBackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"exported {n} records", file=sys.stderr)
    return EXIT_OK


def cmd_index_import(args: argparse.Namespace) -> int:
    from indexer.base import SearchBackendError
    from indexer.maintenance import import_jsonl

    _settings, _db, backend = open_context()
    handle = open(args.input, encoding="utf-8") if args.input != "-" else sys.stdin
    try:
        backend.ensure_ready()
        report = import_jsonl(backend, handle)
    except (SearchBackendError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if handle is not sys.stdin:
            handle.close()
    print(f"imported {report.written}, unchanged {report.skipped_unchanged}, failed {len(report.failed)}")
    for opp_id, reason in list(report.failed.items())[:5]:
        print(f"  failed {opp_id}: {reason}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_FAILED


def register(sub: argparse._SubParsersAction) -> None:
    index = sub.add_parser("index", help="inspect and maintain the search index").add_subparsers(
        dest="index_command", required=True, metavar="ACTION"
    )
    p = index.add_parser("stats", help="documents per partner, cause and region; generation; last write")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_index_stats)
    p = index.add_parser("sync", help="write pending database changes to the index (after an outage)")
    p.set_defaults(func=cmd_index_sync)
    p = index.add_parser(
        "rebuild", help="write a new index generation from the database and swap it in (zero downtime)"
    )
    p.add_argument("--force", action="store_true", help="swap even if the new generation is much smaller")
    p.add_argument(
        "--max-failures",
        dest="max_failures",
        type=int,
        default=0,
        help="documents the new generation may refuse before the rebuild is abandoned (default 0)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_index_rebuild)
    p = index.add_parser("rollback", help="serve the previous generation again (kept by the last rebuild)")
    p.set_defaults(func=cmd_index_rollback)
    p = index.add_parser("expire", help="remove expired opportunities from the index (and mark them)")
    p.set_defaults(func=cmd_index_expire)
    p = index.add_parser("export", help="write the indexed records as JSON lines (backup, moving backends)")
    p.add_argument("--jsonl", action="store_true", help="JSON lines (the only format; accepted for clarity)")
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_index_export)
    p = index.add_parser("import", help="upsert records from an `index export --jsonl` file")
    p.add_argument("--jsonl", action="store_true", help="JSON lines (the only format; accepted for clarity)")
    p.add_argument("input", nargs="?", default="-", help="file to read (default: standard input)")
    p.set_defaults(func=cmd_index_import)
