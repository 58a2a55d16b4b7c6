"""What the alert e-mails share: signed links, the search an alert follows, composing and sending.

Links are built from ``VOLUNTEER_HUB_PUBLIC_URL`` only (``search_app.canonical``): without it, or
without SMTP, alerts are off (the sign-up form says so and ``alerts send`` refuses), as partner
sign-in mail is. A link names the alert's (id, secret), signed with the app's secret key;
confirmation links expire after ``CONFIRM_MAX_AGE``, unsubscribe links never do.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qsl, urlencode

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from search_app import links
from search_app.filters import parse_search
from search_app.params import ParsedSearch
from search_app.services import services
from volunteer_hub.core.mail import send_mail
from volunteer_hub.core.ops_config import OpsConfig, load_ops_config
from volunteer_hub.store.alerts_models import SearchAlert

log = logging.getLogger(__name__)

CONFIRM_MAX_AGE = 7 * 24 * 3600  # seconds a confirmation link stays valid
# Not part of what an alert follows: they only change how one page of results is shown.
NOT_FOLLOWED = frozenset({"lang", "page", "per_page", "sort"})
MAX_QUERY_LENGTH = 2000


def _secret() -> str:
    secret = current_app.secret_key or current_app.config.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("the app has no secret key")
    return str(secret)


def confirm_token(alert: SearchAlert) -> str:
    return URLSafeTimedSerializer(_secret(), salt="volunteer-hub.alert-confirm").dumps(
        [alert.id, alert.secret]
    )


def unsubscribe_token(alert: SearchAlert) -> str:
    return URLSafeSerializer(_secret(), salt="volunteer-hub.alert-unsubscribe").dumps(
        [alert.id, alert.secret]
    )


def read_token(token: str, purpose: str) -> tuple[int, str] | None:
    """The (id, secret) a ``purpose`` ("confirm" or "unsubscribe") link names; None if forged or expired."""
    try:
        if purpose == "confirm":
            signer = URLSafeTimedSerializer(_secret(), salt="volunteer-hub.alert-confirm")
            value = signer.loads(token, max_age=CONFIRM_MAX_AGE)
        else:
            value = URLSafeSerializer(_secret(), salt="volunteer-hub.alert-unsubscribe").loads(token)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        return None
    return value[0], str(value[1])


def followed_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The search parameters an alert follows (empty values and page display parameters dropped)."""
    return [(k, v) for k, v in pairs if k not in NOT_FOLLOWED and v.strip()]


def alert_query(pairs: list[tuple[str, str]]) -> str:
    return urlencode(followed_pairs(pairs))


def parse_alert_search(query: str, lang: str) -> ParsedSearch:
    """The alert's search, read by the site's own parser (``ParameterError`` if it no longer parses)."""
    return parse_search(MultiDict(parse_qsl(query)), lang=lang, for_site=True)


def search_links(query: str, lang: str) -> dict[str, str]:
    """Absolute links to the alert's search page and its RSS and Atom feeds."""
    pairs = [*parse_qsl(query), ("lang", lang)]
    return {
        "page": links.with_query(url_for("public.search", _external=True), pairs),
        "rss": links.with_query(url_for("public.feed", fmt="rss", _external=True), pairs),
        "atom": links.with_query(url_for("public.feed", fmt="atom", _external=True), pairs),
    }


def unsubscribe_url(alert: SearchAlert) -> str:
    return url_for("alerts.unsubscribe", token=unsubscribe_token(alert), _external=True)


def confirm_url(alert: SearchAlert) -> str:
    return url_for("alerts.confirm", token=confirm_token(alert), _external=True)


def unavailable_reason(cfg: OpsConfig | None = None) -> str | None:
    """Why alerts cannot be e-mailed here (for the log), or None when they can."""
    cfg = cfg or load_ops_config()
    if not services().settings.public_url:
        return "set VOLUNTEER_HUB_PUBLIC_URL (links are never built from the request's Host header)"
    if not cfg.smtp_host:
        return "set VOLUNTEER_HUB_SMTP_HOST"
    return None


def compose(
    cfg: OpsConfig, alert: SearchAlert, subject: str, body: str, *, unsubscribe: bool
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = cfg.alert_email_from
    message["To"] = alert.email
    message["Content-Language"] = alert.lang
    if unsubscribe:
        # RFC 2369 + RFC 8058: mail clients show "unsubscribe" and POST "List-Unsubscribe=One-Click" there.
        message["List-Unsubscribe"] = f"<{unsubscribe_url(alert)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body)
    return message


def deliver(cfg: OpsConfig, message: EmailMessage) -> bool:
    try:
        send_mail(cfg, message, timeout=20)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("alert e-mail to %s failed: %s", message["To"], exc)
        return False
    return True
