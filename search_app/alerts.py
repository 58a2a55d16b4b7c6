"""E-mail alerts on a search, without an account: sign up, confirm (double opt-in), unsubscribe.

``POST /alerts`` takes the search's query string (the site's parameters, read by
``search_app.filters``), an address and a frequency; it stores an unconfirmed ``search_alert``
and e-mails a confirmation link. Links open a page with one button (a POST), so mail scanners
that fetch links confirm or unsubscribe nothing; ``POST /alerts/unsubscribe/<token>`` is also
the RFC 8058 one-click target of the digests' ``List-Unsubscribe`` header. Sign-ups are limited
per client address and per e-mail address (``search_app.ratelimit``). Digests:
``search_app.alert_digest``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from flask import Blueprint, current_app, render_template, request
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from search_app import ratelimit
from search_app.admin.security import no_store
from search_app.alert_mail import (
    MAX_QUERY_LENGTH,
    alert_query,
    compose,
    confirm_url,
    deliver,
    parse_alert_search,
    read_token,
    search_links,
    unavailable_reason,
    unsubscribe_url,
)
from search_app.i18n import LANGUAGES, current_language, remember_language
from search_app.params import ParameterError
from search_app.search_title import search_title
from search_app.services import services
from volunteer_hub.core.ops_config import load_ops_config
from volunteer_hub.store.alerts_models import FREQUENCIES, SearchAlert

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
bp.after_request(remember_language)
bp.after_request(no_store)  # pages about one person's subscription

FORM_MAX_AGE = 24 * 3600  # seconds a rendered sign-up form stays usable
PER_ADDRESS = (5, 3600.0)  # sign-ups per client address: 5 at once, 5 more per hour
PER_EMAIL = (3, 86400.0)  # confirmation mails per e-mail address: 3 at once, 3 more per day
MAX_ALERTS_PER_EMAIL = 20
UNCONFIRMED_LIFETIME = timedelta(days=7)
EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


def _form_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt="volunteer-hub.alert-form")


def form_token() -> str:
    """The sign-up form's token: a post must come from a form we rendered in the last day."""
    return _form_serializer().dumps("alert")


def alert_form_context() -> dict[str, object]:
    """What ``partials/alert_form.html`` needs for the current search (the request's query string)."""
    return {
        "available": unavailable_reason() is None,
        "search": alert_query(list(request.args.items(multi=True))),
        "token": form_token(),
        "frequencies": frequency_labels(),
    }


def frequency_labels() -> list[tuple[str, str]]:
    labels = {"daily": gettext("Daily"), "weekly": gettext("Weekly")}
    return [(f, labels[f]) for f in FREQUENCIES]


def _page(title: str, message: str, status: int = 200, **extra: object) -> tuple[str, int]:
    return render_template("alerts/page.html", title=title, message=message, **extra), status


def _invalid_link() -> tuple[str, int]:
    return _page(
        gettext("This link does not work"),
        gettext("This link is invalid, expired or was already used. You can sign up again from any search."),
        404,
    )


def _db():  # noqa: ANN202 - the shared Database
    return services()._database()  # noqa: SLF001


def _find(token: str, purpose: str) -> SearchAlert | None:
    named = read_token(token, purpose)
    if named is None:
        return None
    alert_id, secret = named
    with _db().session() as s:
        alert = s.get(SearchAlert, alert_id)
        if alert is None or not secrets.compare_digest(alert.secret, secret):
            return None
        s.expunge(alert)
        return alert


def _email_key(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:32]  # the address itself never enters the limiter


@bp.post("")
def subscribe() -> tuple[str, int]:
    form = request.form
    if form.get("website"):  # invisible to people, filled by naive bots
        return _page(gettext("Check your inbox"), gettext("We sent you a link to confirm your alert."))
    try:
        _form_serializer().loads(form.get("token", ""), max_age=FORM_MAX_AGE)
    except BadSignature:
        return _page(
            gettext("Please try again"),
            gettext("This form has expired. Reload the search and try again."),
            400,
        )
    if unavailable_reason() is not None:
        current_app.logger.error("alert sign-up refused: %s", unavailable_reason())
        return _page(
            gettext("E-mail alerts are not available"),
            gettext(
                "This site cannot send e-mail alerts right now. You can follow the search by RSS instead."
            ),
            503,
        )
    email = (form.get("email") or "").strip().lower()
    frequency = form.get("frequency") or "weekly"
    lang = form.get("lang") if form.get("lang") in LANGUAGES else current_language()
    raw_query = form.get("search") or ""
    if len(email) > 254 or not EMAIL.match(email):
        return _page(gettext("Please try again"), gettext("Please enter a valid e-mail address."), 400)
    if frequency not in FREQUENCIES or len(raw_query) > MAX_QUERY_LENGTH:
        return _page(gettext("Please try again"), gettext("Choose a daily or a weekly e-mail."), 400)
    query = alert_query(parse_qsl(raw_query))
    try:
        parse_alert_search(query, lang)
    except ParameterError:
        return _page(
            gettext("Please try again"),
            gettext("This search cannot be followed; change it and try again."),
            400,
        )
    limited = not ratelimit.named(current_app, "alerts", *PER_ADDRESS).allow(request.remote_addr or "unknown")
    limited = limited or not ratelimit.named(current_app, "alerts-email", *PER_EMAIL).allow(_email_key(email))
    if limited:
        return _page(
            gettext("Too many requests"),
            gettext("Too many alert sign-ups in a short time; please try again later."),
            429,
        )
    alert = _upsert_unconfirmed(email, query, lang, frequency)
    if alert is not None:
        _send_confirmation(alert)
    # The same answer whether or not the address already had this alert: it reveals nothing.
    return _page(
        gettext("Check your inbox"),
        gettext("We sent you a link to confirm your alert. Until you open it, we send nothing more."),
    )


