"""Partner pictures on the site: ``/img/<name>`` serves the app's own resized copies
(``volunteer_hub.store.pictures``), and templates ask ``picture(url, width)`` for one.

Only files the cache made are served: nothing is fetched, proxied or redirected here (pictures
are fetched by ``volunteer_hub.services.images`` outside any request). A file's name carries the
hash of its source bytes, so it is served as immutable. Its own blueprint: no language cookie or
``Vary`` header (the public blueprint's) spoils shared caches.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, abort, send_file, url_for

from search_app.services import services
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.store.pictures import PictureCache, media_type

bp = Blueprint("pictures", __name__)
YEAR = 365 * 24 * 3600
CARD_WIDTH = 160  # a card's thumbnail (56 CSS px on up to 3x screens)
DETAIL_WIDTH = 640


def picture_cache() -> PictureCache:
    """The app's picture cache (the directory the settings name)."""
    return PictureCache(services().settings.pictures_dir)


@bp.get("/img/<name>")
def picture_file(name: str) -> Response:
    path = picture_cache().file(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=media_type(name), max_age=YEAR, conditional=True, etag=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def picture(url: str | None, width: int = CARD_WIDTH) -> dict[str, Any] | None:
    """Our copy of the partner picture at ``url`` for ``width`` CSS pixels: ``src`` (on this
    site), ``width``, ``height``; None when it is not cached (the page shows an illustration)."""
    variant = picture_cache().picture(url, width)
    if variant is None:
        return None
    return {
        "src": url_for("pictures.picture_file", name=variant.name),
        "width": variant.width,
        "height": variant.height,
    }


def picture_links(cache: PictureCache, opportunity: Opportunity, base_url: str) -> dict[str, Any] | None:
    """The API's ``picture``: our copies of the listing's picture (else of its organization's
    logo) as absolute URLs under ``base_url``, ``card`` and ``detail`` sizes; None when none is
    kept. The partner's own URLs stay in ``image`` / ``organization.logo`` as data, never for
    display. Needs no request: the CLI prints the same."""
    root = base_url.rstrip("/")
    for url, kind in ((opportunity.image, "image"), (opportunity.organization.logo, "logo")):
        found = cache.pictures(url, (CARD_WIDTH, DETAIL_WIDTH))
        sizes = {"card": found[CARD_WIDTH], "detail": found[DETAIL_WIDTH]}
        if sizes["card"] is None:
            continue
        return {
            "kind": kind,
            **{
                name: {"url": f"{root}/img/{v.name}", "width": v.width, "height": v.height}
                for name, v in sizes.items()
                if v is not None
            },
        }
    return None


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(picture=picture, CARD_WIDTH=CARD_WIDTH, DETAIL_WIDTH=DETAIL_WIDTH)
