"""The ``volunteer-hub`` command line: one entry point, one subcommand per job."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from volunteer_hub.config import Settings, load_settings

EXIT_OK, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2


def _context() -> tuple[Settings, object, object]:
    from indexer import open_backend
    from volunteer_hub.db import Database

    settings = load_settings()
    return settings, Database.from_settings(settings), open_backend(settings)


# -- partners --------------------------------------------------------------------------------
def cmd_partners_add(args: argparse.Namespace) -> int:
    from crawlers.formats import FORMATS
    from volunteer_hub.db import Database, Partner

    if args.format not in ("auto", *FORMATS):
        print(f"error: unknown format {args.format!r} (auto, {', '.join(FORMATS)})", file=sys.stderr)
        return EXIT_FAILED
    if args.cron is not None:
        from schedules.scheduler import cron_error

        error = cron_error(args.cron)
        if error:
            print(f"error: invalid --cron {args.cron!r}: {error}", file=sys.stderr)
            return EXIT_FAILED
    settings = load_settings()
    db = Database.from_settings(settings)
    with db.session() as s, s.begin():
        partner = s.get(Partner, args.id)
        created = partner is None
        if created:
            partner = Partner(id=args.id, name=args.name or args.id, url=args.url, status="approved")
            s.add(partner)
        partner.url = args.url
        partner.format = args.format
        if args.name:
            partner.name = args.name
        if args.country:
            partner.default_country = args.country.upper()
        # One schedule at a time: --cron replaces the interval, --interval clears the cron.
        if args.cron is not None:
            partner.cron = " ".join(args.cron.split())
        if args.interval:
            partner.interval_minutes = args.interval
            partner.cron = None
    print(f"{'added' if created else 'updated'} partner {args.id} ({args.format}) -> {args.url}")
    return EXIT_OK


def cmd_partners_list(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from schedules.scheduler import CRON_TIMEZONE, schedule_text
    from volunteer_hub.db import CrawlRun, Database, StoredOpportunity

    db = Database.from_settings(load_settings())
    rows = []
    with db.session() as s:
        live = dict(
            s.execute(
                select(StoredOpportunity.partner_id, func.count())
                .where(StoredOpportunity.state == "live")
                .group_by(StoredOpportunity.partner_id)
            ).all()
        )
        for p in db.partners():
            last = s.scalars(
                select(CrawlRun).where(CrawlRun.partner_id == p.id).order_by(CrawlRun.id.desc()).limit(1)
            ).first()
            schedule, schedule_error = schedule_text(p)
            rows.append(
                {
                    "id": p.id,
                    "name": p.name,
                    "format": p.format,
                    "url": p.url,
                    "status": p.status,
                    "paused": p.paused,
                    # What the scheduler uses: the cron when valid, else the interval.
                    "schedule": schedule,
                    "interval_minutes": p.interval_minutes,
                    "cron": p.cron,
                    "cron_timezone": CRON_TIMEZONE if p.cron else None,
                    "schedule_error": schedule_error,
                    "live": live.get(p.id, 0),
                    "last_run": last.status if last else None,
                    "last_run_at": last.started_at.isoformat() if last else None,
                }
            )
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print("no partners yet: add one with `volunteer-hub partners add ID --url URL`")
    for r in rows:
        state = "paused" if r["paused"] else r["status"]
        print(
            f"{r['id']:<28} {r['format']:<8} {state:<9} {r['live']:>5} live  last run: {r['last_run'] or '-'}"
        )
        print(f"{'':<28} {r['url']}")
        schedule = r["schedule"] + (f" ({CRON_TIMEZONE} time)" if r["schedule"].startswith("cron") else "")
        print(f"{'':<28} schedule: {schedule}")
        if r["schedule_error"]:
            print(f"{'':<28} SCHEDULE ERROR: {r['schedule_error']}")
    invalid = [r["id"] for r in rows if r["schedule_error"]]
    if invalid:
        print(
            f"warning: invalid cron for {', '.join(invalid)} (crawled at the interval instead); fix it "
            "with `volunteer-hub partners add ID --url URL --cron EXPR` or in the console",
            file=sys.stderr,
        )
    return EXIT_OK


# -- crawl -----------------------------------------------------------------------------------
def cmd_crawl(args: argparse.Namespace) -> int:
    from crawlers.runner import CrawlRefused, crawl_partners

    settings, db, backend = _context()
    partners = db.partners()
    if not args.all:
        wanted = set(args.partners)
        unknown = wanted - {p.id for p in partners}
        if unknown:
            print(f"error: unknown partner(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return EXIT_FAILED
        partners = [p for p in partners if p.id in wanted]
    else:
        partners = [p for p in partners if p.status == "approved" and not p.paused]
    if not partners:
        print("nothing to crawl: no partner given (or none approved and active with --all)", file=sys.stderr)
        return EXIT_FAILED
    try:
        backend.ensure_ready()
    except Exception as exc:  # noqa: BLE001 - the crawl still stores to the database
        print(
            f"warning: search backend not ready ({exc}); results are kept and indexed later", file=sys.stderr
        )
    try:
        runs = crawl_partners(
            partners,
            settings=settings,
            db=db,
            backend=backend,
            trigger=args.trigger,
            force=args.force,
            progress=sys.stderr.isatty(),
        )
    except CrawlRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps([run_as_dict(r) for r in runs], indent=2, ensure_ascii=False))
    else:
        for run in runs:
            print_run(run)
    return EXIT_OK if all(r.ok for r in runs) else EXIT_FAILED


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

    try:
        result = validate_source(args.source, fmt=args.format)
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
    return EXIT_OK if not result["errors"] else EXIT_FAILED


# -- search ----------------------------------------------------------------------------------
def cmd_search(args: argparse.Namespace) -> int:
    from indexer.base import SearchBackendError
    from search_app.params import ParameterError, query_from_args
    from search_app.serialize import search_payload

    _settings, _db, backend = _context()
    params: list[tuple[str, str]] = [("q", " ".join(args.query))]
    params += [("region", r) for r in args.region] + [("cause", c) for c in args.cause]
    for name in ("near", "radius_km", "sort", "organization", "partner", "page", "per_page"):
        value = getattr(args, name)
        if value is not None:
            params.append((name, str(value)))
    if args.date_from:
        params.append(("date_from", args.date_from))
    if args.date_to:
        params.append(("date_to", args.date_to))
    if args.remote:
        params.append(("remote", "1"))
    try:
        query = query_from_args(params)
        result = backend.search(query)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except SearchBackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    payload = search_payload(result, query)
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"{payload['total']} opportunities (page {payload['page']})")
    for item in payload["items"]:
        places = ", ".join(loc.get("city") or loc.get("region") or "" for loc in item["locations"]) or (
            "remote" if item["remote"] else "-"
        )
        dist = f" [{item['distance_km']:.1f} km]" if item.get("distance_km") is not None else ""
        print(f"- {item['title']} — {item['organization']['name'] or '?'} ({places}){dist}")
        print(f"  {', '.join(item['causes'])} | {item['url']}")
    for facet, values in payload["facets"].items():
        print(f"{facet}: " + ", ".join(f"{v['label']} ({v['count']})" for v in values[:8]))
    return EXIT_OK


# -- index -----------------------------------------------------------------------------------
def cmd_index_stats(args: argparse.Namespace) -> int:
    _settings, _db, backend = _context()
    backend.ensure_ready()
    stats = backend.stats()
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False, default=str))
        return EXIT_OK
    print(f"backend: {stats['backend']} ({stats['location']}), generation {stats.get('generation')}")
    print(f"documents: {stats['documents']}, last write: {stats.get('last_write')}")
    for key in ("by_partner", "by_cause", "by_region"):
        print(f"{key.replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in stats[key].items()))
    return EXIT_OK


def cmd_index_sync(args: argparse.Namespace) -> int:
    from indexer.sync import push_pending

    _settings, db, backend = _context()
    counts = push_pending(db, backend)  # never raises on an outage: failures stay pending
    print(f"indexed {counts.indexed}, removed {counts.removed}, failed {len(counts.index_failures)}")
    for opp_id, reason in list(counts.index_failures.items())[:5]:
        print(f"  failed {opp_id}: {reason}", file=sys.stderr)
    return EXIT_OK if not counts.index_failures else EXIT_FAILED


def cmd_index_rebuild(args: argparse.Namespace) -> int:
    from indexer.base import RebuildInProgress, SearchBackendError
    from indexer.rebuild import rebuild_index

    settings, db, backend = _context()
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

    _settings, _db, backend = _context()
    try:
        name = backend.rollback()
    except SearchBackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"searches now use generation {name}; run `volunteer-hub index sync` to apply recent changes")
    return EXIT_OK


def cmd_index_expire(args: argparse.Namespace) -> int:
    from indexer.maintenance import expire_index

    _settings, db, backend = _context()
    report = expire_index(db, backend)
    print(f"expired {report.marked} in the database, removed {report.removed} from the index")
    for opp_id, reason in list(report.failures.items())[:5]:
        print(f"  pending {opp_id}: {reason}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_index_export(args: argparse.Namespace) -> int:
    from indexer.base import SearchBackendError
    from indexer.maintenance import write_jsonl

    _settings, _db, backend = _context()
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

    _settings, _db, backend = _context()
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


# -- scheduler / operators (operations: see docs/operations.md) --------------------------------
def cmd_scheduler(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from schedules.config import load_ops_config
    from schedules.scheduler import run_forever

    cfg = load_ops_config()
    if args.timeout:
        cfg = replace(cfg, crawl_timeout_seconds=args.timeout)
    if args.workers:
        cfg = replace(cfg, workers=args.workers)
    return run_forever(cfg)


def cmd_operators_add(args: argparse.Namespace) -> int:
    import getpass

    from volunteer_hub.auth import OperatorError, add_operator
    from volunteer_hub.db import Database

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != password:
            print("error: the passwords differ", file=sys.stderr)
            return EXIT_FAILED
    try:
        _op, created = add_operator(Database.from_settings(load_settings()), args.email, password)
    except OperatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{'added' if created else 'updated'} operator {args.email.strip().lower()}")
    return EXIT_OK


# -- serve / demo ----------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    from search_app import create_app

    app = create_app()
    print(f"serving on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from volunteer_hub.demo import run_demo

    return run_demo(
        host=args.host,
        port=args.port,
        crawl_only=args.no_serve,
        feeds_port=args.feeds_port,
        scheduler=not args.no_scheduler,
    )


# -- parser ----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="volunteer-hub",
        description="Crawl partner feeds of volunteer opportunities, index them, serve a fr/en search site.",
        epilog="Configuration comes from the environment: VOLUNTEER_HUB_HOME, VOLUNTEER_HUB_SEARCH, "
        "VOLUNTEER_HUB_DATABASE_URL, VOLUNTEER_HUB_ALLOW_PRIVATE_URLS (see the README).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "demo", help="serve bundled demo partners locally, crawl and index them, serve the site"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="crawl and index, then exit")
    p.add_argument("--feeds-port", type=int, default=8001, help="port of the demo partners' feed server")
    p.add_argument(
        "--no-scheduler",
        action="store_true",
        help="don't recrawl the demo partners on their schedule while serving",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve the public site and JSON API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("crawl", help="crawl partners now and print a run report (exit 1 when a run failed)")
    p.add_argument("partners", nargs="*", metavar="PARTNER", help="partner ids")
    p.add_argument("--all", action="store_true", help="every approved, active partner")
    p.add_argument("--force", action="store_true", help="ignore ETag/Last-Modified and fetch in full")
    p.add_argument("--trigger", default="manual", choices=["manual", "schedule"], help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="print the run records as JSON")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("validate", help="check a feed file or URL with the crawler's own parsers and rules")
    p.add_argument("source", metavar="FILE_OR_URL")
    p.add_argument("--format", default="auto", help="force a format (default: detect)")
    p.add_argument("--json", action="store_true", help="machine-readable result")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("search", help="query the index like the API does")
    p.add_argument("query", nargs="*", help="keywords")
    p.add_argument("--region", action="append", default=[], help="region name or slug (repeatable)")
    p.add_argument("--cause", action="append", default=[], help="cause code (repeatable)")
    p.add_argument("--remote", action="store_true", help="remote opportunities only")
    p.add_argument("--near", help="a city, a postal code or 'lat,lon'")
    p.add_argument("--radius-km", dest="radius_km", type=float)
    p.add_argument("--from", dest="date_from", help="available from YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", help="available until YYYY-MM-DD")
    p.add_argument("--organization")
    p.add_argument("--partner")
    p.add_argument("--sort", choices=["relevance", "soonest", "newest", "nearest"])
    p.add_argument("--page", type=int)
    p.add_argument("--per-page", dest="per_page", type=int)
    p.add_argument("--json", action="store_true", help="print exactly the API's JSON body")
    p.set_defaults(func=cmd_search)

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

    partners = sub.add_parser("partners", help="register and list partners").add_subparsers(
        dest="partners_command", required=True, metavar="ACTION"
    )
    p = partners.add_parser(
        "add", help="register (or update) a partner feed; operators' partners are approved"
    )
    p.add_argument("id", help="short id: lowercase letters, digits and dashes")
    p.add_argument("--url", required=True, help="feed URL")
    p.add_argument("--name", help="display name")
    p.add_argument("--format", default="auto", help="auto (default) or a format of docs/formats.md")
    p.add_argument("--country", help="ISO country assumed for places without one (e.g. FR)")
    schedule = p.add_mutually_exclusive_group()
    schedule.add_argument(
        "--interval", type=int, help="minutes between scheduled crawls (default 360); clears --cron"
    )
    schedule.add_argument(
        "--cron",
        metavar="EXPR",
        help='crontab schedule in Europe/Paris time, e.g. "0 */6 * * *" (days as names: mon-fri); '
        "used instead of the interval",
    )
    p.set_defaults(func=cmd_partners_add)
    p = partners.add_parser("list", help="partners with their schedule, live listings and last run")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_partners_list)

    p = sub.add_parser("scheduler", help="crawl every approved partner at its interval (runs until stopped)")
    p.add_argument("--timeout", type=int, help="hard timeout of one crawl, seconds (default 1800)")
    p.add_argument("--workers", type=int, help="crawls at the same time (default 4)")
    p.set_defaults(func=cmd_scheduler)

    operators = sub.add_parser("operators", help="operator console accounts").add_subparsers(
        dest="operators_command", required=True, metavar="ACTION"
    )
    p = operators.add_parser("add", help="create an operator (or reset its password and unlock it)")
    p.add_argument("email")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_operators_add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None) == "partners" and hasattr(args, "id"):
        import re

        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", args.id):
            parser.error("partner id must be lowercase letters, digits and dashes (max 63)")
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
