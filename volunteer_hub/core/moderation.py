"""Automatic moderation: rules that say a listing may not be volunteering, or not usable, with a
reason code each (French and English text).

Conservative on purpose: a rule that *hides* must be precise (measured on the labelled set in
tests/quality/, figures in docs/quality.md); every other rule only *flags* (shown to operators in
the moderation queue and to the partner in the portal and ``validate``). An operator can override.

| code | action | when |
|---|---|---|
| ``paid-work`` | hide | the feed states a compensation beyond expenses (``Opportunity.compensation``) |
| ``paid-work`` | flag | the text states a pay (an amount per hour/month, "salaire de", "paid €12/hour") |
| ``job-offer`` | hide | a contract or job is offered ("contrat : CDI", "stage rémunéré", "paid position") |
| ``job-offer`` | flag | job vocabulary, no offer (a bare "CDI", "salary", "internship", "full-time") |
| ``no-detail-page`` | hide | no http(s) link, or a placeholder (example.com, localhost, "#") |
| ``no-detail-page`` | flag | the link is a site's home page, not the listing's page |
| ``too-short`` | flag | title and description together too short to decide what the mission is |
| ``repeated-text`` | flag | one partner publishes the same description many times (``repeated_texts``) |

Negations are understood ("non rémunéré", "not a paid position", "sans salaire"), and Service
Civique's legal allowance is not pay.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from volunteer_hub.core.html import to_text
from volunteer_hub.core.literal_gate import GatedPattern, gated
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.textfold import fold

HIDE, FLAG = "hide", "flag"
CODES = ("paid-work", "job-offer", "no-detail-page", "too-short", "repeated-text")
REPEATED_TEXT = "repeated-text"
MIN_TEXT = 80  # characters of title + description below which a listing says too little
REPEAT_THRESHOLD = 5  # one partner's listings sharing one description before it is flagged
REPEAT_MIN_TEXT = 60  # shorter shared texts (a one-line boilerplate) are not counted


@dataclass(frozen=True)
class Finding:
    code: str
    action: str  # hide / flag
    detail: str  # what matched, for the operator and the partner


# The record-level rules below are gated (``core.literal_gate``): a text without any of the words a
# rule needs is not scanned; same answers.

# Words that, a few words before a match, turn it around ("non rémunéré", "not a paid position").
_NEGATION = re.compile(r"\b(non|pas|sans|aucun|aucune|ni|not|no|without|never|jamais|unpaid)\W*$")
_NEGATION_WINDOW = 28  # characters looked back at


def _negated(before: str) -> bool:
    """Whether the (folded) text right before a match negates it."""
    before = before[-_NEGATION_WINDOW:]
    # Only the words right before the match: "sans" three words back still negates
    # ("sans aucune rémunération"), one sentence back does not.
    before = re.split(r"[.;:!?\n]", before)[-1]
    words = before.split()
    return any(_NEGATION.search(" ".join(words[: i + 1])) for i in range(len(words)))


# Contract offers: precise (hide). Matched on the original text for the upper-case acronyms.
_CONTRACT = re.compile(
    r"(?i:type de contrat|contrat)\s*:?\s*(en\s+)?(CDI|CDD|(?i:interim|intérim|alternance|apprentissage))\b"
    r"|\b(poste|emploi)\s+(en|:)\s*(CDI|CDD)\b"
    r"|\b(CDI|CDD)\s+(à|a)\s+temps\s+(plein|partiel)\b"
    r"|\bCDD\s+de\s+\d+\s+(mois|semaines)\b"
    r"|\bCDI\s+de\s+droit\b",
)
_JOB_STRONG = gated(
    r"\b(stage|stages|alternance)\s+(remunere|remuneree|gratifie|gratifiee)s?\b"
    r"|\boffre d'emploi\b|\bposte (salarie|remunere)\b|\bemploi (salarie|remunere)\b"
    r"|\bpaid (internship|position|role|job|post)s?\b|\bjob (offer|opening)s?\b"
    r"|\bsalaried (position|role|post)\b"
    r"|\bsalary\s*:\s*\S|\bsalaire\s*:\s*\S",
)
_JOB_WEAK = gated(
    r"\b(salaire|salary|salaries|wage|wages|remuneration|remunere|remuneree|internship|intern"
    r"|temps plein|full-time|full time|hiring|job|smic|cv et lettre de motivation|cover letter|resume)\b"
    r"|\b(cdi|cdd)\b",
)
_AMOUNT = r"(\d[\d\s.,]*\s*(€|eur|euros?|\$|£|usd|gbp)|(€|\$|£)\s*\d[\d.,]*)"
_PAY = re.compile(
    _AMOUNT + r"\s*(brut|net|bruts|nets)?\s*(/|par|per|an|a|de l')\s*"
    r"(h|heure|hour|hr|mois|month|jour|day|semaine|week|an|year|annum)\b"
    r"|\b(salaire|salary|remuneration|pay|paid|wage|payes?)\s*(de|of|:|at)?\s*" + _AMOUNT,
)
_CURRENCY = re.compile(r"[€$£]|\b(eur|euros?|usd|gbp)\b")
_PAY_WORDS = gated(
    r"\b(remunere|remuneree|remuneration|salaire|salary|salaried|salarie|wage|living wage"
    r"|paid (position|role|internship|job|post)|gratification)\b"
)
_NOT_PAY = gated(
    r"service civique|indemnite|rembourse|reimburs|expenses|frais|defraiement|adhesion|cotisation"
    r"|\bdon\b|donation"
)
_PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net", "localhost")
_HOME_PATHS = ("", "/index.html", "/index.php", "/fr", "/en", "/home", "/accueil")


def _text(opp: Opportunity) -> str:
    return " ".join(p for p in (opp.title, opp.summary or "", to_text(opp.description)) if p)


_COMBINING = re.compile(r"[\u0300-\u036f]")  # the accents NFKD splits off


def _folded(text: str) -> str:
    """Lower case without accents, keeping spaces and punctuation (``fold`` would drop them)."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.replace("’", "'"))).lower()


