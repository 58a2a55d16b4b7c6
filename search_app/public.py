"""The public site: search page, opportunity page, outbound redirect."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, make_response, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext
from markupsafe import Markup

from indexer.base import SearchResult
from indexer.practical import FACET_VALUES as PRACTICAL_FACETS
from search_app import links
from search_app.clicks import looks_automated, record_click, record_view
from search_app.display import http_url, is_live, map_points
from search_app.filters import FORM_HANDLED, chips, field_label, form_field, parse_search, site_error
from search_app.home import home_context, remember_region, search_region
from search_app.i18n import current_language
from search_app.maps import map_config
from search_app.params import ParameterError, ParsedSearch, max_page
from search_app.qr import qr_svg
from search_app.related import similar, stored_opportunity
from search_app.reports import ReportError, reason_labels, report_token, submit_report
from search_app.services import backend, services
from search_app.share import share_links
from search_app.site import bp
from search_app.structured import opportunity_json_ld
from search_app.understood import understood_context
from search_app.when import PRESETS
from volunteer_hub.core.gazetteer import distance_km
from volunteer_hub.core.html import sanitize
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.places import UnknownPlace, resolve_place
from volunteer_hub.core.taxonomy import CAUSES, cause_label
from volunteer_hub.core.textfold import collation_key
from volunteer_hub.core.timeutil import as_utc

log = logging.getLogger(__name__)

RADIUS_CHOICES = (5, 10, 25, 50, 100)


@bp.get("/")
def search() -> tuple[str, int] | Response:
    lang = current_language()
    try:
        parsed = parse_search(request.args, lang=lang, for_site=True)
    except ParameterError as err:
        return render_template("search.html", **_page_context(None, None), error=_error_text(err)), 400
    result = backend().search(parsed.query)
    page = render_template("search.html", **_page_context(parsed, result), error=None)
    return remember_region(make_response(page, 200), search_region(parsed))


@bp.get("/o/<opportunity_id>")
def detail(opportunity_id: str) -> str | tuple[str, int]:
    opp = _live_or_gone(opportunity_id)
    if isinstance(opp, tuple):
        return opp
    if not looks_automated():
        try:
            record_view(opp)
        except Exception:  # counting must never cost the visitor the page
            log.exception("record_view failed for %s", opp.id)
    return render_template("detail.html", **_detail_context(opp))


@bp.post("/o/<opportunity_id>/report")
def report(opportunity_id: str) -> Response | tuple[str, int]:
    """Store a "report a problem" form, then back to the page with a thank-you note."""
    opp = _live_or_gone(opportunity_id)
    if isinstance(opp, tuple):
        return opp
    try:
        submit_report(opp, request.form.to_dict())
    except ReportError as err:
        messages = {
            "token": gettext("This form has expired. Please reload the page and try again."),
            "reason": gettext("Please choose what is wrong."),
            "comment": gettext("Your comment is too long (at most 1000 characters)."),
            "rate": gettext("You have sent several reports already. Please try again later."),
        }
        status = 429 if err.code == "rate" else 400
        context = _detail_context(opp, report_error=messages[err.code], report_form=request.form)
        return render_template("detail.html", **context), status
    target = url_for("public.detail", opportunity_id=opp.id, reported="1")
    return redirect(f"{target}#report", code=303)


@bp.get("/o/<opportunity_id>/poster")
def poster(opportunity_id: str) -> str | tuple[str, int]:
    """A printable A4 poster with a QR code to the opportunity's page."""
    opp = _live_or_gone(opportunity_id)
    if isinstance(opp, tuple):
        return opp
    url = url_for("public.detail", opportunity_id=opp.id, _external=True)
    return render_template(
        "poster.html",
        opp=opp,
        url=url,
        qr=qr_svg(url, gettext("QR code linking to %(url)s", url=url)),
    )


@bp.get("/favourites")
def favourites() -> str:
    """Favourites live in the visitor's browser (localStorage); favourites.js fills this page."""
    return render_template("favourites.html")


