"""Discoverability and reuse: ``sitemap.xml``, RSS/Atom feeds of any search, and the
embeddable widget (``/widget``, the only page other sites may frame) with its snippet page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from flask import Response, abort, g, render_template, request, url_for
from flask_babel import gettext

from search_app import links
from search_app.display import aware, date_range, is_live, place_labels
from search_app.filters import WIDGET_PARAMS, parse_search
from search_app.i18n import current_language
from search_app.params import ParameterError, param_integer
from search_app.search_title import search_title
from search_app.services import backend
from search_app.site import bp
from volunteer_hub.core.taxonomy import CAUSES, cause_label
from volunteer_hub.core.textfold import collation_key, slugify

FEED_DEFAULT_ITEMS = 20
FEED_MAX_ITEMS = 50
WIDGET_DEFAULT_ITEMS = 5
WIDGET_MAX_ITEMS = 20
ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
# Characters XML 1.0 cannot carry, even escaped (NUL, most C0 controls, lone surrogates, U+FFFE/F).
# One of them in a query or a partner's title made the whole feed unparseable for every reader.
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_bytes(root: ET.Element) -> bytes:
    """``root`` serialized, with every text and attribute stripped of XML-illegal characters."""
    for element in root.iter():
        if element.text:
            element.text = XML_ILLEGAL.sub("", element.text)
        for name, value in element.attrib.items():
            element.set(name, XML_ILLEGAL.sub("", value))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# -- sitemap ----------------------------------------------------------------------------------
@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every live opportunity page and every organization page."""
    now = datetime.now(UTC)
    urlset = ET.Element("urlset", xmlns=SITEMAP)

    def add(loc: str, lastmod: datetime | None = None) -> None:
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = loc
        if lastmod is not None:
            ET.SubElement(url, "lastmod").text = aware(lastmod).date().isoformat()  # type: ignore[union-attr]

    add(url_for("public.search", _external=True))
    organizations: dict[str, datetime | None] = {}
    for opp in backend().export():
        if not is_live(opp, now):
            continue
        changed = opp.updated or opp.last_seen or opp.posted
        add(url_for("public.detail", opportunity_id=opp.id, _external=True), changed)
        slug = slugify(opp.organization.name or "")
        if slug:
            known = organizations.get(slug)
            if changed and (known is None or aware(changed) > aware(known)):  # type: ignore[operator]
                organizations[slug] = changed
            else:
                organizations.setdefault(slug, None)
    for slug in sorted(organizations):
        add(url_for("public.organization", slug=slug, _external=True), organizations[slug])
    body = xml_bytes(urlset)
    response = Response(body, mimetype="application/xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# -- feeds ------------------------------------------------------------------------------------
@bp.get("/feeds/search.<fmt>")
def feed(fmt: str) -> Response:
    """The search described by the query string (same parameters as the site) as RSS 2.0 or Atom."""
    if fmt not in FEED_TYPES:
        abort(404)
    args = request.args.copy()
    if not args.get("sort"):
        args["sort"] = "newest"
    if not args.get("per_page"):
        args["per_page"] = str(FEED_DEFAULT_ITEMS)
    try:
        parsed = parse_search(args, lang=current_language(), for_site=True)
    except ParameterError as err:
        message = f"Invalid parameter {err.parameter}: {err.message}\n"
        return Response(message, status=400, mimetype="text/plain")
    query = parsed.query
    query.per_page = min(query.per_page, FEED_MAX_ITEMS)
    result = backend().search(query)
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in ("lang", "page") and v.strip()]
    page_url = links.with_query(url_for("public.search", _external=True), pairs)
    self_url = request.url
    title = f"{search_title(parsed, current_language())} · Volunteer Hub"
    items = [_feed_item(hit.opportunity) for hit in result.hits]
    body = _rss(title, page_url, self_url, items) if fmt == "rss" else _atom(title, page_url, self_url, items)
    response = Response(body, mimetype=FEED_TYPES[fmt])
    response.headers["Cache-Control"] = "public, max-age=900"
    return response


def _feed_item(opp: Any) -> dict[str, Any]:
    where = gettext("Remote") if opp.remote else ""
    places = ", ".join(place_labels(opp)[:3])
    where = " · ".join(p for p in (where, places) if p)
    lines = [opp.organization.name or "", where, date_range(opp), opp.summary or ""]
    return {
        "title": opp.title,
        "url": url_for("public.detail", opportunity_id=opp.id, _external=True),
        "summary": "\n".join(line for line in lines if line),
        "published": aware(opp.posted or opp.first_seen or opp.updated) or datetime.now(UTC),
        "updated": aware(opp.updated or opp.posted or opp.first_seen) or datetime.now(UTC),
        "author": opp.organization.name or opp.partner,
        "categories": [cause_label(c, current_language()) for c in opp.causes],
    }


