"""Console login throttling: token buckets in the database (``volunteer_hub.store.rate_limit``, the
one rate limiter, also behind the site's limits), shared by every web worker process.

Every attempt spends a token *before* the password is checked (so a burst of parallel requests
cannot slip past a limit); each bucket refills completely over ``WINDOW``:

- per client address, all accounts together: ``ADDRESS_LIMIT`` attempts, then the address is
  refused without a password check (one client cannot spend the server's CPU on password hashing);
- per (account, address): ``PAIR_LIMIT``, then that address is refused for that account;
- per account, all addresses together: beyond ``ACCOUNT_LIMIT`` every attempt on the account waits
  ``ACCOUNT_DELAY`` seconds before its check. It is slowed, never locked, so a third party cannot
  keep the real operator out: refusals only ever hit the address that failed.

A refused address gets one more attempt every ``WINDOW / limit`` (``Retry-After``). The keys use the
typed e-mail whether or not such an operator exists, so throttling says nothing about which
accounts exist. A successful login gives its own token back and refills its (account, address)
bucket. (The ``login_throttle`` table of earlier versions is no longer written.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from volunteer_hub.store import rate_limit
from volunteer_hub.store.db import Database

WINDOW = timedelta(minutes=15)
ADDRESS_LIMIT = 30
PAIR_LIMIT = 5
ACCOUNT_LIMIT = 10
ACCOUNT_DELAY = 2.0
PREFIX = "login:"


@dataclass(frozen=True)
class Verdict:
    """``refused``: no password check, answer "too many attempts" for ``retry_after`` seconds;
    ``slow``: the account is over its limit, wait before checking."""

    refused: bool = False
    retry_after: int = 0
    slow: bool = False


def _keys(email: str, address: str) -> tuple[str, str, str]:
    email, address = email[:254], address[:64]
    return f"{PREFIX}address:{address}", f"{PREFIX}pair:{email}|{address}", f"{PREFIX}account:{email}"


def _rate(limit: int) -> float:
    return limit / WINDOW.total_seconds()


def count_attempt(db: Database, email: str, address: str, now: datetime) -> Verdict:
    """Count a login attempt before its password check and say whether to go on."""
    address_key, pair_key, account_key = _keys(email, address)
    at = now.timestamp()
    for key, limit in ((address_key, ADDRESS_LIMIT), (pair_key, PAIR_LIMIT)):
        allowed, _left, wait = rate_limit.take(db, key, limit, _rate(limit), at)
        if not allowed:
            return Verdict(refused=True, retry_after=max(1, math.ceil(wait)))
    allowed, _left, _wait = rate_limit.take(db, account_key, ACCOUNT_LIMIT, _rate(ACCOUNT_LIMIT), at)
    for kind, limit in (("address", ADDRESS_LIMIT), ("pair", PAIR_LIMIT), ("account", ACCOUNT_LIMIT)):
        rate_limit.prune(db, f"{PREFIX}{kind}:", limit, _rate(limit), at)
    return Verdict(slow=not allowed)


def record_success(db: Database, email: str, address: str, now: datetime | None = None) -> None:
    """The attempt was the right password: it was no failure, and that address starts afresh."""
    address_key, pair_key, account_key = _keys(email, address)
    at = (now or datetime.now().astimezone()).timestamp()
    rate_limit.forget(db, pair_key)
    rate_limit.give_back(db, address_key, ADDRESS_LIMIT, _rate(ADDRESS_LIMIT), at)
    rate_limit.give_back(db, account_key, ACCOUNT_LIMIT, _rate(ACCOUNT_LIMIT), at)
