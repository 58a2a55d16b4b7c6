"""The ``volunteer-hub`` command line: one entry point, one subcommand per job (a module each)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from volunteer_hub.cli import alerts, crawl, db, images, index, links, partners, quality, search, serve


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # ~0.05 s: only for --version

    try:
        return version("volunteer-hub")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """argparse's ``version`` action, with the version looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **_: object) -> None:
        help_text = "show program's version number and exit"
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help_text)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        print(f"{parser.prog} {package_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="volunteer-hub",
        description="Crawl partner feeds of volunteer opportunities, index them, serve a fr/en search site.",
        epilog="Configuration comes from the environment: VOLUNTEER_HUB_HOME, VOLUNTEER_HUB_SEARCH, "
        "VOLUNTEER_HUB_DATABASE_URL, VOLUNTEER_HUB_ALLOW_PRIVATE_URLS (see the README).",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (serve, crawl, search, index, partners, links, images, quality, alerts, db):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None) == "partners" and hasattr(args, "id"):
        from volunteer_hub.services.partners import partner_id_error

        if error := partner_id_error(args.id):
            parser.error(error)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
