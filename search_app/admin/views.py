"""Console pages and actions. Every action is a POST form with a CSRF token; GETs change nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select, update
from werkzeug.wrappers import Response

from indexer.sync import push_pending
from search_app.admin import data
from search_app.admin.context import database, ops_config
from search_app.admin.security import csrf_token, guard, log_in, log_out, no_store, safe_next
from search_app.i18n import remember_language
from search_app.rule_labels import rule_label
from search_app.services import services
from volunteer_hub.core.cron import CRON_TIMEZONE
from volunteer_hub.services import partners
from volunteer_hub.services.alerts import evaluate_partner
from volunteer_hub.services.dispatch import spawn_crawl_in_background
from volunteer_hub.services.health import partner_health
from volunteer_hub.services.links import dead_link_rates
from volunteer_hub.services.moderation import flagged_listings, override
from volunteer_hub.services.partners import MAX_INTERVAL, MIN_INTERVAL
from volunteer_hub.services.scheduler_status import next_run_times, scheduler_status
from volunteer_hub.store.auth import authenticate, end_sessions
from volunteer_hub.store.db import CrawlRun, Database, Partner, StoredOpportunity
from volunteer_hub.store.flags import trust_counts
from volunteer_hub.store.login_throttle import ACCOUNT_DELAY
from volunteer_hub.store.ops_models import AlertIncident
from volunteer_hub.store.public_models import ProblemReport
from volunteer_hub.store.runs import AlreadyRunning, running_run
from volunteer_hub.store.states import OpportunityState, PartnerStatus, PostingStatus

log = logging.getLogger(__name__)

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(guard)
bp.after_request(no_store)
bp.after_request(remember_language)  # ?lang= sticks, as on the public site


def _open_reports() -> int:
    if g.get("operator") is None:
        return 0
    with database().session() as s:
        return s.scalar(select(func.count()).where(ProblemReport.status == "open")) or 0


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    return {
        "csrf_token": csrf_token,
        "ago": data.age,
        "status_colours": data.STATUS_COLOURS,
        "open_reports": _open_reports,
        "rule_label": rule_label,
    }


def _partner_or_404(partner_id: str) -> Partner:
    partner = database().partner(partner_id)
    if partner is None:
        abort(404)
    return partner


def _search_status() -> tuple[bool, str]:
    try:
        return services().backend.health()
    except Exception as exc:  # noqa: BLE001
        return False, f"error: {exc.__class__.__name__}"


# -- login / logout ------------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        if g.operator is not None:
            return redirect(url_for("admin.overview"))
        return render_template("admin/login.html", error=None, email="", next=request.args.get("next", ""))
    email = request.form.get("email", "")
    result = authenticate(
        database(),
        email,
        request.form.get("password", ""),
        address=request.remote_addr or "unknown",
        account_delay=float(current_app.config.get("LOGIN_ACCOUNT_DELAY", ACCOUNT_DELAY)),
    )
    if result.ok and result.operator_id is not None:
        log_in(result.operator_id, result.email or email, result.session_version)
        return redirect(safe_next(request.form.get("next")) or url_for("admin.overview"))
    # One answer for an unknown e-mail and a wrong password (no account is ever locked); the
    # throttle's answer depends on the client's address only, never on the account existing.
    status = 401
    error = gettext("Wrong e-mail or password.")
    if result.throttled:
        status = 429
        minutes = max(1, -(-result.retry_after // 60))
        error = gettext(
            "Too many failed attempts from your address. Try again in %(minutes)s min.", minutes=minutes
        )
    page = render_template("admin/login.html", error=error, email=email, next=request.form.get("next", ""))
    response = make_response(page, status)
    if result.throttled:
        response.headers["Retry-After"] = str(result.retry_after)
    return response


@bp.post("/logout")
def logout() -> Response:
    end_sessions(database(), g.operator.id)  # every session of this operator, not only this one
    log_out()
    flash(gettext("You are logged out."))
    return redirect(url_for("admin.login"))


# -- pages ---------------------------------------------------------------------------------------
@bp.get("/")
def overview() -> str:
    db, cfg = database(), ops_config()
    rows = data.partner_rows(db, cfg)
    return render_template(
        "admin/overview.html",
        rows=rows,
        summary=data.health_summary(rows),
        runs=data.recent_runs(db, limit=20),
        scheduler=scheduler_status(db),
        search=_search_status(),
        flagged=[r for r in rows if r.incidents],
        names={r.partner.id: r.partner.name for r in rows},
        links=dead_link_rates(db),
    )


@bp.get("/partners/<partner_id>")
def partner(partner_id: str) -> str:
    db, cfg = database(), ops_config()
    p = _partner_or_404(partner_id)
    runs = data.recent_runs(db, partner_id, limit=30)
    errors_run = data.last_run_with_errors(runs)
    with db.session() as s:
        incidents = (
            s.query(AlertIncident)
            .filter(AlertIncident.partner_id == partner_id)
            .order_by(AlertIncident.id.desc())
            .limit(10)
            .all()
        )
    return render_template(
        "admin/partner.html",
        p=p,
        health=partner_health(db, p, cfg),
        runs=runs,
        chart=data.run_chart(runs),
        problem_run=data.last_problem_run(runs),
        errors_run=errors_run,
        errors=data.grouped_errors(db, errors_run),
        live=partners.overview(db, partner_id).live,
        links=dead_link_rates(db).get(partner_id),
        rules=_rule_counts(db, partner_id),
        next_run=next_run_times(db).get(partner_id),
        running=running_run(db, partner_id),
        incidents=incidents,
        log=data.log_tail(runs[0].log_file if runs else None, services().settings.logs_dir),
        min_interval=MIN_INTERVAL,
        max_interval=MAX_INTERVAL,
        cron_timezone=CRON_TIMEZONE,
        stale_default=services().settings.stale_not_updated_months,
        max_stale=partners.MAX_STALE_MONTHS,
    )


@bp.get("/runs/<int:run_id>")
def run(run_id: int) -> str:
    db = database()
    with db.session() as s:
        record = s.get(CrawlRun, run_id)
    if record is None:
        abort(404)
    return render_template(
        "admin/run.html",
        run=record,
        p=db.partner(record.partner_id),
        errors=data.grouped_errors(db, record, examples=20),
        log=data.log_tail(record.log_file, services().settings.logs_dir, size=32000),
    )


# -- actions -------------------------------------------------------------------------------------
def _rule_counts(db: Database, partner_id: str) -> dict[str, int]:
    with db.session() as s:
        return {k: v for k, v in trust_counts(s, partner_id).items() if v}


def _back(partner_id: str) -> Response:
    return redirect(url_for("admin.partner", partner_id=partner_id))


def _act(action: Callable[..., Partner], partner_id: str, **values: object) -> Partner | None:
    """Run a partners-service action; a refusal becomes an error flash (and None), a missing partner 404."""
    try:
        return action(database(), partner_id, **values)
    except partners.PartnerNotFound:
        abort(404)
    except partners.CronError as exc:
        flash(
            gettext(
                "Invalid cron expression “%(expr)s”: %(reason)s. Nothing was saved.",
                expr=exc.expr,
                reason=exc.reason,
            ),
            "error",
        )
    except partners.PartnerError as exc:
        flash(str(exc), "error")
    return None


@bp.post("/partners/<partner_id>/run")
def run_now(partner_id: str) -> Response:
    p = _partner_or_404(partner_id)
    if p.format == "direct":
        flash(gettext("%(id)s: posts through the portal form; it has no feed to crawl.", id=p.id), "error")
        return _back(p.id)
    cfg = ops_config()
    try:
        spawn_crawl_in_background(
            services().settings,
            database(),
            p.id,
            trigger="manual",
            timeout_seconds=cfg.crawl_timeout_seconds,
            scrapyd_url=cfg.scrapyd_url,
        )
    except AlreadyRunning:
        flash(gettext("%(id)s: a crawl is already running; not starting another.", id=p.id), "error")
    else:
        flash(gettext("%(id)s: crawl started. Reload this page to follow it.", id=p.id))
    return _back(p.id)


# Pause, resume, approve, reject: the partners-service action of the same name, and the notice.
MODERATION = {
    "pause": lazy_gettext("%(id)s: paused. The scheduler drops its job within a minute."),
    "resume": lazy_gettext("%(id)s: resumed."),
    "approve": lazy_gettext(
        "%(id)s: approved. Its first crawl starts within a minute (when the scheduler runs)."
    ),
    "reject": lazy_gettext("%(id)s: rejected."),
}


def _moderation_view(action: str) -> Callable[[str], Response]:
    def view(partner_id: str) -> Response:
        if _act(getattr(partners, action), partner_id):
            flash(str(MODERATION[action]) % {"id": partner_id})
        return _back(partner_id)

    return view


for _action in MODERATION:  # endpoints admin.pause, admin.resume, admin.approve, admin.reject
    bp.add_url_rule(f"/partners/<partner_id>/{_action}", _action, _moderation_view(_action), methods=["POST"])


@bp.post("/partners/<partner_id>/interval")
def interval(partner_id: str) -> Response:
    """The Schedule form: a cron expression (used instead of the interval), or, when the cron
    field is blank, the interval (which clears any cron)."""
    if request.form.get("cron", "").strip():
        p = _act(partners.schedule, partner_id, cron=request.form["cron"])
        if p:
            flash(
                gettext(
                    "%(id)s: crawled on the cron schedule “%(cron)s” (%(zone)s time) from now on.",
                    id=p.id, cron=p.cron, zone=CRON_TIMEZONE,
                )
            )  # fmt: skip
        return _back(partner_id)
    try:
        minutes = int(request.form.get("interval_minutes", ""))
    except ValueError:
        minutes = 0  # refused by the service, with the allowed range
    p = _act(partners.schedule, partner_id, interval=minutes)
    if p:
        flash(
            gettext(
                "%(id)s: crawled every %(minutes)s minutes from now on.", id=p.id, minutes=p.interval_minutes
            )
        )
    return _back(partner_id)


@bp.post("/partners/<partner_id>/staleness")
def staleness(partner_id: str) -> Response:
    """The Staleness form: the partner's own months before a listing it does not update is stale
    (blank: the global setting; 0: never)."""
    raw = request.form.get("stale_after_months", "").strip()
    try:
        months = int(raw) if raw else None
    except ValueError:
        months = -1  # refused by the service, with the allowed range
    p = _act(partners.set_stale_after, partner_id, months=months)
    if p:
        if p.stale_after_months is None:
            flash(
                gettext(
                    "%(id)s: staleness follows the global setting. Applied at the next staleness check.",
                    id=p.id,
                )
            )
        elif p.stale_after_months == 0:
            flash(gettext("%(id)s: its listings are never stale for want of updates.", id=p.id))
        else:
            flash(
                gettext(
                    "%(id)s: a listing not updated for %(months)s months is stale. "
                    "Applied at the next staleness check.",
                    id=p.id,
                    months=p.stale_after_months,
                )
            )
    return _back(partner_id)


@bp.post("/partners/<partner_id>/remove")
def remove(partner_id: str) -> Response:
    """Remove the partner with its listings (out of the search index first), runs and alerts."""
    p = _partner_or_404(partner_id)
    if request.form.get("confirm", "").strip() != p.id:
        flash(gettext("Type the partner id “%(id)s” to confirm its removal.", id=p.id), "error")
        return _back(p.id)
    try:
        removed = partners.remove(database(), services().backend, p.id)
    except partners.PartnerError as exc:  # a crawl is running, or the index kept some listings
        flash(str(exc), "error")
        return _back(p.id)
    flash(
        gettext(
            "%(id)s: removed, with %(count)s listing(s) taken out of the search index.",
            id=p.id, count=removed.listings_removed,
        )
    )  # fmt: skip
    return redirect(url_for("admin.overview"))


@bp.post("/partners/<partner_id>/portal-link")
def portal_link(partner_id: str) -> str:
    """A single-use sign-in link to the partner portal, shown once (and e-mailed with SMTP)."""
    from search_app.portal.account import create_login_token, login_url, send_login_link

    p = _partner_or_404(partner_id)
    link = login_url(create_login_token(database(), p.id))
    public_url = services().settings.public_url
    emailed = send_login_link(ops_config(), p, link, public_url) if ops_config().smtp_host else False
    return render_template("admin/portal_link.html", p=p, link=link, emailed=emailed)


# -- moderation ------------------------------------------------------------------------------
@bp.get("/api/flags")
def api_flags() -> Response:
    """The listings the automatic rules hold for (flagged, or hidden by a rule), with their reason
    codes, each with its sentence in the console's language (``lang``); ``partner`` narrows to one."""
    partner_id = request.args.get("partner") or None
    items = flagged_listings(database(), partner_id)
    for item in items:
        item["flags"] = [
            {"code": code, "label": rule_label(code), **rule} for code, rule in item["flags"].items()
        ]
    return jsonify(partner=partner_id, count=len(items), items=items)


