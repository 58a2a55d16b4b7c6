"""Operator accounts: creation (CLI only), password check with lockout.

Passwords are hashed with werkzeug (scrypt). After ``MAX_FAILURES`` wrong passwords in a row
an account is locked for ``LOCKOUT`` (even the right password is refused meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from volunteer_hub.store.db import Database
from volunteer_hub.store.ops_models import Operator, aware

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
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
    locked_until: datetime | None = None


def normalize_email(email: str) -> str:
    return email.strip().lower()


def add_operator(db: Database, email: str, password: str) -> tuple[Operator, bool]:
    """Create the operator, or set a new password (and unlock) when it exists. Returns (operator, created)."""
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
        operator.password_hash = generate_password_hash(password)
        operator.failed_logins = 0
        operator.locked_until = None
    return operator, created


def authenticate(db: Database, email: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a login; counts failures and locks the account after ``MAX_FAILURES``."""
    now = now or datetime.now(UTC)
    email = normalize_email(email)
    with db.session() as s, s.begin():
        operator = s.scalars(select(Operator).where(Operator.email == email)).first()
        if operator is None:
            check_password_hash(_DUMMY_HASH, password)
            return LoginResult(False)
        locked_until = aware(operator.locked_until)
        if locked_until and locked_until > now:
            return LoginResult(False, locked_until=locked_until)
        if not check_password_hash(operator.password_hash, password):
            if locked_until:  # an expired lock: start counting afresh
                operator.failed_logins, operator.locked_until = 0, None
            operator.failed_logins += 1
            if operator.failed_logins >= MAX_FAILURES:
                operator.locked_until = now + LOCKOUT
                return LoginResult(False, locked_until=operator.locked_until)
            return LoginResult(False)
        operator.failed_logins, operator.locked_until, operator.last_login_at = 0, None, now
        return LoginResult(True, operator_id=operator.id, email=operator.email)


def get_operator(db: Database, operator_id: int) -> Operator | None:
    with db.session() as s:
        return s.get(Operator, operator_id)
