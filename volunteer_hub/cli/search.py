"""``volunteer-hub search``: query the index like the API does."""

from __future__ import annotations

import argparse
import json
import sys

from search_app.filters import PARAMETERS, cli_pairs, parse_search
from volunteer_hub.cli.common import EXIT_FAILED, EXIT_OK, open_context


# -- search ----------------------------------------------------------------------------------
def cmd_search(args: argparse.Namespace) -> int:
    from werkzeug.datastructures import MultiDict

    from indexer.base import SearchBackendError
    from search_app.params import ParameterError
    from search_app.serialize import search_payload
    from volunteer_hub.store.pictures import PictureCache

    settings, _db, backend = open_context()
    try:
        parsed = parse_search(MultiDict(cli_pairs(vars(args))))
        query = parsed.query
        result = backend.search(query)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except SearchBackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    # Links as the API gives them: absolute under the public URL when one is set.
    pictures = PictureCache(settings.pictures_dir)
    payload = search_payload(
        result, query, base_url=settings.public_url or "", place=parsed.place, pictures=pictures
    )
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"{payload['total']} opportunities (page {payload['page']})")
    place = payload["place"]
    if place:  # how --near was understood: a region is searched whole, a city around its point
        around = f" within {place['radius_km']:g} km" if place["radius_km"] else ""
        print(f"place: {place['label']} ({place['kind']}){around}")
    for item in payload["items"]:
        places = ", ".join(loc.get("city") or loc.get("region") or "" for loc in item["locations"]) or (
            "remote" if item["remote"] else "-"
        )
        dist = f" [{item['distance_km']:.1f} km]" if item.get("distance_km") is not None else ""
        print(f"- {item['title']} — {item['organization']['name'] or '?'} ({places}){dist}")
        print(f"  {', '.join(item['causes'])} | {item['url']}")
    for facet, values in payload["facets"].items():
        if not values and facet not in ("cause", "region"):
            continue  # practical facets: only those with a count
        print(f"{facet}: " + ", ".join(f"{v['label']} ({v['count']})" for v in values[:8]))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="query the index like the API does")
    for parameter in PARAMETERS:  # the options of the search parameters (search_app.filters)
        option = parameter.cli
        if option is None:
            continue
        if option.kind == "words":
            p.add_argument(parameter.name, nargs="*", metavar=option.flag, help=option.help)
        elif option.kind == "list":
            p.add_argument(
                option.flag, dest=parameter.name, action="append", default=[], choices=option.choices,
                help=option.help,
            )  # fmt: skip
        elif option.kind == "switch":
            p.add_argument(option.flag, dest=parameter.name, action="store_true", help=option.help)
        else:
            p.add_argument(
                option.flag, dest=parameter.name, type=option.type, choices=option.choices, help=option.help
            )
    p.add_argument("--json", action="store_true", help="print exactly the API's JSON body")
    p.set_defaults(func=cmd_search)