@bp.get("/moderation")
def moderation() -> str:
    """Open "report a problem" reports, grouped per opportunity, most reported first."""
    db = database()
    with db.session() as s:
        reports = list(
            s.scalars(select(ProblemReport).where(ProblemReport.status == "open").order_by(ProblemReport.id))
        )
        ids = {r.opportunity_id for r in reports}
        stored = (
            {row.id: row for row in s.scalars(select(StoredOpportunity).where(StoredOpportunity.id.in_(ids)))}
            if ids
            else {}
        )
    groups: dict[str, dict[str, object]] = {}
    for r in reports:
        row = stored.get(r.opportunity_id)
        group = groups.setdefault(
            r.opportunity_id,
            {
                "id": r.opportunity_id,
                "partner": db.partner(r.partner_id),
                "partner_id": r.partner_id,
                "title": (row.data or {}).get("title") if row else r.opportunity_id,
                "state": row.state if row else "unknown",
                "reports": [],
                "reasons": {},
            },
        )
        group["reports"].append(r)  # type: ignore[attr-defined]
        reasons: dict[str, int] = group["reasons"]  # type: ignore[assignment]
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    ordered = sorted(groups.values(), key=lambda g: -len(g["reports"]))  # type: ignore[arg-type]
    return render_template(
        "admin/moderation.html", groups=ordered, postings=_pending_postings(db), flagged=flagged_listings(db)
    )


