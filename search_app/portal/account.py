"""Partner accounts: single-use login links, and the partner's own dashboard (``/partners/me``).

A link is created by an operator (console, partner page) or requested by the partner at
``/partners/login`` with its contact e-mail: it is e-mailed when SMTP is configured, otherwise
written to the server log (development). Opening it starts a session for that one partner;
every page reads the partner id from the session only, so a partner never sees another's data.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from sqlalchemy import func, select, update
from werkzeug.wrappers import Response

from search_app.admin.data import grouped_errors, last_run_with_errors, recent_runs
from search_app.admin.security import check_csrf
from search_app.portal.blueprint import LIMITS, bp, rate_limited_message
from search_app.portal.stats import partner_stats
from search_app.rule_labels import rule_label
from search_app.services import services
from search_app.sessions import SESSION_LIFETIME
from volunteer_hub.core.mail import send_mail
from volunteer_hub.core.ops_config import OpsConfig, load_ops_config
from volunteer_hub.services.health import HealthState, partner_health
from volunteer_hub.services.links import broken_links
from volunteer_hub.services.moderation import flagged_listings
from volunteer_hub.store.db import Database, Partner, StoredOpportunity
from volunteer_hub.store.ops_models import PartnerAccess
from volunteer_hub.store.states import OpportunityState, PartnerStatus

log = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(hours=24)


def _fix_hints() -> tuple[tuple[str, str], ...]:
    """(field name fragment, hint), first match wins; in the request's language."""
    return (
        ("title", gettext("Give every item a title.")),
        ("url", gettext("Give every item the full address of its page on your site (https://…).")),
        ("description", gettext("Describe the mission in a few sentences.")),
        ("location", gettext("Give a city and a postal code, or say the mission is remote.")),
        ("dates", gettext("Write dates as YYYY-MM-DD; the end must not be before the start.")),
        ("id", gettext("Give every item its own unique id.")),
    )


def fix_hint(fields: list[str]) -> str:
    hints = _fix_hints()
    for field in fields:
        for key, hint in hints:
            if key in (field or "").lower():
                return hint
    return gettext("Correct this field in your feed; the message says what we expected.")


def health_text(state: str, message: str) -> str:
    """The feed's health for its partner: a sentence for every state of the health rules; a state
    it does not know never reads as fine."""
    if state == HealthState.FAILING:
        return gettext("We could not read your feed at the last attempts: %(reason)s", reason=message)
    if state == HealthState.SHRINK_GUARDED:
        return gettext(
            "Your feed suddenly lost many items, so we kept the previous ones online: %(reason)s",
            reason=message,
        )
    texts = {
        HealthState.OK: gettext("Everything is fine."),
        HealthState.DIRECT: gettext("Everything is fine."),
        HealthState.STALE: gettext("We have not read your feed successfully for a while."),
        HealthState.PAUSED: gettext("Updates of your feed are paused by our team."),
        HealthState.NEW: gettext("Your feed will be read soon."),
        HealthState.PENDING: gettext("Your feed is waiting for our team's approval."),
        HealthState.REJECTED: gettext("Your feed was not accepted by our team."),
    }
    return texts.get(state) or gettext("We cannot tell the state of your feed right now.")