def _upsert_unconfirmed(email: str, query: str, lang: str, frequency: str) -> SearchAlert | None:
    """The unconfirmed alert to send a confirmation for; None when there is nothing to confirm."""
    now = datetime.now(UTC)
    with _db().session() as s, s.begin():
        s.execute(
            delete(SearchAlert).where(
                SearchAlert.confirmed_at.is_(None), SearchAlert.created_at < now - UNCONFIRMED_LIFETIME
            )
        )
        existing = s.scalar(select(SearchAlert).where(SearchAlert.email == email, SearchAlert.query == query))
        if existing is not None and existing.confirmed_at is not None:
            return None  # already on: a stranger cannot change it without the owner's links
        if existing is None:
            count = s.scalar(select(func.count()).where(SearchAlert.email == email)) or 0
            if count >= MAX_ALERTS_PER_EMAIL:
                return None
            existing = SearchAlert(email=email, query=query, secret=secrets.token_urlsafe(24), created_at=now)
            s.add(existing)
        existing.lang, existing.frequency = lang, frequency
        s.flush()
        s.expunge(existing)
        return existing


def _send_confirmation(alert: SearchAlert) -> None:
    cfg = load_ops_config()
    with force_locale(alert.lang):
        parsed = parse_alert_search(alert.query, alert.lang)
        title = search_title(parsed, alert.lang)
        body = render_template(
            "alerts/confirm_mail.txt",
            title=title,
            confirm_url=confirm_url(alert),
            frequency=dict(frequency_labels())[alert.frequency],
            links=search_links(alert.query, alert.lang),
        )
        subject = gettext("Confirm your alert: %(title)s", title=title)
    deliver(cfg, compose(cfg, alert, subject, body, unsubscribe=False))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> tuple[str, int]:
    alert = _find(token, "confirm")
    if alert is None:
        return _invalid_link()
    title = search_title(parse_alert_search(alert.query, current_language()), current_language())
    if request.method == "GET" and alert.confirmed_at is None:
        return _page(
            gettext("Confirm your alert"),
            gettext("Receive by e-mail at %(email)s the new missions of this search: %(title)s.",
                    title=title, email=alert.email),
            button=gettext("Confirm my alert"),
        )  # fmt: skip
    if alert.confirmed_at is None:
        now = datetime.now(UTC)
        with _db().session() as s, s.begin():
            row = s.get(SearchAlert, alert.id)
            if row is not None and row.confirmed_at is None:
                row.confirmed_at = now
                row.since = now
    return _page(
        gettext("Your alert is on"),
        gettext("You will receive by e-mail the new missions of this search: %(title)s.", title=title),
        unsubscribe=unsubscribe_url(alert),
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> tuple[str, int]:
    alert = _find(token, "unsubscribe")
    if alert is None:
        if request.method == "POST":  # already unsubscribed: a one-click retry succeeds quietly
            return _page(
                gettext("You are unsubscribed"), gettext("You will not receive this alert any more.")
            )
        return _invalid_link()
    if request.method == "GET":
        return _page(
            gettext("Unsubscribe"),
            gettext("Stop the e-mail alert sent to %(email)s?", email=alert.email),
            button=gettext("Unsubscribe"),
        )
    # A form button or RFC 8058's one-click POST ("List-Unsubscribe=One-Click"): both just unsubscribe.
    with _db().session() as s, s.begin():
        s.execute(delete(SearchAlert).where(SearchAlert.id == alert.id))
    return _page(gettext("You are unsubscribed"), gettext("You will not receive this alert any more."))
