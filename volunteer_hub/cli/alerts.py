"""``volunteer-hub alerts``: e-mail alerts on searches (sign-up is on the site, ``/alerts``)."""

from __future__ import annotations

import argparse
import sys

from volunteer_hub.cli.common import EXIT_FAILED, EXIT_OK


def cmd_alerts_send(args: argparse.Namespace) -> int:
    from search_app import create_app
    from search_app.alert_digest import AlertsUnavailable, send_digests
    from volunteer_hub.core.config import load_settings

    app = create_app({"SETTINGS": load_settings()})
    try:
        report = send_digests(app, args.frequency)
    except AlertsUnavailable as exc:
        print(f"error: alert e-mails are off: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"alert digests: {report.due} due, {report.sent} sent, {report.failed} failed")
    return EXIT_OK if not report.failed else EXIT_FAILED


def register(sub: argparse._SubParsersAction) -> None:
    alerts = sub.add_parser("alerts", help="e-mail alerts on searches").add_subparsers(
        dest="alerts_command", required=True, metavar="ACTION"
    )
    p = alerts.add_parser(
        "send",
        help="e-mail each due alert the listings new since its last digest (the scheduler runs it daily)",
    )
    p.add_argument(
        "--frequency", choices=("daily", "weekly"), help="only alerts of this frequency (default: both)"
    )
    p.set_defaults(func=cmd_alerts_send)
