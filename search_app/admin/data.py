"""What the console pages show, computed from the database (no Flask here)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from volunteer_hub.core.opportunity import make_id
from volunteer_hub.core.ops_config import OpsConfig
from volunteer_hub.core.timeutil import aware
from volunteer_hub.services.alerts import open_incidents
from volunteer_hub.services.health import Health, HealthState, partner_health
from volunteer_hub.services.partners import list_partners
from volunteer_hub.services.scheduler_status import next_run_times
from volunteer_hub.store.db import CrawlRun, Database, Partner, StoredOpportunity
from volunteer_hub.store.ops_models import AlertIncident
from volunteer_hub.store.states import GOOD_STATUSES, OpportunityState, RunStatus

# Worst first; every state the health rules give (tests/test_admin.py checks none is missing).
HEALTH_ORDER = (
    HealthState.FAILING,
    HealthState.SHRINK_GUARDED,
    HealthState.STALE,
    HealthState.PENDING,
    HealthState.PAUSED,
    HealthState.NEW,
    HealthState.OK,
    HealthState.DIRECT,
    HealthState.REJECTED,
)
STATUS_COLOURS = {
    RunStatus.SUCCEEDED: "#0a6b5a",
    RunStatus.NOT_MODIFIED: "#7a8a86",
    RunStatus.FAILED: "#b42318",
    RunStatus.PARTIAL: "#b45309",
    RunStatus.SHRINK_GUARDED: "#b45309",
    RunStatus.RUNNING: "#2f6fb0",
}
LOG_TAIL_BYTES = 8000


@dataclass
class PartnerRow:
    partner: Partner
    health: Health
    live: int
    next_run: datetime | None
    incidents: list[AlertIncident]


def partner_rows(db: Database, cfg: OpsConfig) -> list[PartnerRow]:
    """Every partner with its health, sorted worst first."""
    upcoming = next_run_times(db)
    incidents: dict[str, list[AlertIncident]] = {}
    for incident in open_incidents(db):
        incidents.setdefault(incident.partner_id, []).append(incident)
    rows = [
        PartnerRow(
            o.partner,
            partner_health(db, o.partner, cfg),
            o.live,
            upcoming.get(o.partner.id),
            incidents.get(o.partner.id, []),
        )
        for o in list_partners(db)
    ]
    rows.sort(
        key=lambda r: (
            HEALTH_ORDER.index(r.health.state) if r.health.state in HEALTH_ORDER else 99,
            r.partner.id,
        )
    )
    return rows


def health_summary(rows: list[PartnerRow]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.health.state] = counts.get(row.health.state, 0) + 1
    return [(state, counts[state]) for state in HEALTH_ORDER if counts.get(state)]


def recent_runs(db: Database, partner_id: str | None = None, limit: int = 20) -> list[CrawlRun]:
    with db.session() as s:
        stmt = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
        if partner_id:
            stmt = stmt.where(CrawlRun.partner_id == partner_id)
        return list(s.scalars(stmt))


def run_chart(runs: list[CrawlRun], width: int = 640, height: int = 160) -> dict[str, Any]:
    """Bars of items seen per run (oldest left), coloured by status, as SVG geometry."""
    ordered = list(reversed(runs))
    top = max([r.seen for r in ordered] + [1])
    gap = 4
    slot = min(48.0, width / max(len(ordered), 1))
    bar = max(2.0, slot - gap)
    plot = height - 20
    bars = []
    for i, run in enumerate(ordered):
        h = 0 if not run.seen else max(2.0, plot * run.seen / top)
        bars.append(
            {
                "x": round(i * slot + gap / 2, 1),
                "y": round(plot - h, 1),
                "w": round(bar, 1),
                "h": round(h, 1),
                "fill": STATUS_COLOURS.get(run.status, "#4d5a56"),
                "label": f"run #{run.id} {run.started_at:%Y-%m-%d %H:%M}: {run.status}, {run.seen} items",
                "run_id": run.id,
            }
        )
    return {"width": width, "height": height, "plot": plot, "top": top, "bars": bars}


def grouped_errors(db: Database, run: CrawlRun | None, examples: int = 5) -> list[dict[str, Any]]:
    """A run's problems grouped by message: count, severity, fields, example items (linked when live)."""
    if run is None:
        return []
    groups: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
    for error in run.errors or []:
        key = (error.get("severity") or "error", error.get("message") or "?")
        group = groups.setdefault(
            key, {"severity": key[0], "message": key[1], "count": 0, "fields": set(), "items": []}
        )
        group["count"] += 1
        if error.get("field"):
            group["fields"].add(error["field"])
        item = error.get("item")
        if item and len(group["items"]) < examples and item not in [i["source_id"] for i in group["items"]]:
            group["items"].append(
                {"source_id": item, "line": error.get("line"), "id": make_id(run.partner_id, item)}
            )
    ids = [i["id"] for g in groups.values() for i in g["items"]]
    live: set[str] = set()
    if ids:
        with db.session() as s:
            # The state is compared here: with it in SQL, SQLite scans the index of states (store.grouping).
            rows = s.execute(
                select(StoredOpportunity.id, StoredOpportunity.state).where(StoredOpportunity.id.in_(ids))
            )
            live = {opp_id for opp_id, state in rows if state == OpportunityState.LIVE}
    result = []
    for group in groups.values():
        for item in group["items"]:
            item["live"] = item["id"] in live
        group["fields"] = sorted(group["fields"])
        result.append(group)
    result.sort(key=lambda g: (g["severity"] != "error", -g["count"]))
    return result


def last_problem_run(runs: list[CrawlRun]) -> CrawlRun | None:
    """The latest finished run when it did not succeed."""
    finished = [r for r in runs if r.status != RunStatus.RUNNING]
    if finished and finished[0].status not in GOOD_STATUSES:
        return finished[0]
    return None


def last_run_with_errors(runs: list[CrawlRun]) -> CrawlRun | None:
    """The latest run that recorded item errors or warnings."""
    return next((r for r in runs if r.errors), None)


def log_tail(path: str | None, logs_dir: Path, size: int = LOG_TAIL_BYTES) -> str | None:
    """The end of a run's log file, only when it lies inside the logs directory."""
    if not path:
        return None
    try:
        file = Path(path).resolve()
        if not file.is_relative_to(logs_dir.resolve()) or not file.is_file():
            return None
        with open(file, "rb") as fh:
            fh.seek(0, 2)
            end = fh.tell()
            fh.seek(max(0, end - size))
            data = fh.read()
    except OSError:
        return None
    text = data.decode("utf-8", errors="replace")
    return ("…" + text) if end > size else text


def age(moment: datetime | None, now: datetime | None = None) -> str:
    """'3 min ago' style, for tables."""
    if moment is None:
        return gettext("never")
    now = now or datetime.now(UTC)
    moment = aware(moment)
    seconds = (now - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 90:
        text = f"{seconds:.0f} s"
    elif seconds < 5400:
        text = f"{seconds / 60:.0f} min"
    elif seconds < 172800:
        text = f"{seconds / 3600:.0f} h"
    else:
        days = round(seconds / 86400)
        text = gettext("%(days)s days", days=days)
    return gettext("in %(time)s", time=text) if future else gettext("%(time)s ago", time=text)
