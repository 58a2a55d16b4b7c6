"""``volunteer-hub quality``: the staleness rules (services.staleness), applied now."""

from __future__ import annotations

import argparse
import json
import sys

from volunteer_hub.cli.common import EXIT_OK, open_context


def cmd_quality_stale(args: argparse.Namespace) -> int:
    from indexer.sync import push_pending
    from volunteer_hub.services.staleness import apply_staleness

    settings, db, backend = open_context()
    report = apply_staleness(db, settings)  # type: ignore[arg-type]
    counts = push_pending(db, backend)  # type: ignore[arg-type]
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        rules = ", ".join(f"{k} {v}" for k, v in sorted(report.flagged.items())) or "none"
        print(f"checked {report.checked}: stale by rule: {rules}; hidden by any rule: {report.hidden}")
    for opp_id, reason in list(counts.index_failures.items())[:5]:
        print(f"  index write failed {opp_id}: {reason}", file=sys.stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    quality = sub.add_parser("quality", help="listing quality rules").add_subparsers(
        dest="quality_command", required=True, metavar="ACTION"
    )
    p = quality.add_parser("stale", help="flag or hide listings their partner has not updated for months")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_quality_stale)