def _detail_context(opp: Opportunity, **extra: Any) -> dict[str, Any]:
    canonical = url_for("public.detail", opportunity_id=opp.id, _external=True)
    origin = _origin(request.args.get("near", ""))
    subject = gettext("A volunteering opportunity: %(title)s", title=opp.title)
    intro = gettext("I found this volunteering opportunity, it might interest you:")
    body = f"{intro}\n{opp.title}\n{canonical}"
    context: dict[str, Any] = {
        "opp": opp,
        # Stored descriptions are sanitized at crawl time; sanitizing again at render time
        # means an index written by anything else still cannot inject markup.
        "description": Markup(sanitize(opp.description)),
        "organization_url": http_url(opp.organization.url),
        "partner_name": services().partner_name(opp.partner),
        "updated": opp.updated or opp.last_seen or opp.first_seen,
        "canonical": canonical,
        "places": _places_with_distance(opp, origin),
        "origin_label": origin[2] if origin else None,
        "share_links": share_links(canonical, opp.title, subject, body),
        "similar": similar(opp, limit=4),
        "report_reasons": reason_labels(),
        "report_token": report_token(opp.id),
        "reported": request.args.get("reported") == "1",
        "report_error": None,
        "report_form": {},
        "json_ld": opportunity_json_ld(opp, canonical),
        "verified_days": _days_since(opp.last_verified),
        "source_url": http_url(opp.url),
        "map_points": map_points(opp),
        "map": None,
        "time_of_week_labels": {
            "weekdays": gettext("Weekdays"),
            "evenings": gettext("Evenings"),
            "weekends": gettext("Weekends"),
        },
    }
    if context["map_points"]:
        context["map"] = map_config()
    context.update(extra)
    return context


def _days_since(moment: datetime | None) -> int | None:
    """Whole days since the link checker last found the page answering; None when never."""
    if moment is None:
        return None
    return max(0, (datetime.now(UTC) - as_utc(moment)).days)


def _origin(near: str) -> tuple[float, float, str] | None:
    """The place a search was made from (``?near=lat,lon`` on links from the results)."""
    near = near.strip()
    if not near or len(near) > 200:
        return None
    try:
        place = resolve_place(near, lang=current_language())  # read as the search read it
    except UnknownPlace:
        return None
    return None if place.point is None else (*place.point, place.label)


def _places_with_distance(opp: Opportunity, origin: tuple[float, float, str] | None) -> list[dict[str, Any]]:
    places: list[dict[str, Any]] = []
    seen: set[str] = set()
    for location in opp.locations:
        label = location.label()
        if not label or label in seen:
            continue
        seen.add(label)
        km = None
        if origin and location.lat is not None and location.lon is not None:
            km = distance_km(origin[0], origin[1], location.lat, location.lon)
        places.append({"label": label, "km": km})
    return places


