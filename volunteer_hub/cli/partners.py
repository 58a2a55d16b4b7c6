"""``volunteer-hub partners``: register and list partners."""

from __future__ import annotations

import argparse
import json
import sys

from volunteer_hub.cli.common import EXIT_FAILED, EXIT_OK
from volunteer_hub.core.config import load_settings


# -- partners --------------------------------------------------------------------------------
def cmd_partners_add(args: argparse.Namespace) -> int:
    from crawlers.formats import FORMATS
    from volunteer_hub.store.db import Database, Partner

    if args.format not in ("auto", *FORMATS):
        print(f"error: unknown format {args.format!r} (auto, {', '.join(FORMATS)})", file=sys.stderr)
        return EXIT_FAILED
    if args.cron is not None:
        from volunteer_hub.services.cron import cron_error

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

    from volunteer_hub.services.cron import CRON_TIMEZONE, schedule_text
    from volunteer_hub.store.db import CrawlRun, Database, StoredOpportunity

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


def register(sub: argparse._SubParsersAction) -> None:
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