def _db() -> Database:
    return services()._database()  # noqa: SLF001 - the shared, lazily opened database


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_login_token(db: Database, partner_id: str) -> str:
    """A new single-use token for ``partner_id``, valid ``LINK_LIFETIME``."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with db.session() as s, s.begin():
        s.add(
            PartnerAccess(
                partner_id=partner_id, token_hash=_hash(token), created_at=now, expires_at=now + LINK_LIFETIME
            )
        )
    return token


def consume_login_token(db: Database, token: str) -> str | None:
    """The partner id of a valid, unused link, marking it used; None otherwise. One conditional
    UPDATE: of any number of simultaneous uses, exactly one sees its row change."""
    now = datetime.now(UTC)
    token_hash = _hash(token)
    with db.session() as s, s.begin():
        used = s.execute(
            update(PartnerAccess)
            .where(
                PartnerAccess.token_hash == token_hash,
                PartnerAccess.used_at.is_(None),
                PartnerAccess.expires_at > now,
            )
            .values(used_at=now)
        ).rowcount
        if used != 1:
            return None
        return s.scalar(select(PartnerAccess.partner_id).where(PartnerAccess.token_hash == token_hash))


def login_url(token: str) -> str:
    return url_for("portal.login_with_token", token=token, _external=True)


def send_login_link(cfg: OpsConfig, partner: Partner, link: str, public_url: str | None) -> bool:
    """E-mail the link to the partner's contact (SMTP); without SMTP, log it (development).

    Refused without a configured public URL: the link would then follow the request's Host
    header, which any client chooses (search_app.canonical)."""
    if not cfg.smtp_host or not partner.contact_email:
        log.warning("partner sign-in link for %s (no SMTP configured): %s", partner.id, link)
        return False
    if not public_url:
        log.error(
            "sign-in link for %s not e-mailed: set VOLUNTEER_HUB_PUBLIC_URL (links are never built "
            "from the request's Host header)",
            partner.id,
        )
        return False
    message = EmailMessage()
    message["Subject"] = "Volunteer Hub: votre lien de connexion / your sign-in link"
    message["From"] = cfg.alert_email_from
    message["To"] = partner.contact_email
    message.set_content(
        f"Bonjour / Hello {partner.name},\n\n"
        f"Lien de connexion (valable 24 h, une seule fois) / Sign-in link (24 h, single use):\n{link}\n"
    )
    try:
        send_mail(cfg, message, timeout=10)
        return True
    except (OSError, smtplib.SMTPException) as exc:
        log.error("sign-in link e-mail to %s failed: %s", partner.id, exc)
        return False


def current_partner() -> Partner | None:
    partner_id = session.get("partner_id")
    if (
        not partner_id
        or time.time() - (session.get("partner_login_at") or 0) > SESSION_LIFETIME.total_seconds()
    ):
        return None
    return _db().partner(partner_id)


# -- routes ------------------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
def login() -> str | tuple[str, int]:
    if request.method == "GET":
        return render_template("portal/login.html", sent=False)
    check_csrf()
    email = (request.form.get("email") or "").strip().lower()
    if not current_app.extensions[LIMITS].allow(f"login:{request.remote_addr}"):
        return render_template("portal/login.html", sent=False, error=rate_limited_message()), 429
    if email:
        with _db().session() as s:
            partners = list(
                s.scalars(
                    select(Partner).where(
                        func.lower(Partner.contact_email) == email,
                        Partner.status.in_((PartnerStatus.APPROVED, PartnerStatus.PENDING)),
                    )
                )
            )
        cfg = load_ops_config()
        for partner in partners:
            link = login_url(create_login_token(_db(), partner.id))
            send_login_link(cfg, partner, link, services().settings.public_url)
    return render_template("portal/login.html", sent=True)


@bp.get("/login/<token>")
def login_with_token(token: str) -> Response | tuple[str, int]:
    partner_id = consume_login_token(_db(), token)
    if partner_id is None or _db().partner(partner_id) is None:
        error = gettext("This sign-in link is invalid, expired or already used. Ask for a new one.")
        return render_template("portal/login.html", sent=False, error=error), 403
    csrf = session.get("csrf")
    session.clear()
    session.permanent = True
    session["partner_id"] = partner_id
    session["partner_login_at"] = int(time.time())
    if csrf:
        session["csrf"] = csrf
    return redirect(url_for("portal.me"))


@bp.post("/logout")
def logout() -> Response:
    check_csrf()
    session.pop("partner_id", None)
    session.pop("partner_login_at", None)
    return redirect(url_for("portal.login"))


@bp.get("/me")
def me() -> str | Response:
    partner = current_partner()
    if partner is None:
        return redirect(url_for("portal.login"))
    db = _db()
    runs = recent_runs(db, partner.id, limit=10)
    errors_run = last_run_with_errors(runs)
    groups = [g for g in grouped_errors(db, errors_run, examples=10) if g["severity"] == "error"]
    for group in groups:
        group["hint"] = fix_hint(group["fields"])
    health = partner_health(db, partner, load_ops_config())
    stats = partner_stats(db, partner.id)
    titles: dict[str, Any] = {}
    live = 0
    with db.session() as s:
        ids = {row.opportunity_id for row in stats}
        if ids:
            for opp_id, data, state in s.execute(
                select(StoredOpportunity.id, StoredOpportunity.data, StoredOpportunity.state).where(
                    StoredOpportunity.id.in_(ids)
                )
            ):
                titles[opp_id] = {
                    "title": (data or {}).get("title") or opp_id,
                    "live": state == OpportunityState.LIVE,
                }
        live = s.scalar(
            select(func.count()).where(
                StoredOpportunity.partner_id == partner.id, StoredOpportunity.state == OpportunityState.LIVE
            )
        )
        # Listings another partner also publishes, shown once under the record seen first.
        shared = s.scalar(
            select(func.count()).where(
                StoredOpportunity.partner_id == partner.id,
                StoredOpportunity.state == OpportunityState.LIVE,
                StoredOpportunity.duplicate_of.is_not(None),
            )
        )
    message = health.last_run.message if health.last_run and health.last_run.message else ""
    return render_template(
        "portal/me.html",
        broken=broken_links(db, partner.id),
        flagged=flagged_listings(db, partner.id),
        rule_label=rule_label,
        partner=partner,
        runs=runs,
        errors=groups,
        errors_run=errors_run,
        health=health,
        health_text=health_text(health.state, message),
        stats=stats,
        titles=titles,
        live=live,
        shared=shared,
    )