def _pending_postings(db: Database) -> list[dict[str, object]]:
    """Direct postings waiting for approval (a partner's first ones), with their partner."""
    from volunteer_hub.services.direct import pending_postings

    return [{"posting": p, "partner": db.partner(p.partner_id)} for p in pending_postings(db)]


def _pending_posting_or_404(posting_id: str):  # noqa: ANN202 - DirectPosting
    from volunteer_hub.services.direct import DirectPosting

    with database().session() as s:
        posting = s.get(DirectPosting, posting_id)
    if posting is None or posting.status != PostingStatus.PENDING:
        abort(404)
    return posting


@bp.post("/postings/<posting_id>/approve")
def approve_posting(posting_id: str) -> Response:
    """Publish a pending direct posting (the partner's later postings then publish directly)."""
    from volunteer_hub.services.direct import publish

    posting = _pending_posting_or_404(posting_id)
    partner = _partner_or_404(posting.partner_id)
    if partner.status == PartnerStatus.PENDING:
        partners.approve(database(), partner.id)  # an organization without a feed: its first posting
    try:
        counts = publish(database(), services().backend, partner, posting)
    except ValueError as exc:
        flash(gettext("%(id)s: cannot be published: %(why)s", id=posting_id, why=exc), "error")
        return redirect(url_for("admin.moderation"))
    if counts.index_failures:
        flash(
            gettext(
                "%(id)s: approved and stored; the search index write is pending (retried).", id=posting_id
            ),
            "error",
        )
    else:
        flash(gettext("%(id)s: approved and published for %(partner)s.", id=posting_id, partner=partner.id))
    return redirect(url_for("admin.moderation"))