@bp.get("/go/<opportunity_id>")
def go(opportunity_id: str) -> Response:
    """Send the visitor to the partner's page: only ever the URL stored with the record."""
    opp = _live_or_gone(opportunity_id, copies=True)
    if isinstance(opp, tuple):
        body, status = opp
        return Response(body, status=status, mimetype="text/html")
    target = http_url(opp.url)
    if target is None:
        abort(404)
    if request.method == "GET":  # link checkers and prefetchers send HEAD: not clicks
        try:
            record_click(opp)
        except Exception:  # counting must never cost the visitor the redirect
            log.exception("record_click failed for %s", opp.id)
    response = redirect(target, code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/robots.txt")
def robots() -> Response:
    sitemap = url_for("public.sitemap", _external=True)
    body = f"User-agent: *\nDisallow: /go/\nDisallow: /api/\n\nSitemap: {sitemap}\n"
    return Response(body, mimetype="text/plain")


def _live_or_gone(opportunity_id: str, *, copies: bool = False) -> Opportunity | tuple[str, int]:
    """The live opportunity, or the 410 "no longer available" page (with alternatives) when it
    expired or was removed; unknown ids are a 404.

    Another partner's copy of a listed opportunity (volunteer_hub.store.grouping) redirects to the listed
    one's page, or with ``copies`` is returned itself (the outbound link to that partner)."""
    opp = backend().get(opportunity_id)
    if opp is not None and is_live(opp):
        return opp
    if opp is None:
        stored = stored_opportunity(opportunity_id)
        if stored is not None and stored.listed_as is not None:
            if copies:
                return stored.opportunity
            # The query string rides along as it came: its names are never url_for's own
            # arguments (``?opportunity_id=``, ``?endpoint=``, ``?_method=`` were 500s).
            target = links.with_query(
                url_for("public.detail", opportunity_id=stored.listed_as),
                list(request.args.items(multi=True)),
            )
            abort(redirect(target, code=301))
        opp = stored.opportunity if stored is not None else None
    if opp is None:
        abort(404)
    return render_template("gone.html", opp=opp, alternatives=similar(opp, limit=4)), 410


# -- search page context --------------------------------------------------------------------
def _page_context(parsed: ParsedSearch | None, result: SearchResult | None) -> dict[str, Any]:
    lang = current_language()
    context: dict[str, Any] = {
        "form": _form_values(parsed),
        "hidden": _hidden_fields(parsed),
        "cause_options": sorted(
            ((code, cause_label(code, lang)) for code in CAUSES), key=lambda item: collation_key(item[1])
        ),
        "parsed": parsed,
        "result": result,
        "facets": {"cause": [], "region": [], "practical": []},
        "active_filters": [],
        "pagination": None,
        "radius_choices": RADIUS_CHOICES,
        "when_options": [
            ("", gettext("Any time")),
            ("weekend", gettext("This weekend")),
            ("month", gettext("This month")),
        ],
        "near_param": None,
        "feeds": None,
        "canonical": request.host_url.rstrip("/") + links.search_url(_pairs_for_canonical()),
        "wider_url": None,
        "understood": None,
        # Anything asked beyond the language: a search (compact hero) rather than the home page.
        "searched": any(k not in ("lang",) and v.strip() for k, v in request.args.items(multi=True)),
        "home": None,
        "map": None,
        "drawer_open": False,
        "filter_count": 0,
    }
    drawer = ("radius_km", "cause", "when", "date_from", "date_to", "remote")
    context["filter_count"] = sum(1 for k in drawer if request.args.get(k, "").strip())
    if parsed is None or result is None:
        context["drawer_open"] = True  # an error names a field: show them all
        return context
    shown = result.hits
    if not context["searched"]:
        context["home"] = home_context(result)
        shown = context["home"]["fresh"]["hits"]
    if any(
        hit.opportunity.locations and any(loc.lat is not None for loc in hit.opportunity.locations)
        for hit in shown
    ):
        context["map"] = map_config()
    if parsed.query.near:
        # Detail pages re-read the place as typed ("Rennes"), to name it next to distances.
        typed = (request.args.get("near") or request.args.get("where") or "").strip()
        context["near_param"] = typed or "{:.5f},{:.5f}".format(*parsed.query.near)
        wider = [km for km in RADIUS_CHOICES if km > (parsed.query.radius_km or 0)]
        if wider and not result.total:
            drop = ("radius_km", "page", "lang")
            pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in drop]
            context["wider_url"] = links.search_url([*pairs, ("radius_km", str(wider[-1]))])
    feed_pairs = _pairs_for_canonical()
    context["feeds"] = {
        "rss": links.with_query(url_for("public.feed", fmt="rss"), feed_pairs),
        "atom": links.with_query(url_for("public.feed", fmt="atom"), feed_pairs),
    }
    context["facets"] = {
        "cause": [
            {
                "label": f.label,
                "count": f.count,
                "selected": f.value in parsed.query.causes,
                "url": links.toggle_cause(parsed, f.value),
            }
            for f in result.facets.get("cause", [])
        ],
        "region": [
            {
                "label": f.label,
                "count": f.count,
                "selected": f.value in parsed.query.regions,
                "url": links.toggle_region(parsed, f.value),
            }
            for f in result.facets.get("region", [])
        ],
    }
    context["facets"]["practical"] = _practical_facets(parsed, result)
    context["active_filters"] = chips(parsed)
    context["pagination"] = _pagination(parsed, result)
    context["understood"] = understood_context(parsed, result)
    return context


def _practical_facets(parsed: ParsedSearch, result: SearchResult) -> list[dict[str, Any]]:
    """The practical filters' values as one compact facet group, each toggling its filter."""
    values = []
    for name in PRACTICAL_FACETS:
        asked = parsed.query.filters.get(name)
        for f in result.facets.get(name, []):
            if isinstance(asked, tuple):  # time_of_week: several values
                selected = f.value in asked
                url = links.toggle_value(name, asked, f.value)
            else:
                selected = asked is True if f.value == "true" else asked == f.value
                url = links.with_value(name, None if selected else f.value)
            values.append({"label": f.label, "count": f.count, "selected": selected, "url": url})
    return values


