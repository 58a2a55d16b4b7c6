"""The console's words for stored codes, in the operator's language: health states, run statuses,
triggers, health reasons and the run report's rejection reasons.

Codes stay codes in the database, the CLI and the API; only the console (and the partner portal)
shows them as sentences. A code this module does not know is shown as it is, never hidden.
"""

from __future__ import annotations

import re

from flask import Flask
from flask_babel import gettext, ngettext

from search_app.reports import reason_labels  # the visitor's own words, in one place
from volunteer_hub.services.scheduler_status import SchedulerStatus


def state_label(state: str) -> str:
    """A partner's health state or approval status ("failing", "pending"...)."""
    labels = {
        "ok": gettext("ok"),
        "failing": gettext("failing"),
        "shrink-guarded": gettext("shrink guarded"),
        "stale": gettext("stale"),
        "pending": gettext("pending"),
        "paused": gettext("paused"),
        "new": gettext("new"),
        "direct": gettext("direct"),
        "rejected": gettext("rejected"),
        "approved": gettext("approved"),
    }
    return labels.get(str(state), str(state))


def listing_state(state: str) -> str:
    """A stored listing's state ("live", "gone", "hidden"...), as the moderation page shows it."""
    labels = {
        "live": gettext("live"),
        "gone": gettext("no longer published"),
        "hidden": gettext("hidden"),
        "expired": gettext("expired"),
        "suppressed": gettext("hidden by a rule"),
        "unknown": gettext("unknown"),
    }
    return labels.get(str(state), str(state))


def scheduler_sentence(status: SchedulerStatus) -> str:
    """The scheduler's liveness in the operator's language (``detail`` stays English for /healthz)."""
    if status.beat_at is None:
        return gettext("The scheduler has never run (start “volunteer-hub scheduler”).")
    if status.stopped_at is not None:
        return gettext(
            "The scheduler was stopped at %(time)s UTC.", time=f"{status.stopped_at:%Y-%m-%d %H:%M:%S}"
        )
    age = f"{status.age_seconds or 0:.0f}"
    if not status.ok:
        return gettext(
            "No scheduler heartbeat for %(age)s s (limit %(limit)s s).", age=age, limit=status.limit_seconds
        )
    return gettext(
        "Alive on %(host)s (pid %(pid)s), last beat %(age)s s ago.", host=status.host, pid=status.pid, age=age
    )


def report_reason(reason: str) -> str:
    """A visitor's report reason code ("broken-link") as the sentence the visitor chose."""
    return dict(reason_labels()).get(reason, reason)


def status_label(status: str) -> str:
    """A run's status, or an item problem's severity."""
    labels = {
        "running": gettext("running"),
        "succeeded": gettext("succeeded"),
        "not-modified": gettext("not modified"),
        "failed": gettext("failed"),
        "partial": gettext("partial"),
        "shrink-guarded": gettext("shrink guarded"),
        "error": gettext("error"),
        "warning": gettext("warning"),
    }
    return labels.get(str(status), str(status))


def trigger_label(trigger: str) -> str:
    labels = {"manual": gettext("manual"), "schedule": gettext("schedule")}
    return labels.get(trigger, trigger)


_FAILED_IN_A_ROW = re.compile(r"^(\d+) failed run\(s\) in a row: (.*)$", re.S)
_NO_GOOD_RUN = re.compile(r"^no good run (?:since (.+?) UTC|ever) \((.*)\)$", re.S)


def health_reason(reason: str) -> str:
    """A sentence of ``services.health``'s reasons (English there) in the operator's language."""
    fixed = {
        "waiting for an operator's approval": gettext("Waiting for an operator's approval."),
        "rejected by an operator": gettext("Rejected by an operator."),
        "posts through the portal form (no feed)": gettext("Posts through the portal form (no feed)."),
        "paused: not crawled on schedule": gettext("Paused: not crawled on schedule."),
        "never crawled yet": gettext("Never crawled yet."),
        "the feed shrank suspiciously": gettext(
            "The feed shrank suspiciously; the previous listings were kept."
        ),
    }
    if reason in fixed:
        return fixed[reason]
    if match := _FAILED_IN_A_ROW.match(reason):
        count = int(match.group(1))
        return ngettext(
            "%(num)s failed run in a row: %(message)s",
            "%(num)s failed runs in a row: %(message)s",
            count,
            message=match.group(2),
        )
    if match := _NO_GOOD_RUN.match(reason):
        if match.group(1):
            return gettext(
                "No good run since %(when)s UTC (%(schedule)s).", when=match.group(1), schedule=match.group(2)
            )
        return gettext("No good run ever (%(schedule)s).", schedule=match.group(2))
    return reason


# The run report's ``rejected_by_reason`` keys: a short code ("paid"), or "field: message" with
# quoted values stripped (crawlers.report).
def _reasons() -> dict[str, str]:
    return {
        "paid": gettext("Paid missions: only unpaid volunteering is listed."),
        "title: the item has no title": gettext("Items without a title."),
        "url: the item has no link to its detail page (where volunteers sign up)": gettext(
            "Items without a link to their page on the partner's site, where volunteers sign up."
        ),
        "url: the detail link": gettext("Items whose link is not a web address (http or https)."),
        "id: the item has neither an id nor a link, so it cannot be tracked across crawls": gettext(
            "Items with neither an id nor a link: they cannot be followed from one crawl to the next."
        ),
        "end: the mission is already over (it ended on": gettext("Missions already over."),
        "id: duplicate of an earlier item with the same id": gettext(
            "Items repeated in the feed with the same id (the first one was kept)."
        ),
    }


def reason_sentence(reason: str) -> str:
    """A rejection reason of a run report as a sentence; unknown keys read "Field “x”: message"."""
    known = _reasons()
    if reason in known:
        return known[reason]
    field, separator, message = reason.partition(": ")
    if separator and field and " " not in field:
        return gettext("Field “%(field)s”: %(message)s", field=field, message=message)
    return reason


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        state_label=state_label, status_label=status_label, trigger_label=trigger_label,
        reason_sentence=reason_sentence, listing_state=listing_state, report_reason=report_reason,
        scheduler_sentence=scheduler_sentence,
    )  # fmt: skip
    app.jinja_env.filters["health_reason"] = health_reason
