"""Console login throttling: counters in the database, shared by every web worker process.

Every attempt is counted *before* the password is checked (so a burst of parallel requests cannot
slip past a limit), in fixed windows of ``WINDOW``:

- per client address, all accounts together: over ``ADDRESS_LIMIT`` the address is refused
  without a password check (one client cannot spend the server's CPU on password hashing);
- per (account, address): over ``PAIR_LIMIT`` that address is refused for that account;
- per account, all addresses together: over ``ACCOUNT_LIMIT`` every attempt on the account waits
  ``ACCOUNT_DELAY`` seconds before its check. It is slowed, never locked, so a third party cannot
  keep the real operator out: refusals only ever hit the address that failed.

The keys use the typed e-mail whether or not such an operator exists, so throttling says nothing
about which accounts exist. A successful login forgives its own attempt and clears its
(account, address) counter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from volunteer_hub.store.db import Database
from volunteer_hub.store.ops_models import LoginThrottle, aware

WINDOW = timedelta(minutes=15)
ADDRESS_LIMIT = 30
PAIR_LIMIT = 5
ACCOUNT_LIMIT = 10
ACCOUNT_DELAY = 2.0
_MAX_KEY = 400


@dataclass(frozen=True)
class Verdict:
    """``refused``: no password check, answer "too many attempts" for ``retry_after`` seconds;
    ``slow``: the account is over its limit, wait before checking."""

    refused: bool = False
    retry_after: int = 0
    slow: bool = False


def _keys(email: str, address: str) -> tuple[str, str, str]:
    email, address = email[:254], address[:64]
    return f"address:{address}", f"pair:{email}|{address}"[:_MAX_KEY], f"account:{email}"[:_MAX_KEY]


def _bump(s: Session, key: str, now: datetime) -> tuple[int, datetime]:
    """Count one attempt on ``key`` (atomically: UPDATE, else INSERT); its count and window start."""
    for _ in range(3):
        changed = s.execute(
            update(LoginThrottle).where(LoginThrottle.key == key).values(failures=LoginThrottle.failures + 1)
        ).rowcount
        if not changed:
            try:
                with s.begin_nested():
                    s.add(LoginThrottle(key=key, failures=1, window_start=now))
            except IntegrityError:  # another worker inserted it first: count on its row
                continue
        row = s.execute(
            select(LoginThrottle.failures, LoginThrottle.window_start).where(LoginThrottle.key == key)
        ).one()
        return row.failures, aware(row.window_start) or now
    raise RuntimeError(f"could not count a login attempt on {key!r}")


def count_attempt(db: Database, email: str, address: str, now: datetime) -> Verdict:
    """Count a login attempt before its password check and say whether to go on."""
    address_key, pair_key, account_key = _keys(email, address)
    with db.session() as s, s.begin():
        s.execute(delete(LoginThrottle).where(LoginThrottle.window_start < now - WINDOW))
        for key, limit in ((address_key, ADDRESS_LIMIT), (pair_key, PAIR_LIMIT)):
            count, start = _bump(s, key, now)
            if count > limit:
                wait = (start + WINDOW - now).total_seconds()
                return Verdict(refused=True, retry_after=max(1, math.ceil(wait)))
        count, _start = _bump(s, account_key, now)
        return Verdict(slow=count > ACCOUNT_LIMIT)


def record_success(db: Database, email: str, address: str) -> None:
    """The attempt was the right password: it was no failure, and that address starts afresh."""
    address_key, pair_key, account_key = _keys(email, address)
    with db.session() as s, s.begin():
        s.execute(delete(LoginThrottle).where(LoginThrottle.key == pair_key))
        s.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key.in_((address_key, account_key)), LoginThrottle.failures > 0)
            .values(failures=LoginThrottle.failures - 1)
        )
