"""Security headers sent on every response (pages, API, static files, errors); no ``Server`` banner."""

from __future__ import annotations

from flask import Response, g

# No inline script or style anywhere: templates link one stylesheet and no JavaScript.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

# The same policy for the one page other sites may embed in an iframe (/widget).
FRAMEABLE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors *"
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers[name] = value
    response.headers.pop("Server", None)  # name no software or version (gunicorn's is set in cli.server)
    origin = g.get("vh_map_origin")
    if origin:  # a page with a map (search_app.maps): its tiles are images from the tile server
        policy = response.headers["Content-Security-Policy"]
        response.headers["Content-Security-Policy"] = policy.replace(
            "img-src 'self' data:", f"img-src 'self' data: {origin}"
        )
    if g.get("vh_frameable"):  # the embeddable widget (search_app.discover) may be framed anywhere
        response.headers["Content-Security-Policy"] = FRAMEABLE_CONTENT_SECURITY_POLICY
    return response
