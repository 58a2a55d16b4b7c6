"""``volunteer-hub links``: check that listings' detail pages still answer (services.links)."""

from __future__ import annotations

import argparse
import json
import sys

from volunteer_hub.cli.common import EXIT_FAILED, EXIT_OK, open_context, partners_chosen, partners_known


def cmd_links_check(args: argparse.Namespace) -> int:
    from indexer.sync import push_pending
    from volunteer_hub.services.links import check_links

    if not partners_chosen(args):
        return EXIT_FAILED
    settings, db, backend = open_context()
    if not partners_known(db, args.partners):
        return EXIT_FAILED
    results = check_links(db, settings, None if args.all else args.partners)  # type: ignore[arg-type]
    counts = push_pending(db, backend)  # type: ignore[arg-type] # hidden / back / re-verified listings
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        for r in results:
            code = r.http_status if r.http_status is not None else "-"
            hidden = " (hidden)" if r.hidden else ""
            print(f"{r.status:7} {code!s:>3} {r.id} {r.url}{hidden}" + (f"  {r.detail}" if r.detail else ""))
        tally = {s: sum(r.status == s for r in results) for s in ("alive", "dead", "unknown")}
        print(f"checked {len(results)}: " + ", ".join(f"{v} {k}" for k, v in tally.items()))
    for opp_id, reason in list(counts.index_failures.items())[:5]:
        print(f"  index write failed {opp_id}: {reason}", file=sys.stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    links = sub.add_parser("links", help="check listings' detail links").add_subparsers(
        dest="links_command", required=True, metavar="ACTION"
    )
    p = links.add_parser(
        "check",
        help="check now (robots.txt, one request per host at a time); hide links dead on two checks "
        "a day apart, bring back those that answer again",
    )
    p.add_argument("partners", nargs="*", metavar="PARTNER", help="partner ids")
    p.add_argument("--all", action="store_true", help="every partner")
    p.add_argument(
        "--json", action="store_true", help="one object per listing: id, url, status, http_status, checked_at"
    )
    p.set_defaults(func=cmd_links_check)
