"""``volunteer-hub partners``: register, moderate, schedule, remove and list partners
(``volunteer_hub.services.partners`` does the work; this module parses and prints)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from volunteer_hub.cli.common import EXIT_FAILED, EXIT_OK, open_context
from volunteer_hub.core.config import load_settings

if TYPE_CHECKING:
    from volunteer_hub.store.db import Database


# -- partners --------------------------------------------------------------------------------
def cron_timezone() -> str:
    """The zone cron schedules are read in (imported here: core.cron imports APScheduler, ~0.1 s)."""
    from volunteer_hub.core.cron import CRON_TIMEZONE

    return CRON_TIMEZONE


def _database() -> Database:
    from volunteer_hub.store.db import Database

    return Database.from_settings(load_settings())


def _failed(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_FAILED


def cmd_partners_add(args: argparse.Namespace) -> int:
    from volunteer_hub.services import partners

    fmt, found, warning = args.format, None, None
    if fmt == partners.AUTO_FORMAT and not partners.partner_id_error(args.id):
        # Detected once and pinned: a later maintenance page fails a crawl instead of switching format.
        settings = load_settings()
        try:
            found = partners.detect(args.url, settings)
            fmt = found.format
        except partners.FormatNotDetected as exc:
            hint = ""
            if "non-public address" in str(exc) and not settings.allow_private_urls:
                hint = (
                    " (a feed on this machine or a private network needs VOLUNTEER_HUB_ALLOW_PRIVATE_URLS=1)"
                )
            warning = (
                f"could not detect the format: {exc}{hint}; registered with format auto (detected at "
                "each crawl): check the URL, or pin a format with --format"
            )
    try:
        added = partners.add(
            _database(),
            args.id,
            url=args.url,
            name=args.name,
            format=fmt,
            country=args.country,
            interval=args.interval,
            cron=args.cron,
        )
    except partners.CronError as exc:
        return _failed(f"invalid --cron {exc.expr!r}: {exc.reason}")
    except partners.PartnerError as exc:
        return _failed(str(exc))
    print(f"{'added' if added.created else 'updated'} partner {args.id} ({fmt}) -> {args.url}")
    if found is not None:
        print(f"detected {found.summary()}; format {fmt} pinned")
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def cmd_partners_list(args: argparse.Namespace) -> int:
    from volunteer_hub.services import partners

    overviews = partners.list_partners(_database())
    if args.json:
        print(json.dumps([o.to_dict() for o in overviews], indent=2, ensure_ascii=False))
        return EXIT_OK
    if not overviews:
        print("no partners yet: add one with `volunteer-hub partners add ID --url URL`")
    for o in overviews:
        p, last = o.partner, o.last_run
        last_run = last.status if last else "-"
        print(f"{p.id:<28} {p.format:<8} {o.state:<9} {o.live:>5} live  last run: {last_run}")
        print(f"{'':<28} {p.url}")
        schedule = o.schedule + (f" ({cron_timezone()} time)" if o.schedule.startswith("cron") else "")
        print(f"{'':<28} schedule: {schedule}")
        if o.schedule_error:
            print(f"{'':<28} SCHEDULE ERROR: {o.schedule_error}")
    invalid = [o.partner.id for o in overviews if o.schedule_error]
    if invalid:
        print(
            f"warning: invalid cron for {', '.join(invalid)} (crawled at the interval instead); fix it "
            "with `volunteer-hub partners add ID --url URL --cron EXPR` or in the console",
            file=sys.stderr,
        )
    return EXIT_OK


# The service function of each subcommand (same name), and what it prints when done.
_MODERATION = {
    "approve": "approved partner {id}: crawled on its schedule from now on",
    "reject": "rejected partner {id}",
    "pause": "paused partner {id}: no scheduled crawls until it is resumed",
    "resume": "resumed partner {id}",
}


def cmd_partners_moderate(args: argparse.Namespace) -> int:
    from volunteer_hub.services import partners

    action, done = getattr(partners, args.partners_command), _MODERATION[args.partners_command]
    try:
        action(_database(), args.id)
    except partners.PartnerError as exc:
        return _failed(str(exc))
    print(done.format(id=args.id))
    return EXIT_OK


def cmd_partners_schedule(args: argparse.Namespace) -> int:
    from volunteer_hub.services import partners

    try:
        partner = partners.schedule(_database(), args.id, interval=args.interval, cron=args.cron)
    except partners.CronError as exc:
        return _failed(f"invalid --cron {exc.expr!r}: {exc.reason}")
    except partners.PartnerError as exc:
        return _failed(str(exc))
    if partner.cron:
        print(f"partner {args.id}: crawled on the cron schedule {partner.cron!r} ({cron_timezone()} time)")
    else:
        print(f"partner {args.id}: crawled every {partner.interval_minutes} minutes")
    return EXIT_OK


def _months(value: str) -> int | None:
    """``--stale-after-months``: a whole number of months, or ``default`` (the global setting)."""
    if value.strip().lower() == "default":
        return None
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of months nor 'default': {value!r}") from None


def cmd_partners_set(args: argparse.Namespace) -> int:
    from volunteer_hub.services import partners

    try:
        partner = partners.set_stale_after(_database(), args.id, args.stale_after_months)
    except partners.PartnerError as exc:
        return _failed(str(exc))
    months = partner.stale_after_months
    if months is None:
        rule = f"the global setting: {load_settings().stale_not_updated_months} months"
    else:
        rule = "never (rule off)" if months == 0 else f"{months} months"
    print(f"partner {args.id}: a listing not updated by the partner is stale after {rule}")
    print("applied at the next `volunteer-hub quality stale` (the scheduler runs it daily)")
    return EXIT_OK


def cmd_partners_remove(args: argparse.Namespace) -> int:
    from volunteer_hub.services import partners

    _settings, db, backend = open_context()
    if not args.yes:
        question = (
            f"remove partner {args.id}: its listings leave the search index, its listings, runs and "
            "alerts leave the database. Continue? [y/N] "
        )
        if not sys.stdin.isatty():
            return _failed(f"removing partner {args.id} cannot be undone: confirm with --yes")
        if input(question).strip().lower() not in ("y", "yes"):
            print("nothing removed")
            return EXIT_FAILED
    try:
        removed = partners.remove(db, backend, args.id)
    except partners.PartnerError as exc:
        return _failed(str(exc))
    taken = removed.listings_removed
    print(f"removed partner {args.id}, with {taken} listing(s) taken out of the search index")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    partners = sub.add_parser(
        "partners", help="register, moderate, schedule, remove and list partners"
    ).add_subparsers(dest="partners_command", required=True, metavar="ACTION")
    p = partners.add_parser(
        "add", help="register (or update) a partner feed; operators' partners are approved"
    )
    p.add_argument("id", help="short id: lowercase letters, digits and dashes")
    p.add_argument("--url", required=True, help="feed URL, or the website whose pages carry schema.org data")
    p.add_argument("--name", help="display name")
    p.add_argument(
        "--format",
        default="auto",
        help="auto (default: detected now, from the feed or the site's schema.org pages, and pinned) "
        "or a format of docs/formats.md",
    )
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
    for action, text in (
        ("approve", "approve a partner (a portal sign-up): the scheduler crawls it from now on"),
        ("reject", "reject a pending partner (a portal sign-up)"),
        ("pause", "stop a partner's scheduled crawls (its listings stay searchable)"),
        ("resume", "resume a paused partner's scheduled crawls"),
    ):
        p = partners.add_parser(action, help=text)
        p.add_argument("id")
        p.set_defaults(func=cmd_partners_moderate)
    p = partners.add_parser("schedule", help="crawl a partner every N minutes or on a crontab schedule")
    p.add_argument("id")
    schedule = p.add_mutually_exclusive_group(required=True)
    schedule.add_argument("--interval", type=int, metavar="N", help="minutes between scheduled crawls")
    schedule.add_argument("--cron", metavar="EXPR", help="crontab schedule in Europe/Paris time")
    p.set_defaults(func=cmd_partners_schedule)
    p = partners.add_parser("set", help="change a partner's settings (staleness)")
    p.add_argument("id")
    p.add_argument(
        "--stale-after-months",
        type=_months,
        required=True,
        metavar="N",
        help="its listings not updated for N months are stale (0: never; 'default': the global "
        "VOLUNTEER_HUB_STALE_NOT_UPDATED_MONTHS)",
    )
    p.set_defaults(func=cmd_partners_set)
    p = partners.add_parser(
        "remove", help="remove a partner: its listings leave the search index, it and its runs the database"
    )
    p.add_argument("id")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_partners_remove)