def _rss(title: str, page_url: str, self_url: str, items: list[dict[str, Any]]) -> bytes:
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = title
    ET.SubElement(channel, "link").text = page_url
    description = gettext("New volunteering opportunities matching this search.")
    ET.SubElement(channel, "description").text = description
    ET.SubElement(channel, "language").text = current_language()
    ET.SubElement(channel, "atom:link", {"href": self_url, "rel": "self", "type": FEED_TYPES["rss"]})
    for item in items:
        node = ET.SubElement(channel, "item")
        ET.SubElement(node, "title").text = item["title"]
        ET.SubElement(node, "link").text = item["url"]
        ET.SubElement(node, "guid", isPermaLink="true").text = item["url"]
        ET.SubElement(node, "description").text = item["summary"]
        ET.SubElement(node, "pubDate").text = format_datetime(item["published"].astimezone(UTC), usegmt=True)
        for category in item["categories"]:
            ET.SubElement(node, "category").text = category
    return xml_bytes(rss)


def _atom(title: str, page_url: str, self_url: str, items: list[dict[str, Any]]) -> bytes:
    feed_el = ET.Element("feed", {"xmlns": ATOM, "xml:lang": current_language()})
    ET.SubElement(feed_el, "title").text = title
    ET.SubElement(feed_el, "id").text = self_url
    ET.SubElement(feed_el, "link", rel="alternate", type="text/html", href=page_url)
    ET.SubElement(feed_el, "link", rel="self", type=FEED_TYPES["atom"], href=self_url)
    newest = max((item["updated"] for item in items), default=datetime.now(UTC))
    ET.SubElement(feed_el, "updated").text = newest.astimezone(UTC).isoformat()
    ET.SubElement(ET.SubElement(feed_el, "author"), "name").text = "Volunteer Hub"
    for item in items:
        entry = ET.SubElement(feed_el, "entry")
        ET.SubElement(entry, "title").text = item["title"]
        ET.SubElement(entry, "id").text = item["url"]
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=item["url"])
        ET.SubElement(entry, "published").text = item["published"].astimezone(UTC).isoformat()
        ET.SubElement(entry, "updated").text = item["updated"].astimezone(UTC).isoformat()
        ET.SubElement(ET.SubElement(entry, "author"), "name").text = item["author"]
        ET.SubElement(entry, "summary", type="text").text = item["summary"]
        for category in item["categories"]:
            ET.SubElement(entry, "category", term=category)
    return xml_bytes(feed_el)


# -- widget -----------------------------------------------------------------------------------
@bp.get("/widget")
def widget() -> tuple[str, int]:
    """A compact list for other sites' iframes: the one page with ``frame-ancestors *``."""
    g.vh_frameable = True  # read by search_app.security
    try:  # a missing or invalid limit shows the default number of items
        per_page = param_integer(
            request.args, "limit", default=WIDGET_DEFAULT_ITEMS, low=1, high=WIDGET_MAX_ITEMS
        )
    except ParameterError:
        per_page = WIDGET_DEFAULT_ITEMS
    args = request.args.copy()
    args["per_page"] = str(per_page)
    args.setdefault("sort", "soonest")
    args.poplist("page")
    try:
        query = parse_search(args, lang=current_language(), for_site=True).query
    except ParameterError as err:
        return render_template("widget.html", error=err.parameter, result=None, more_url=None), 400
    result = backend().search(query)
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k in WIDGET_PARAMS and v.strip()]
    more_url = links.with_query(url_for("public.search", _external=True), pairs)
    return render_template("widget.html", error=None, result=result, more_url=more_url), 200


@bp.get("/widget/builder")
def widget_builder() -> str:
    """Choose a filter, preview the widget and copy the iframe snippet."""
    lang = current_language()
    pairs = [(k, v.strip()) for k, v in request.args.items(multi=True) if k in WIDGET_PARAMS and v.strip()]
    if request.args.get("lang") in ("fr", "en"):
        pairs.append(("lang", request.args["lang"]))
    else:
        pairs.append(("lang", lang))
    try:
        parse_search(request.args, lang=lang, for_site=True)
        error = None
    except ParameterError as err:
        error = err.parameter
    widget_url = links.with_query(url_for("public.widget", _external=True), pairs)
    title = gettext("Volunteering opportunities")
    snippet = (
        f'<iframe src="{widget_url}" title="{title}" width="100%" height="520" loading="lazy" '
        f'style="border:0;max-width:40rem"></iframe>'
    )
    return render_template(
        "widget_builder.html",
        widget_url=widget_url,
        snippet=snippet,
        error=error,
        values={k: request.args.get(k, "") for k in WIDGET_PARAMS},
        cause_options=sorted(((c, cause_label(c, lang)) for c in CAUSES), key=lambda i: collation_key(i[1])),
        widget_lang=dict(pairs)["lang"],
    )
