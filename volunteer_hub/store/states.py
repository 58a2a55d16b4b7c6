"""The states stored in the database, one StrEnum per column that holds one.

A member is a ``str`` equal to its value, so it is written to and compared with the existing
``String`` columns as is: the stored values (and every existing database) are unchanged. Renaming a
value would orphan the rows already stored with the old one; tests/test_states.py pins them.
Health states and alert kinds are computed, not stored as a row's state: they live in
``volunteer_hub.services.health``.
"""

from __future__ import annotations

from enum import StrEnum


class OpportunityState(StrEnum):
    """``StoredOpportunity.state``: whether a crawled or posted opportunity is shown."""

    LIVE = "live"  # published by its partner: indexed (unless a copy of another record)
    GONE = "gone"  # no longer published by its partner (or its partner was removed / posting closed)
    HIDDEN = "hidden"  # hidden by a moderator; a partner's later crawl does not revive it
    EXPIRED = "expired"  # past its end date; revived if the partner publishes it again with a later one
    # Hidden by an automatic rule (a link dead on two checks a day apart, staleness, moderation):
    # ``StoredOpportunity.flags`` names the rule; shown again by itself when no hiding rule holds.
    SUPPRESSED = "suppressed"


class PartnerStatus(StrEnum):
    """``Partner.status``: the operator's approval."""

    APPROVED = "approved"  # crawled on its schedule (unless paused)
    PENDING = "pending"  # signed up in the portal, waiting for an operator
    REJECTED = "rejected"


class PostingStatus(StrEnum):
    """``DirectPosting.status``: an opportunity posted through the partner portal."""

    PENDING = "pending"  # its organization awaits approval; published on approval
    PUBLISHED = "published"  # stored as a live opportunity
    CLOSED = "closed"  # closed by its organization: its opportunity is gone
    REJECTED = "rejected"  # its organization was rejected


class RunStatus(StrEnum):
    """``CrawlRun.status``: how a crawl run went (``running`` until it finishes)."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    NOT_MODIFIED = "not-modified"  # the feed answered 304: nothing to do
    FAILED = "failed"
    PARTIAL = "partial"  # cut short: what was read is stored, nothing removed
    SHRINK_GUARDED = "shrink-guarded"  # the feed shrank suspiciously: nothing removed


GOOD_STATUSES = (RunStatus.SUCCEEDED, RunStatus.NOT_MODIFIED)
FAILED_STATUSES = (RunStatus.FAILED, RunStatus.PARTIAL)