def _form_values(parsed: ParsedSearch | None) -> dict[str, Any]:
    args = request.args
    causes = parsed.query.causes if parsed else [c for c in args.getlist("cause") if c]
    return {
        "q": args.get("q", ""),
        "where": args.get("where") or args.get("near") or "",
        "cause": causes[0] if causes else "",
        "remote": parsed.query.filters.get("remote") is True
        if parsed
        else args.get("remote") in ("1", "true", "yes", "on"),
        "sort": parsed.query.sort if parsed else args.get("sort", "relevance"),
        "has_place": bool(parsed and parsed.query.near),
        "radius_km": _radius_choice(args.get("radius_km")),
        "when": _when_choice(args),
        "date_from": args.get("date_from", ""),
        "date_to": args.get("date_to", ""),
    }


def _when_choice(args: Any) -> str:
    preset = (args.get("when") or "").strip().lower()
    if preset in PRESETS:
        return preset
    return "dates" if args.get("date_from") or args.get("date_to") else ""


def _radius_choice(value: str | None) -> int:
    try:
        radius = float(value or 25)
    except ValueError:
        return 25
    return min(RADIUS_CHOICES, key=lambda choice: abs(choice - radius))


def _pairs_for_canonical() -> list[tuple[str, str]]:
    """The search's own parameters (no language, no page): for canonical and feed URLs."""
    return [(k, v) for k, v in request.args.items(multi=True) if k not in ("lang", "page") and v.strip()]


def _hidden_fields(parsed: ParsedSearch | None) -> list[tuple[str, str]]:
    """Parameters the form does not show but a new search from it should keep."""
    hidden = [(k, v) for k, v in request.args.items(multi=True) if k not in FORM_HANDLED and v.strip()]
    if parsed:
        hidden += [("cause", c) for c in parsed.query.causes[1:]]
        typed = parsed.place.regions if parsed.place else ()  # a region typed in "where" stays there
        hidden += [("region", r) for r in parsed.query.regions if r not in typed]
    else:
        hidden += [("cause", c) for c in request.args.getlist("cause")[1:] if c.strip()]
        hidden += [("region", r) for r in request.args.getlist("region") if r.strip()]
    return hidden


def _pagination(parsed: ParsedSearch, result: SearchResult) -> dict[str, Any]:
    page, per_page = parsed.query.page, parsed.query.per_page
    pages = min(max(1, math.ceil(result.total / per_page)), max_page(per_page))
    return {
        "page": page,
        "pages": pages,
        "prev_url": links.page_url(min(page - 1, pages)) if page > 1 else None,
        "next_url": links.page_url(page + 1) if page < pages else None,
        "past_end": page > pages,
        "first_url": links.page_url(1),
    }


# The inputs partials/search_form.html shows (an error there sits beside its input); an error on
# any other parameter (a hidden one, the sort menu of the results) sits at the top of the form.
_FORM_INPUTS = ("q", "where", "radius_km", "cause", "when", "date_from", "date_to", "remote")


def _error_text(err: ParameterError) -> dict[str, Any]:
    """The visitor-facing error: the message naming the field by its label, in the visitor's language;
    the form input it concerns (None: at the top of the form); a close spelling to try, as a link."""
    problem = site_error(err.parameter) or gettext("this value is not valid. Change it or remove it.")
    label = field_label(err.parameter, current_language())
    field = form_field(err.parameter)
    suggestion = None
    if err.suggestion and field == "where":
        dropped = ("near", "where", "page", "lang")
        kept = [(k, v) for k, v in request.args.items(multi=True) if k not in dropped]
        suggestion = {"label": err.suggestion, "url": links.search_url([*kept, ("where", err.suggestion)])}
    return {
        "parameter": err.parameter,
        "field": field if field in _FORM_INPUTS else None,
        "message": gettext("%(field)s: %(problem)s", field=label, problem=problem),
        "suggestion": suggestion,
    }


@bp.app_template_global()
def format_number(value: float) -> str:
    """A localized number ("1 234,5" in French)."""
    return format_decimal(value, format="#,##0.#")
