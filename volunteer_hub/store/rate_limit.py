"""Token buckets in the database: the one rate-limiting primitive, shared by every web worker.

A bucket (table ``rate_bucket``) holds up to ``capacity`` tokens and refills at ``rate`` tokens a
second; each request spends one. Spending is one conditional ``UPDATE ... WHERE refilled >= 1``
(the database serialises concurrent spenders on the row, on SQLite and PostgreSQL alike), and a
client seen for the first time gets its row with ``INSERT ... ON CONFLICT DO NOTHING``; so two
workers can never both spend a bucket's last token.

Times are seconds since the epoch (``time.time()``): every worker of a host shares that clock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from volunteer_hub.store.db import Database
from volunteer_hub.store.ops_models import RateBucket

MAX_KEY = 400


def _refilled(capacity: float, rate: float, now: float) -> Any:
    """SQL: the bucket's tokens at ``now`` (never above capacity; a clock behind adds nothing)."""
    elapsed = case((RateBucket.updated < now, now - RateBucket.updated), else_=0.0)
    level = RateBucket.tokens + elapsed * rate
    return case((level > capacity, capacity), else_=level)


def _insert_new(s: Session, key: str, tokens: float, now: float) -> bool:
    """Create ``key``'s bucket with ``tokens``; False when another worker created it first."""
    values = {"key": key, "tokens": tokens, "updated": now}
    dialect = s.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        module = sqlite if dialect == "sqlite" else postgresql
        stmt = module.insert(RateBucket).values(**values).on_conflict_do_nothing(index_elements=["key"])
        # RETURNING, not rowcount: an ORM-enabled INSERT on psycopg reports rowcount -1.
        return s.execute(stmt.returning(RateBucket.key)).first() is not None
    try:  # other databases: a savepoint around a plain INSERT
        with s.begin_nested():
            s.execute(insert(RateBucket).values(**values))
        return True
    except IntegrityError:
        return False


def take(db: Database, key: str, capacity: float, rate: float, now: float) -> tuple[bool, int, float]:
    """Spend one of ``key``'s tokens: (allowed, whole tokens left, seconds until the next token)."""
    key = key[:MAX_KEY]
    refilled = _refilled(capacity, rate, now)
    with db.session() as s, s.begin():
        for _ in range(3):
            spent = s.execute(
                update(RateBucket)
                .where(RateBucket.key == key, refilled >= 1.0)
                .values(
                    tokens=refilled - 1.0,
                    updated=case((RateBucket.updated < now, now), else_=RateBucket.updated),
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if spent:
                left = s.execute(select(RateBucket.tokens).where(RateBucket.key == key)).scalar_one()
                return True, int(left), 0.0
            if _insert_new(s, key, capacity - 1.0, now):
                return True, int(capacity - 1.0), 0.0
            level = s.execute(select(refilled).where(RateBucket.key == key)).scalar_one_or_none()
            if level is not None:  # None: pruned in between, try again
                return False, 0, (1.0 - float(level)) / rate
    raise RuntimeError(f"could not take a token from {key!r}")


def give_back(db: Database, key: str, capacity: float, rate: float, now: float) -> None:
    """Return one token to ``key``'s bucket (a request that should not have counted)."""
    refilled = _refilled(capacity, rate, now)
    with db.session() as s, s.begin():
        s.execute(
            update(RateBucket)
            .where(RateBucket.key == key[:MAX_KEY])
            .values(tokens=case((refilled + 1.0 > capacity, capacity), else_=refilled + 1.0), updated=now)
            .execution_options(synchronize_session=False)
        )


def forget(db: Database, key: str) -> None:
    """Drop ``key``'s bucket: the client starts afresh with a full one."""
    with db.session() as s, s.begin():
        s.execute(delete(RateBucket).where(RateBucket.key == key[:MAX_KEY]))


def prune(db: Database, prefix: str, capacity: float, rate: float, now: float) -> int:
    """Delete the buckets under ``prefix`` that have refilled (a new client starts full anyway)."""
    with db.session() as s, s.begin():
        return s.execute(
            delete(RateBucket).where(
                RateBucket.key.startswith(prefix, autoescape=True),
                RateBucket.tokens + (now - RateBucket.updated) * rate >= capacity,
            )
        ).rowcount
