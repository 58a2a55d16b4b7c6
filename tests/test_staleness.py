"""Staleness rules (volunteer_hub.services.staleness): listings their partner stopped updating are
flagged or hidden with the rule named, per partner or globally, and come back when updated."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from indexer.base import SearchQuery
from indexer.sqlite_backend import SqliteBackend
from indexer.sync import push_pending
from tests import samples
from tests.helpers import cli
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.services.staleness import apply_staleness
from volunteer_hub.store.db import Database, Partner, StoredOpportunity
from volunteer_hub.store.partner_sync import PartnerSync

NOW = samples.NOW
LONG = "Aidez notre équipe à accueillir le public et à trier les dons, une demi-journée par semaine."


def item(source_id: str, partner: str = "asso", **dates: object) -> Opportunity:
    o = samples.opp(source_id, f"Mission {source_id}", partner=partner, description=LONG, posted=None)
    for name, value in dates.items():
        setattr(o, name, value)
    o.content_hash = o.compute_hash()
    return o


def store(db: Database, partner: str, opps: list[Opportunity], at: object) -> None:
    PartnerSync(db, partner, now=at).store(opps)  # type: ignore[arg-type]


def flags(db: Database) -> dict[str, dict]:
    with db.session() as s:
        return {r.source_id: (r.flags or {}) for r in s.query(StoredOpportunity)}


def shown(backend: SqliteBackend) -> set[str]:
    return {h.opportunity.source_id for h in backend.search(SearchQuery(per_page=50, now=NOW)).hits}


def test_rules_flag_hide_and_release(home: Path) -> None:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(home)})
    db = Database.from_settings(settings)
    backend = SqliteBackend(settings.sqlite_index_path)
    with db.session() as s, s.begin():
        s.add(Partner(id="asso", name="Asso", url="https://a.example/feed"))
        s.add(Partner(id="strict", name="Strict", url="https://s.example/feed", stale_after_months=2))
    long_ago = NOW - timedelta(days=400)
    store(db, "asso", [item("undated-old"), item("old-update", updated=NOW - timedelta(days=250))], long_ago)
    store(db, "asso", [item("undated-new")], NOW - timedelta(days=60))
    store(db, "asso", [item("fresh", updated=NOW - timedelta(days=10))], NOW - timedelta(days=60))
    store(db, "strict", [item("strict-3m", partner="strict", updated=NOW - timedelta(days=95))], long_ago)
    push_pending(db, backend)
    assert shown(backend) == {"undated-old", "old-update", "undated-new", "fresh", "strict-3m"}

    report = apply_staleness(db, settings, now=NOW)
    push_pending(db, backend)
    found = flags(db)
    assert (
        set(found["undated-old"]) == {"stale-undated"}
        and found["undated-old"]["stale-undated"]["action"] == "hide"
    )
    assert set(found["old-update"]) == {"stale-not-updated"}  # flagged (the default), still shown
    assert found["old-update"]["stale-not-updated"]["action"] == "flag"
    assert "stale" not in " ".join(found["undated-new"]) and not found["fresh"]
    assert set(found["strict-3m"]) == {"stale-not-updated"}  # its partner's own 2 months
    assert shown(backend) == {"old-update", "undated-new", "fresh", "strict-3m"}
    assert report.flagged == {"stale-undated": 1, "stale-not-updated": 2} and report.hidden == 1

    # Hiding configured for the first rule too; then the partner updates its listing: back.
    strict = load_settings(
        {"VOLUNTEER_HUB_HOME": str(home), "VOLUNTEER_HUB_STALE_NOT_UPDATED_ACTION": "hide"}
    )
    apply_staleness(db, strict, now=NOW)
    push_pending(db, backend)
    assert shown(backend) == {"undated-new", "fresh"}
    store(db, "asso", [item("old-update", updated=NOW - timedelta(days=1))], NOW)
    apply_staleness(db, strict, now=NOW)
    push_pending(db, backend)
    assert shown(backend) == {"undated-new", "fresh", "old-update"}
    assert not flags(db)["old-update"]


def test_cli_names_the_rules(home: Path) -> None:
    db = Database.from_settings(load_settings({"VOLUNTEER_HUB_HOME": str(home)}))
    with db.session() as s, s.begin():
        s.add(Partner(id="asso", name="Asso", url="https://a.example/feed"))
    store(db, "asso", [item("undated-old")], NOW - timedelta(days=800))
    out = cli(home, "quality", "stale", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"checked": 1, "rules": {"stale-undated": 1}, "hidden": 1}
    bad = cli(home, "quality", "stale", VOLUNTEER_HUB_STALE_UNDATED_ACTION="delete")
    assert bad.returncode != 0 and "VOLUNTEER_HUB_STALE_UNDATED_ACTION must be flag or hide" in bad.stderr


def test_cli_sets_a_partners_own_months(home: Path) -> None:
    db = Database.from_settings(load_settings({"VOLUNTEER_HUB_HOME": str(home)}))
    with db.session() as s, s.begin():
        s.add(Partner(id="asso", name="Asso", url="https://a.example/feed"))
    store(db, "asso", [item("three-months", updated=NOW - timedelta(days=100))], NOW - timedelta(days=100))

    def stale_rules() -> dict:
        out = cli(home, "quality", "stale", "--json")
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)["rules"]

    assert stale_rules() == {}  # the global 6 months
    done = cli(home, "partners", "set", "asso", "--stale-after-months", "2")
    assert done.returncode == 0 and "stale after 2 months" in done.stdout, done.stderr
    assert db.partner("asso").stale_after_months == 2
    assert stale_rules() == {"stale-not-updated": 1}
    assert set(flags(db)["three-months"]) == {"stale-not-updated"}
    listed = json.loads(cli(home, "partners", "list", "--json").stdout)
    assert listed[0]["stale_after_months"] == 2

    off = cli(home, "partners", "set", "asso", "--stale-after-months", "0")
    assert off.returncode == 0 and "never (rule off)" in off.stdout
    assert stale_rules() == {} and not flags(db)["three-months"]  # cleared
    back = cli(home, "partners", "set", "asso", "--stale-after-months", "default")
    assert back.returncode == 0 and "the global setting: 6 months" in back.stdout
    assert db.partner("asso").stale_after_months is None

    too_many = cli(home, "partners", "set", "asso", "--stale-after-months", "500")
    assert too_many.returncode == 1 and "between 0 and 120" in too_many.stderr
    assert cli(home, "partners", "set", "asso", "--stale-after-months", "soon").returncode == 2
    missing = cli(home, "partners", "set", "ghost", "--stale-after-months", "3")
    assert missing.returncode == 1 and "no partner 'ghost'" in missing.stderr