@bp.post("/postings/<posting_id>/reject")
def reject_posting(posting_id: str) -> Response:
    from volunteer_hub.services.direct import DirectPosting

    posting = _pending_posting_or_404(posting_id)
    with database().session() as s, s.begin():
        s.get(DirectPosting, posting.id).status = PostingStatus.REJECTED
    flash(gettext("%(id)s: rejected.", id=posting_id))
    return redirect(url_for("admin.moderation"))


def _handle_reports(opportunity_id: str, status: str) -> int:
    with database().session() as s, s.begin():
        done = s.execute(
            update(ProblemReport)
            .where(ProblemReport.opportunity_id == opportunity_id, ProblemReport.status == "open")
            .values(status=status)
        )
    log.info("%s: %s report(s) on %s marked %s", g.operator.email, done.rowcount, opportunity_id, status)
    return done.rowcount or 0


@bp.post("/moderation/<opportunity_id>/hide")
def hide(opportunity_id: str) -> Response:
    """Hide the listing (kept in the database, removed from search) and close its reports."""
    db = database()
    with db.session() as s, s.begin():
        row = s.get(StoredOpportunity, opportunity_id)
        if row is None:
            abort(404)
        row.state = OpportunityState.HIDDEN
        partner_id = row.partner_id
    counts = push_pending(db, services().backend, partner_id)
    closed = _handle_reports(opportunity_id, "resolved")
    if counts.index_failures:
        flash(
            gettext("Hidden in the database, but the search index could not be updated yet: retry."), "error"
        )
    else:
        flash(gettext("Listing hidden; %(num)s report(s) closed.", num=closed))
    return redirect(url_for("admin.moderation"))


