"""``volunteer-hub images``: fetch partner pictures into the app's cache (services.images)."""

from __future__ import annotations

import argparse
import json

from volunteer_hub.cli.common import EXIT_FAILED, EXIT_OK, partners_chosen, partners_known


def print_tallies(tallies: dict, indent: str = "") -> None:
    """One line per partner, then its failure reasons (most frequent first)."""
    for partner, tally in sorted(tallies.items()):
        print(f"{indent}{partner}: pictures {tally.summary()}")
        for reason, count in tally.reasons.most_common(10):
            print(f"{indent}    x{count} {reason}")


def cmd_images_fetch(args: argparse.Namespace) -> int:
    from volunteer_hub.core.config import load_settings
    from volunteer_hub.services.images import fetch_pictures
    from volunteer_hub.store.db import Database

    if not partners_chosen(args):
        return EXIT_FAILED
    settings = load_settings()
    db = Database.from_settings(settings)
    if not partners_known(db, args.partners):
        return EXIT_FAILED
    tallies = fetch_pictures(
        db, settings, None if args.all else args.partners, force=args.force, limit=args.limit
    )
    if args.json:
        print(json.dumps({p: t.as_dict() for p, t in sorted(tallies.items())}, indent=2, ensure_ascii=False))
    elif tallies:
        print_tallies(tallies)
    else:
        print("no pictures: the partners' listings give no image or logo")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    images = sub.add_parser("images", help="partner pictures kept by the app").add_subparsers(
        dest="images_command", required=True, metavar="ACTION"
    )
    p = images.add_parser(
        "fetch",
        help="fetch new pictures (listing images, organization logos) through the guarded fetcher, "
        "check, resize and cache them; failed ones wait before they are tried again",
    )
    p.add_argument("partners", nargs="*", metavar="PARTNER", help="partner ids")
    p.add_argument("--all", action="store_true", help="every partner")
    p.add_argument("--force", action="store_true", help="ask every picture again, failed ones included")
    p.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="at most N requests in this pass; the rest waits for the next one",
    )
    p.add_argument("--json", action="store_true", help="per partner: counts of each outcome and the reasons")
    p.set_defaults(func=cmd_images_fetch)
