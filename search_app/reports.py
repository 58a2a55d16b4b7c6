"""“Report a problem” on an opportunity page -> ``problem_report`` (the operators' moderation queue).

The form carries a signed, timestamped token naming the opportunity (itsdangerous, keyed
with the app's secret key): a report can only be posted from a page we rendered recently,
for that opportunity. Reports are anonymous, so there is no session to protect; the token,
a honeypot field and a small per-address rate limit keep scripted spam out.
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer

from search_app import ratelimit
from search_app.clicks import database
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.store.public_models import REPORT_REASONS, ProblemReport

TOKEN_MAX_AGE = 24 * 3600  # seconds a rendered form stays usable
MAX_COMMENT = 1000
RATE_LIMIT = 5  # reports per address at once...
RATE_WINDOW = 600.0  # ...that many again over this many seconds (search_app.ratelimit)


def reason_labels() -> list[tuple[str, str]]:
    """``(reason, label)`` in the visitor's language, in ``REPORT_REASONS`` order."""
    labels = {
        "expired": gettext("It has expired or is already full"),
        "broken-link": gettext("The link to the partner's site does not work"),
        "not-volunteering": gettext("It is not really volunteering (paid job, sales, fees…)"),
        "inappropriate": gettext("It is inappropriate, offensive or misleading"),
    }
    return [(reason, labels[reason]) for reason in REPORT_REASONS]


class ReportError(ValueError):
    """The report was refused; ``code`` says why (``token``, ``reason``, ``comment``, ``rate``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _serializer() -> URLSafeTimedSerializer:
    secret = current_app.secret_key or current_app.config.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("the app has no secret key")
    return URLSafeTimedSerializer(secret, salt="volunteer-hub.problem-report")


def report_token(opportunity_id: str) -> str:
    return _serializer().dumps(opportunity_id)


def _check_token(token: str, opportunity_id: str) -> None:
    try:
        signed = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        raise ReportError("token") from None
    if signed != opportunity_id:
        raise ReportError("token")


def _rate_limited(address: str) -> bool:
    return not ratelimit.named(current_app, "reports", RATE_LIMIT, RATE_WINDOW).allow(address)


def submit_report(opp: Opportunity, form: dict[str, str]) -> ProblemReport | None:
    """Validate and store a report; None when the honeypot was filled (silently dropped)."""
    _check_token(form.get("token", ""), opp.id)
    if form.get("website"):  # invisible to people, filled by naive bots
        return None
    reason = form.get("reason", "")
    if reason not in REPORT_REASONS:
        raise ReportError("reason")
    comment = (form.get("comment") or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ReportError("comment")
    if _rate_limited(request.remote_addr or "?"):
        raise ReportError("rate")
    report = ProblemReport(opportunity_id=opp.id, partner_id=opp.partner, reason=reason, comment=comment)
    with database().session() as s:
        s.add(report)
        s.commit()
    return report