@bp.post("/moderation/<opportunity_id>/override")
def override_rules(opportunity_id: str) -> Response:
    """Show a listing an automatic rule hides ("show anyway"), or undo that decision."""
    db = database()
    shown = request.form.get("shown") == "1"
    partner_id = override(db, opportunity_id, shown)
    if partner_id is None:
        abort(404)
    counts = push_pending(db, services().backend, partner_id)
    if counts.index_failures:
        flash(
            gettext("Saved in the database, but the search index could not be updated yet: retry."), "error"
        )
    else:
        flash(
            gettext("Shown whatever the rules say.") if shown else gettext("The automatic rules apply again.")
        )
    return redirect(url_for("admin.moderation") + "#rules")


@bp.post("/moderation/<opportunity_id>/dismiss")
def dismiss(opportunity_id: str) -> Response:
    closed = _handle_reports(opportunity_id, "dismissed")
    flash(gettext("%(num)s report(s) dismissed.", num=closed))
    return redirect(url_for("admin.moderation"))


@bp.post("/alerts/check")
def check_alerts() -> Response:
    """Evaluate every partner's alerts now (the scheduler also does it at each reconcile)."""
    db, cfg = database(), ops_config()
    sent = []
    for p in db.partners():
        sent += evaluate_partner(db, p.id, cfg)
    flash(
        gettext("Alerts checked: %(count)s notice(s) sent.", count=len(sent))
        if sent
        else gettext("Alerts checked: nothing new.")
    )
    return redirect(url_for("admin.overview"))
