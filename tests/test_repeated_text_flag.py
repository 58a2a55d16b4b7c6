"""A crawl flags a partner's listings that share one description many times, and clears the flag when
the texts become distinct again (PartnerSync.flag_repeated_texts, streamed over the partner's rows)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.samples import NOW, RENNES, opp
from volunteer_hub.core.moderation import REPEATED_TEXT
from volunteer_hub.store.db import Database, Partner, StoredOpportunity
from volunteer_hub.store.partner_sync import PartnerSync

SAME = "Notre association accompagne les familles en difficulté du département, rejoignez nos équipes !"


def _crawl(db: Database, texts: list[str], when=NOW) -> int:  # noqa: ANN001
    sync = PartnerSync(db, "test", now=when)
    sync.store(
        [opp(f"o{i}", f"Mission {i}", description=text, locations=[RENNES]) for i, text in enumerate(texts)]
    )
    return sync.flag_repeated_texts()


def _flagged(db: Database) -> set[str]:
    with db.session() as s:
        rows = s.execute(select(StoredOpportunity.source_id, StoredOpportunity.flags)).all()
    return {source_id for source_id, flags in rows if REPEATED_TEXT in (flags or {})}


def test_repeated_descriptions_are_flagged_then_cleared(db: Database) -> None:
    with db.session() as s, s.begin():
        s.add(Partner(id="test", name="Test", url="https://partner.example/feed.xml"))
    texts = [SAME] * 5 + [f"Une mission unique numéro {i}, à Rennes, le samedi." for i in range(3)]
    assert _crawl(db, texts) == 5
    assert _flagged(db) == {f"o{i}" for i in range(5)}
    with db.session() as s:
        detail = s.scalar(select(StoredOpportunity.flags).where(StoredOpportunity.source_id == "o0"))
    assert "5" in str(detail[REPEATED_TEXT])  # "the same description is published 5 times"

    distinct = [f"Une autre mission, la numéro {i}, à Rennes." for i in range(8)]
    assert _crawl(db, distinct, when=NOW + timedelta(days=1)) == 0
    assert _flagged(db) == set()
