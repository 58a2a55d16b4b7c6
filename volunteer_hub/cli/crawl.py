"""``volunteer-hub crawl`` and ``validate``: run crawls now, check a feed with the crawler's rules."""

from __future__ import annotations

import argparse
import json
import signal
import sys

from volunteer_hub.cli.common import EXIT_FAILED, EXIT_OK, EXIT_UNREADABLE, open_context
from volunteer_hub.cli.images import print_tallies


# -- crawl -----------------------------------------------------------------------------------
def cmd_crawl(args: argparse.Namespace) -> int:
    from volunteer_hub.services.crawl import crawl_now
    from volunteer_hub.store.runs import AlreadyRunning, RunNotRunning
    from volunteer_hub.store.states import PartnerStatus

    settings, db, backend = open_context()
    # A database server restarting while the feed downloads: the crawl waits for it rather than fail.
    db.connect_wait_seconds = settings.crawl_db_wait
    partners = db.partners()
    if args.run_id is not None and (args.all or len(args.partners) != 1):
        print("error: --run-id takes exactly one partner", file=sys.stderr)
        return EXIT_FAILED
    if not args.all:
        wanted = set(args.partners)
        unknown = wanted - {p.id for p in partners}
        if unknown:
            print(f"error: unknown partner(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return EXIT_FAILED
        partners = [p for p in partners if p.id in wanted]
    else:
        partners = [p for p in partners if p.status == PartnerStatus.APPROVED and not p.paused]
    if not partners:
        print("nothing to crawl: no partner given (or none approved and active with --all)", file=sys.stderr)
        return EXIT_FAILED
    if args.run_id is not None:
        # The first line of the run's log file: the console shows the log from the start of the run.
        print(f"crawl of {partners[0].id} started as run #{args.run_id}", file=sys.stderr)
    try:
        backend.ensure_ready()
    except Exception as exc:  # noqa: BLE001 - the crawl still stores to the database
        print(
            f"warning: search backend not ready ({exc}); results are kept and indexed later", file=sys.stderr
        )
    try:
        runs = crawl_now(
            partners,
            settings=settings,
            db=db,
            backend=backend,
            trigger=args.trigger,
            force=args.force,
            progress=sys.stderr.isatty(),
            run_id=args.run_id,
        )
    except (AlreadyRunning, RunNotRunning) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt as exc:  # crawlers.runner.CrawlInterrupted: SIGINT or SIGTERM
        print(
            f"{str(exc) or 'interrupted'}: the runs are recorded as failed; stored listings are kept",
            file=sys.stderr,
        )
        return 128 + getattr(exc, "signum", signal.SIGINT)  # as a shell reports a process a signal ended
    pictures = pictures_after_crawl(settings, db, runs)
    if args.json:
        print(
            json.dumps(
                [{**run_as_dict(r), "pictures": _tally_dict(pictures.get(r.partner_id))} for r in runs],
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for run in runs:
            print_run(run)
            if run.partner_id in pictures:
                print_tallies({run.partner_id: pictures[run.partner_id]}, indent="    ")
    return EXIT_OK if all(r.ok for r in runs) else EXIT_FAILED


def pictures_after_crawl(settings: object, db: object, runs: list) -> dict:
    """The post-crawl picture step (services.images); its trouble is reported, never the crawl's."""
    from volunteer_hub.services.images import fetch_after_crawl

    try:
        return fetch_after_crawl(db, settings, runs)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - the crawl is done and stored; pictures wait for the next pass
        print(
            f"warning: pictures not fetched ({exc!r}); `volunteer-hub images fetch` retries", file=sys.stderr
        )
        return {}


def _tally_dict(tally: object) -> dict | None:
    return tally.as_dict() if tally is not None else None  # type: ignore[attr-defined]


def run_as_dict(run: object) -> dict:
    fields = (
        "id",
        "partner_id",
        "trigger",
        "status",
        "format",
        "seen",
        "new",
        "updated",
        "unchanged",
        "rejected",
        "removed",
        "indexed",
        "expired_on_arrival",
        "stale",
        "dead_links",
        "http_status",
        "bytes",
        "rejected_by_reason",
        "message",
    )
    data = {f: getattr(run, f) for f in fields}
    data["started_at"] = run.started_at.isoformat() if run.started_at else None
    data["finished_at"] = run.finished_at.isoformat() if run.finished_at else None
    data["duration_seconds"] = run.duration_seconds
    data["errors"] = run.errors[:50]
    return data


def print_run(run: object) -> None:
    mark = "OK " if run.ok else "!! "
    duration = f"{run.duration_seconds:.1f}s" if run.duration_seconds is not None else "?"
    print(f"{mark}{run.partner_id}: {run.status} in {duration} (run #{run.id}, format {run.format or '?'})")
    print(
        f"    seen {run.seen}, new {run.new}, updated {run.updated}, unchanged {run.unchanged}, "
        f"rejected {run.rejected}, removed {run.removed}, indexed {run.indexed}"
    )
    if run.expired_on_arrival:
        print(f"    {run.expired_on_arrival} already over on arrival (kept as expired, not shown)")
    if run.stale or run.dead_links:
        print(f"    {run.stale or 0} stale, {run.dead_links or 0} with a dead link (docs/quality.md)")
    if run.message:
        print(f"    {run.message}")
    for reason, count in sorted(run.rejected_by_reason.items(), key=lambda kv: -kv[1]):
        print(f"    rejected x{count}: {reason}")
    warnings = [e for e in run.errors if e.get("severity") == "warning"]
    if warnings:
        print(
            f"    {len(warnings)} warning(s), e.g. item {warnings[0].get('item')}: {warnings[0]['message']}"
        )


# -- validate --------------------------------------------------------------------------------
def cmd_validate(args: argparse.Namespace) -> int:
    from crawlers.validate import ValidationUnreadable, validate_source
    from volunteer_hub.core.config import load_settings

    try:
        result = validate_source(args.source, load_settings(), fmt=args.format)
    except ValidationUnreadable as exc:
        if args.json:
            print(json.dumps({"error": str(exc)}))
        else:
            print(f"cannot read {args.source}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(f"{args.source}: format {result['format']}, {result['items']} items, {result['valid']} valid")
        for e in result["errors"]:
            where = f"line {e['line']}" if e.get("line") else "feed"
            print(f"  error   {where}, item {e.get('item') or '?'}, {e.get('field') or '-'}: {e['message']}")
        for w in result["warnings"]:
            where = f"line {w['line']}" if w.get("line") else "feed"
            print(f"  warning {where}, item {w.get('item') or '?'}, {w.get('field') or '-'}: {w['message']}")
        for m in result.get("moderation", []):
            verb = "would be hidden" if m["action"] == "hide" else "flagged"
            where = f"line {m['line']}, " if m.get("line") else ""
            print(f"  {verb}: {where}item {m['item']}, {m['code']}: {m['message']}")
    return EXIT_OK if not result["errors"] else EXIT_FAILED


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("crawl", help="crawl partners now and print a run report (exit 1 when a run failed)")
    p.add_argument("partners", nargs="*", metavar="PARTNER", help="partner ids")
    p.add_argument("--all", action="store_true", help="every approved, active partner")
    p.add_argument("--force", action="store_true", help="ignore ETag/Last-Modified and fetch in full")
    p.add_argument("--trigger", default="manual", choices=["manual", "schedule"], help=argparse.SUPPRESS)
    p.add_argument(
        "--run-id",
        type=int,
        metavar="N",
        help="crawl into run N, allocated by the caller (the scheduler); one partner only",
    )
    p.add_argument("--json", action="store_true", help="print the run records as JSON")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("validate", help="check a feed file or URL with the crawler's own parsers and rules")
    p.add_argument("source", metavar="FILE_OR_URL")
    p.add_argument("--format", default="auto", help="force a format (default: detect)")
    p.add_argument("--json", action="store_true", help="machine-readable result")
    p.set_defaults(func=cmd_validate)
