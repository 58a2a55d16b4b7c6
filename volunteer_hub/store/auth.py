"""Operator accounts: creation (CLI only), password check, session version.

Passwords are hashed with werkzeug (scrypt). Every login attempt costs one password check
whatever the outcome (an unknown e-mail is checked against a dummy hash), and every failure gets
the same answer, so neither the answer nor its timing says which accounts exist. Repeated failures
are throttled per address and slowed per account (``volunteer_hub.store.login_throttle``); an
account is never locked.

``Operator.session_version`` is stored in the session at login; ``end_sessions`` (logout) and a
password reset bump it, which ends every session of that operator.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from volunteer_hub.store import login_throttle
from volunteer_hub.store.db import Database
from volunteer_hub.store.ops_models import Operator

MIN_PASSWORD_LENGTH = 10
# Compared against when the e-mail is unknown, so both paths cost one hash check.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class OperatorError(ValueError):
    pass


@dataclass
class LoginResult:
    ok: bool
    operator_id: int | None = None
    email: str | None = None
    session_version: int = 0
    # Too many failures from this address: refused without a password check, retry in seconds.
    throttled: bool = False
    retry_after: int = 0


def normalize_email(email: str) -> str:
    return email.strip().lower()


def add_operator(db: Database, email: str, password: str) -> tuple[Operator, bool]:
    """Create the operator, or set a new password when it exists (ending all its sessions).
    Returns (operator, created)."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise OperatorError(f"not an e-mail address: {email!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OperatorError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    with db.session() as s, s.begin():
        operator = s.scalars(select(Operator).where(func.lower(Operator.email) == email)).first()
        created = operator is None
        if operator is None:
            operator = Operator(email=email, password_hash="")
            s.add(operator)
        else:
            operator.session_version = (operator.session_version or 0) + 1
        operator.password_hash = generate_password_hash(password)
        operator.failed_logins = 0
        operator.locked_until = None
    return operator, created


def authenticate(
    db: Database,
    email: str,
    password: str,
    address: str = "local",
    now: datetime | None = None,
    account_delay: float = login_throttle.ACCOUNT_DELAY,
    sleep: Callable[[float], None] = time.sleep,
) -> LoginResult:
    """Check a login from client ``address``: throttled, then exactly one password hash check."""
    now = now or datetime.now(UTC)
    email = normalize_email(email)
    verdict = login_throttle.count_attempt(db, email, address, now)
    if verdict.refused:
        return LoginResult(False, throttled=True, retry_after=verdict.retry_after)
    if verdict.slow and account_delay > 0:
        sleep(account_delay)
    with db.session() as s:
        operator = s.scalars(select(Operator).where(Operator.email == email)).first()
    if not check_password_hash(operator.password_hash if operator else _DUMMY_HASH, password) or not operator:
        return LoginResult(False)
    with db.session() as s, s.begin():
        s.execute(update(Operator).where(Operator.id == operator.id).values(last_login_at=now))
    login_throttle.record_success(db, email, address, now)
    return LoginResult(
        True, operator_id=operator.id, email=operator.email, session_version=operator.session_version or 0
    )


def end_sessions(db: Database, operator_id: int) -> None:
    """End every session of the operator (logout): sessions carry the version they started with."""
    with db.session() as s, s.begin():
        s.execute(
            update(Operator)
            .where(Operator.id == operator_id)
            .values(session_version=func.coalesce(Operator.session_version, 0) + 1)
        )


def get_operator(db: Database, operator_id: int) -> Operator | None:
    with db.session() as s:
        return s.get(Operator, operator_id)
