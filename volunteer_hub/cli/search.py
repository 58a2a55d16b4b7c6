"""``volunteer-hub search``: query the index like the API does."""

from __future__ import annotations

import argparse
import json
import sys

from volunteer_hub.cli.common import EXIT_FAILED, EXIT_OK, open_context


# -- search ----------------------------------------------------------------------------------
def cmd_search(args: argparse.Namespace) -> int:
    from indexer.base import SearchBackendError
    from search_app.params import ParameterError, query_from_args
    from search_app.serialize import search_payload

    _settings, _db, backend = open_context()
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


def register(sub: argparse._SubParsersAction) -> None:
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
