"""The site's maps: the tile server setting for templates, and the page's CSP allowance for it.

Leaflet itself is vendored in static/vendor/leaflet (scripts/vendor_leaflet.sh) and loaded only by
pages with a map; tiles come from ``VOLUNTEER_HUB_MAP_TILES`` (OpenStreetMap's by default).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import g

from search_app.services import services


def tile_origin(template: str) -> str:
    """The CSP source of a tile URL template ("https://{s}.tile.example" -> "https://*.tile.example")."""
    parts = urlsplit(template.replace("{s}", "a"))
    host = parts.netloc
    if "{s}" in template.split("://", 1)[-1].split("/", 1)[0]:
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return f"{parts.scheme}://{host}"


def map_config() -> dict[str, str]:
    """What a page with a map needs; lets this response's images come from the tile server."""
    settings = services().settings
    g.vh_map_origin = tile_origin(settings.map_tiles)
    return {"tiles": settings.map_tiles, "attribution": settings.map_attribution}