def _match(pattern: re.Pattern[str] | GatedPattern, text: str) -> str | None:
    """The first match not negated by the words just before it."""
    for match in pattern.finditer(text):
        if not _negated(text[: match.start()]):
            return match.group(0).strip()
    return None


@dataclass(frozen=True)
class _Text:
    """A record's title, summary and description as text, once, and folded (lower case, no accents)."""

    raw: str
    folded: str

    @classmethod
    def of(cls, opp: Opportunity) -> _Text:
        raw = _text(opp)
        return cls(raw, _folded(raw))


def paid_work(opp: Opportunity, text: _Text | None = None) -> Finding | None:
    comp = opp.compensation
    if comp is not None and (comp.amount is None or comp.amount > 0):
        amount = f"{comp.amount:g}" if comp.amount is not None else "?"
        per = f"/{comp.unit}" if comp.unit else ""
        return Finding("paid-work", HIDE, f"the feed states a compensation of {amount}{per}")
    folded = (text or _Text.of(opp)).folded
    if _NOT_PAY.search(folded):
        return None  # allowances and expenses are not pay; too close to call from text
    has_money = _CURRENCY.search(folded) is not None  # the amount pattern is slow: only where it can match
    found = (has_money and _match(_PAY, folded)) or _match(_PAY_WORDS, folded)
    return Finding("paid-work", FLAG, f"the text states a pay: {found!r}") if found else None


def job_offer(opp: Opportunity, text: _Text | None = None) -> Finding | None:
    text = text or _Text.of(opp)
    raw, folded = text.raw, text.folded
    for match in _CONTRACT.finditer(raw):
        if not _negated(_folded(raw[: match.start()])):
            return Finding("job-offer", HIDE, f"a contract is offered: {match.group(0).strip()!r}")
    strong = _match(_JOB_STRONG, folded)
    if strong:
        return Finding("job-offer", HIDE, f"a job is offered: {strong!r}")
    weak = _match(_JOB_WEAK, folded)
    return Finding("job-offer", FLAG, f"job vocabulary: {weak!r}") if weak else None


def detail_page(opp: Opportunity, text: _Text | None = None) -> Finding | None:
    url = (opp.url or "").strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return Finding("no-detail-page", HIDE, "no link to the listing's page")
    if host.removeprefix("www.") in _PLACEHOLDER_HOSTS or url.endswith("#"):
        return Finding("no-detail-page", HIDE, f"a placeholder link: {url}")
    if parts.path.rstrip("/").lower() in _HOME_PATHS and not parts.query and not parts.fragment:
        return Finding("no-detail-page", FLAG, f"the link is a home page, not the listing's page: {url}")
    return None


def too_short(opp: Opportunity, text: _Text | None = None) -> Finding | None:
    size = len(" ".join((text or _Text.of(opp)).raw.split()))
    if size < MIN_TEXT:
        detail = f"{size} characters of title and description (fewer than {MIN_TEXT})"
        return Finding("too-short", FLAG, detail)
    return None


RULES = (paid_work, job_offer, detail_page, too_short)


def moderate(opp: Opportunity) -> list[Finding]:
    """Every record-level rule that holds for ``opp`` (``repeated-text`` needs the partner's set)."""
    text = _Text.of(opp)
    return [f for rule in RULES if (f := rule(opp, text)) is not None]


def text_fingerprint(opp: Opportunity) -> str | None:
    """A key equal for two descriptions that read the same (case, accents, spacing, markup)."""
    return description_fingerprint(opp.description)


def description_fingerprint(description: str) -> str | None:
    """``text_fingerprint`` of a record's ``description`` alone (no record to build from a stored row)."""
    text = fold(to_text(description))
    if len(text) < REPEAT_MIN_TEXT:
        return None
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def repeated_texts(opps: Iterable[Opportunity], threshold: int = REPEAT_THRESHOLD) -> dict[str, Finding]:
    """Listing id -> ``repeated-text`` finding, for one partner's listings: the same description
    published ``threshold`` times or more."""
    return repeated_descriptions(((opp.id, opp.description) for opp in opps), threshold)


def repeated_descriptions(
    described: Iterable[tuple[str, str]], threshold: int = REPEAT_THRESHOLD
) -> dict[str, Finding]:
    """``repeated_texts`` of (listing id, description) pairs."""
    groups: dict[str, list[str]] = defaultdict(list)
    for opp_id, description in described:
        key = description_fingerprint(description)
        if key:
            groups[key].append(opp_id)
    found = {}
    for ids in groups.values():
        if len(ids) >= threshold:
            for opp_id in ids:
                found[opp_id] = Finding(
                    "repeated-text", FLAG, f"the same description is published {len(ids)} times"
                )
    return found
