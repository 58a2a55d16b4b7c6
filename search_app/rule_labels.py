"""Partner- and operator-facing names of the automatic rules' reason codes (docs/quality.md), in fr/en."""

from __future__ import annotations

from flask_babel import gettext


def rule_label(code: str) -> str:
    labels = {
        "dead-link": gettext("The link to the listing's page is broken"),
        "stale-not-updated": gettext("Not updated for months"),
        "stale-undated": gettext("No date, published long ago"),
        "paid-work": gettext("Paid work (volunteering is unpaid)"),
        "job-offer": gettext("Looks like a job or internship offer"),
        "no-detail-page": gettext("No page of its own for the listing"),
        "too-short": gettext("Description too short"),
        "repeated-text": gettext("The same text is published many times"),
        # the console's per-partner counts (store.flags.trust_counts) group some codes
        "stale": gettext("Stale: not updated, or undated, for months"),
        "dead-links": gettext("Broken links to the listing's page"),
    }
    return labels.get(code, code)
