"""Practical facts a volunteer filters on, inferred from French and English text and from dates.

``infer_practical(opp, text)`` fills only what the feed left unknown (``None`` / empty): a value
a partner stated is never overridden. Every rule is a phrase a listing uses to *say* the fact
("dès 16 ans", "wheelchair accessible", "chaque samedi", "team building"...), never a guess from
the topic; a fact no rule finds stays unknown. Negated phrases ("non accessible PMR", "no
experience needed", "mineurs non acceptés") are read first and blanked out, so a positive rule
never fires inside them; when a text says both, the fact stays unknown.

Each fact's precision and recall are measured on tests/quality/practical_labelled.json by
``python -m bench.practical_quality`` (docs/quality.md); a rule that could not reach
``PRECISION_TARGET`` there is not in this module (the docs list the dropped ones).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from volunteer_hub.core.literal_gate import GatedPattern, gated
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.textfold import fold

PRECISION_TARGET = 0.95  # no fact is claimed by a rule measured below this (bench.practical_quality)
ADULT_AGE = 18
MIN_PLAUSIBLE_AGE, MAX_PLAUSIBLE_AGE = 5, 80

_DAYS_FR = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_DAYS_EN = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_WEEKDAYS = r"(?:lundi|mardi|mercredi|jeudi|vendredi|monday|tuesday|wednesday|thursday|friday)"
_WEEKEND_DAYS = r"(?:samedi|dimanche|saturday|sunday)"
_MONTHS_FR = r"(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)"
_MONTHS_EN = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"


def _rx(*patterns: str) -> GatedPattern:
    # Gated: a text without any of the literals a match needs is not scanned (core.literal_gate).
    return gated(*patterns)


# -- minors and minimum age -----------------------------------------------------------------
# An age is a volunteer's minimum age only in these constructions; "des enfants de 6 à 12 ans"
# (the people helped) is not one of them, and a match right after "pour les enfants", "for kids"
# ... is skipped for the same reason.
_AGE_MIN = _rx(
    r"\b(?:des|a partir de|a compter de|from age|from the age of)\s+(\d{1,2})\s*(?:ans|years?)\b",
    r"\bage minimum\s*(?:requis\s*)?:?\s*(\d{1,2})\b",
    r"\bminimum age\s*(?:is\s*|of\s*)?:?\s*(\d{1,2})\b",
    r"\b(\d{1,2})\s*ans\s*(?:minimum|revolus|et plus)\b",
    r"\b(?:avoir (?:au moins|plus de)|(?:benevoles|personnes|jeunes|mineurs) (?:agee?s? )?de plus de"
    r"|agee?s? d'au moins)"
    r"\s+(\d{1,2})\s*ans\b",
    r"\b(\d{1,2})\s*(?:years?\s*)?(?:of age\s*)?(?:or|and)\s*(?:older|over|up)\b",
    r"\bages?\s+(\d{1,2})\s*(?:\+|and (?:up|older|over))",
    r"\bmust be (?:at least )?(\d{1,2})\b",
    r"\bat least (\d{1,2}) years\b",
    r"(?<![\w+])(1\d|2[0-5])\s?\+(?!\s*(?:\d|h\b|hours?|heures?|volunteers?|benevoles?))",
)
# Age bands that name who may volunteer ("pour les 16-25 ans", "ouvert aux jeunes de 16 à 25
# ans", "Ages 13-18"), not who is helped ("accompagnez des jeunes de 12 à 17 ans").
_AGE_BAND = _rx(
    r"\b(?:pour les|ouvert aux|reserve aux)\s+(\d{1,2})\s*[-a]\s*\d{1,2}\s*ans\b",
    r"\bouvert aux jeunes de (\d{1,2}) a \d{1,2} ans\b",
    r"(?:^|[.!?:;(]\s*)ages?\s+(\d{1,2})\s*[-–]\s*\d{1,2}\b",
    r"\b(\d{1,2})\s*[-–]\s*\d{1,2}\s*year[- ]olds?\s+(?:can|may|are welcome)",
)
_BENEFICIARY_BEFORE = gated(
    r"(?:pour (?:les |des )?(?:enfants|jeunes|eleves|collegiens|lyceens)|aupres d|accompagnez|encadrez"
    r"|for (?:kids|children|students|youth|teens)|tutor|mentor)[^.!?]{0,30}$"
)
_NOT_MINORS = _rx(
    r"\bmineurs? (?:non acceptes?|ne (?:peuvent|sont) pas|interdits?|exclus)",
    r"\b(?:interdit|non ouvert|pas ouvert|ferme) aux mineurs",
    r"\bno minors\b",
    r"\bnot open to minors\b",
    r"\badults? only\b",
    r"\b(?:18|21)\+ only\b",
)
_ADULTS_ONLY = _rx(  # "majeur": 18 in France
    r"\b(?:reserve|reservee|ouvert|ouverte)s? aux (?:personnes |benevoles )?majeur",
    r"\bmajeure?s? uniquement\b",
    r"\bpersonnes majeures\b",
    r"\bbenevoles majeurs\b",
    r"\betre majeure?s?\b",
)
_MINORS_WELCOME = _rx(
    r"\bmineurs? (?:sont )?(?:acceptes?|bienvenus?|admis)",
    r"\bouverte? aux (?:benevoles )?mineurs\b",
    r"\bbenevoles mineurs\b",
    r"\b(?:kids|children|teens|enfants|ados|adolescents) (?:are |sont )?(?:les )?(?:welcome|bienvenu)",
    r"\benfants compris\b",
    r"\b(?:ouvert a )?tous les ages\b",
    r"\ball ages\b",
    r"\b(?:volunteers |benevoles )?under (?:1[0-8])s? (?:must|need|can)\b",
    r"\bminors? (?:must|need|can|may)\b",
    r"\bmineurs? (?:doivent|peuvent)\b",
)

# -- reduced-mobility access ----------------------------------------------------------------
_ACCESSIBLE = _rx(
    r"\baccessibles? (?:aux |en )?pmr\b",
    r"\bacces pmr\b",
    r"\baccessibles? aux personnes (?:a|en situation de|en) (?:mobilite reduite|handicap|fauteuil)",
    r"\baccessibles? (?:en|aux) fauteuils?\b",
    r"\bwheelchair[- ]accessible\b",
    r"\baccessible (?:to|for) wheelchairs?\b",
    r"\baccessible (?:to|for) (?:people|persons|those|visitors) (?:with|in|using) "
    r"(?:reduced mobility|wheelchairs?|mobility)",
    r"\b(?:is|are) fully accessible\b",
    r"\bentierement accessible\b",
    r"\bstep[- ]free\b",
    r"\bde plain[- ]pied\b",
)
_NOT_ACCESSIBLE = _rx(
    r"\b(?:non|pas|not|n'est pas|is not|isn't)\s+(?:\w+\s+){0,2}?accessibles?\b[^.!?]{0,40}",
    r"\b(?:non|pas) adaptee?s? aux (?:personnes a mobilite reduite|pmr|fauteuils?)",
    r"\bnot suitable for wheelchairs?\b",
    r"\bsans ascenseur\b",
    r"\bpas d'ascenseur\b",
    r"\bno (?:elevator|lift)\b",
    r"\bstairs only\b",
    r"\bescaliers? uniquement\b",
)

# -- recurrence -----------------------------------------------------------------------------
_RECURRING = _rx(
    rf"\bchaque (?:semaine|mois|jour|soir|matin|week-?end|{_DAYS_FR})",
    rf"\btous les (?:jours|soirs|matins|mois|week-?ends|15 jours|{_DAYS_FR}s)\b",
    r"\btoutes les (?:semaines|deux semaines|quinzaines)\b",
    r"\bpar (?:semaine|mois)\b",
    r"\bhebdomadaires?\b",
    r"\bmensuel(?:le)?s?\b",
    r"\b(?:engagement|presence|mission) reguliere?\b",
    r"\bregulierement\b",
    rf"\b(?:un|une) (?:{_DAYS_FR}|semaine|fois)[^.!?,]{{0,15}} sur deux\b",
    rf"\bles {_DAYS_FR}s\b",
    rf"\ble {_DAYS_FR}\b(?! \d)(?! prochain)",  # "le mardi": every Tuesday
    rf"\bevery (?:day|week|month|other|morning|evening|night|weekend|{_DAYS_EN})",
    r"\beach (?:week|month)\b",
    r"\bweekly\b",
    r"\bmonthly\b",
    r"\bbi-?weekly\b",
    r"\b(?:once|twice|times|hours?|shifts?|days?) (?:a|per) (?:week|month)\b",
    r"\bper (?:week|month)\b",
    rf"\b{_DAYS_EN}s\b",
    rf"\b{_DAYS_EN} (?:mornings|afternoons|evenings|nights)\b",
    r"\bongoing\b",
    r"\bquarterly\b",
    r"\btrimestriel(?:le)?s?\b",
    r"\bany (?:saturday|sunday|weekday)\b",
    r"\b\d+ sessions\b",
)
_ONE_OFF = _rx(
    r"\bponctuel(?:le)?s?\b",
    r"\bone[- ](?:off|time|day)\b",
    r"\bsingle[- ]day\b",
    r"\b(?:mission|journee|operation) d'une (?:journee|matinee|soiree|apres-midi)\b",
    r"\bin one (?:afternoon|morning|day|evening)\b",
    rf"\ble (?:{_DAYS_FR} )?\d{{1,2}}(?:er)? {_MONTHS_FR}\b(?! au)",
    rf"\bon (?:{_DAYS_EN}, )?{_MONTHS_EN} \d{{1,2}}\b",
    rf"\b{_DAYS_EN}, {_MONTHS_EN} \d{{1,2}}\b",
)
_NOT_RECURRING_CONTEXT = gated(r"\b(?:ponctuel(?:le)?s? ou regulier|regulier(?:e)? ou ponctuel)")

# -- time of week ---------------------------------------------------------------------------
_WEEKENDS = _rx(r"\bweek-?ends?\b", rf"\b{_WEEKEND_DAYS}s?\b")
_NOT_WEEKENDS = _rx(
    r"\b(?:sauf|hors|except|excluding|not on|pas le|jamais le)s? (?:les? )?"
    r"(?:week-?ends?|samedis?|dimanches?|saturdays?|sundays?)\b",
    r"\bdes ce week-?end\b",
    r"\bstarting this weekend\b",
)
_WEEKDAYS_RX = _rx(
    r"\ben semaine\b",
    r"\bweekdays?\b",
    rf"\b{_WEEKDAYS}s?\b",
    r"\bhoraires de bureau\b",
    r"\boffice hours\b",
    r"\bduring the school day\b",
    r"\bjours ouvr(?:es|ables)\b",
)
_NOT_WEEKDAYS = _rx(
    r"\b(?:sauf|hors|except|excluding)s? (?:en )?(?:semaine|weekdays?)\b",
    rf"\b(?:sauf|except|not on)s? (?:le |les )?{_WEEKDAYS}s?\b",
)
_EVENINGS = _rx(
    r"\ben soiree\b",
    r"\ble soir\b",
    r"\bsoirs?\b",
    r"\bsoirees?\b",
    r"\bevenings?\b",
    r"\bnights?\b",
    r"\bovernight\b",
    r"\bafter work\b",
    r"\bapres le travail\b",
)
_ANY_TIME = _rx(r"\bday (?:or|and) night\b", r"\bjour (?:et|ou) nuit\b", r"\b24 ?h ?/ ?24\b", r"\b24/7\b")
# A time of day: "18h30", "18 h", "18:30", "6pm", "6:30 pm"; a range "de 18h à 21h", "6-8pm".
_CLOCK = gated(
    r"\b(\d{1,2})\s*(?:h\s*(\d{2})?\b|:(\d{2})\s*(am|pm)?\b|\s*(am|pm)\b)"
    r"(?:\s*(?:-|–|a|to|and)\s*(\d{1,2})\s*(?:h\s*(?:\d{2})?\b|:\d{2}\s*(am|pm)?\b|\s*(am|pm)\b))?"
)
_UNTIL_BEFORE = gated(r"\b(?:to|until|till|jusqu'a|jusqu'au|jusque)\s*$")
_BARE_RANGE_PM = gated(r"\b(\d{1,2})(?::\d{2})?\s*[-–]\s*(\d{1,2})(?::\d{2})?\s*pm\b")
EVENING_START_HOUR, EVENING_END_HOUR = 18, 21  # starts at/after 18h, or runs until 21h or later

# -- skills-based ---------------------------------------------------------------------------
_SKILL_NOUN = (
    r"(?:competences?|diplomes?|maitrise|connaissances?|experience|niveau|permis|qualifications?|skills?"
    r"|background|knowledge|fluency|degree|license|licence|expertise|certification)"
)
_REQUIRED = (
    r"(?:requise?s?|exigee?s?|indispensables?|obligatoires?|necessaires?|demandee?s?"
    r"|required|needed|necessary|essential)"
)
_NOT_SKILLS = _rx(
    r"\baucune? (?:competence|diplome|experience|qualification|connaissance)s?\b[^.!?]{0,30}",
    r"\bpas besoin d'(?:etre|avoir)[^.!?]{0,40}",
    r"\bpas besoin de savoir[^.!?]{0,40}",
    r"\bsans (?:competence|diplome|experience|qualification)s? (?:particuliere|requise)s?",
    r"\bno (?:\w+ ){0,2}(?:skills?|experience|background|knowledge|degree|certifications?|certificate"
    r"|diploma)\b[^.!?]{0,12}"
    r"(?:needed|necessary|required)",
    r"\b(?:skills?|experience) (?:is |are )?not (?:needed|necessary|required)\b",
    r"\bne (?:sont|est) pas (?:requise?s?|necessaires?)",
)
_SKILLS = _rx(
    r"\bmecenat de competences?\b",
    r"\bbenevolat de competences?\b",
    r"\bskills?[- ]based\b",
    r"\bpro[- ]bono\b",
    r"\bexpertise\b",
    r"\bexperience professionnelle\b",
    r"\bprofessional experience\b",
    r"\b(?:vos|des|de) competences en \w+",
    r"\b(?:mettez|mettre|partagez|partager|offrez|offrir) (?:vos|votre|ses|son) (?:competences|expertise)",
    r"\b(?:use|share|volunteer|donate|apply) (?:your|their) (?:\w+ ){0,2}skills\b",
    rf"\b{_SKILL_NOUN}\b[^.!?;]{{0,60}}\b{_REQUIRED}\b",
    rf"\b{_REQUIRED}\b\s*:?\s*(?:une? |des |la |le |l')?{_SKILL_NOUN}\b",
    r"\bmaitrise (?:parfaite |excellente )?(?:de|d'|du|des)\b",
    r"\bexcellente maitrise\b",
    r"\bvous devez maitriser\b",
    r"\bmust be fluent\b",
    r"\bwith an? \w+ (?:or \w+ )?background\b",
    r"\bqualified (?:\w+ )?(?:accountant|lawyer|attorneys?|nurses?)",
    r"\bdiplomee?s?\b",
    r"\bprofessionnels? (?:de|du|en)\b",
    r"\b(?:avocats|juristes|attorneys|lawyers)\b",
)

# What a volunteer will gain is not what the mission needs: blanked before the skill rules.
_SKILLS_GAINED = _rx(
    r"\b(?:develop\w*|acquer\w*|acqui\w*|gagn\w*|gain\w*|valoris\w*|renforc\w*|learn\w*|build)"
    r" (?:de nouvelles |des |vos |de |new |valuable |your )?(?:competences|skills)[^.!?;]{0,60}",
)

# A skill that is only welcome ("apprécié", "un plus", "preferred", "pas obligatoire") does not
# make the mission skills-based, nor does it say that none is needed: the sentence is blanked.
_SKILLS_WISHED = gated(
    r"\b(?:apprecie\w*|souhaite\w*|un plus|a plus|pas obligatoire|non obligatoire|preferred|optional"
    r"|facultati\w*|is an asset|est un atout|helpful|utile|but not required"
    r"|mais pas (?:requise?s?|necessaire))\b"
)
_SENTENCE = re.compile(r"[^.!?;]+")  # no literal to gate on


def _blank_sentences(folded: str, words: GatedPattern) -> str:
    """``folded`` with every sentence that contains ``words`` replaced by spaces (same length).
    Sentence by sentence, so linear in the text: one pattern "[^.!?;]*word[^.!?;]*" retried from
    every position was quadratic (a 100,000-character description held a crawl for minutes)."""
    if not words.matches(folded):  # a word in one sentence is a word in the text: nothing to blank
        return folded
    return _SENTENCE.sub(lambda m: " " * len(m.group(0)) if words.matches(m.group(0)) else m.group(0), folded)


# -- groups and families --------------------------------------------------------------------
_NOT_GROUPS = _rx(
    r"\bpas de groupes?\b",
    r"\b(?:individuel(?:le)?s?|individual(?:ly)?) (?:uniquement|only)\b",
    r"\bnot (?:suitable|open) (?:for|to) groups\b",
    r"\bno groups\b",
)
_GROUPS = _rx(
    r"(?<!activites )(?<!ateliers )(?<!seances )(?<!travail )\ben groupe\b(?! pour)",
    r"\bgroupes? (?:\w+ ){0,3}(?:sont |are )?(?:les )?(?:bienvenu|welcome)",
    r"\bgroups? (?:of (?:any size|up to|\d+)|up to \d+)",
    r"\bgroups? (?:are )?welcome\b",
    r"\bfor groups\b",
    r"\bgreat for (?:\w+ and )?groups\b",
    r"\baccueill(?:ons|e) (?:des|les) (?:groupes|equipes)",
    r"\bequipes? (?:d'entreprise|de \d+)",
    r"\bteam[- ]building\b",
    r"\bcorporate (?:groups|teams)\b",
    r"\bgroupes? d'(?:entreprise|amis)\b",
    r"\bentre amis\b",
    r"\bavec vos (?:collegues|amis)\b",
    r"\b(?:bring|with) (?:your )?(?:friends|coworkers|colleagues|team)\b",
    r"\b(?:s'inscrire|inscrivez-vous) ensemble\b",
    r"\bsign up together\b",
)
_NOT_FAMILY = _rx(
    r"\b(?:pas|non) adapte(?:e)?s? aux (?:enfants|familles)\b",
    r"\bnot (?:suitable|appropriate) for (?:children|kids|families)\b",
    r"\bnot family[- ]friendly\b",
)
_FAMILY = _rx(
    r"\ben famille\b",
    r"\bfamily[- ]friendly\b",
    r"\bfamil(?:y|ies) (?:are )?welcome\b",
    r"\bfamilles (?:sont )?(?:les )?bienvenues\b",
    r"\b(?:kids|children|enfants) (?:are |sont )?(?:les )?"
    r"(?:welcome|bienvenus)",
    r"\benfants compris\b",
    r"\badaptee?s? aux familles\b",
    r"\b(?:great|ideal|perfect) for (?:\w+ and )?families\b",
    r"\bactivity for (?:\w+, )?families\b",
    r"\bfamilies (?:volunteer|come) together\b",
    r"\bpetits et grands\b",
    r"\b(?:bring|with) (?:your )?(?:\w+,? ){0,2}(?:or |and )?(?:family|kids|children)\b",
    r"\bavec vos enfants\b",
    r"\b(?:children|kids|enfants)\b[^.!?;]{0,40}\b(?:with|avec) (?:a |an |un |leurs? )?"
    r"(?:parents?|adult|adulte)",
    r"\b(?:children|kids|enfants)\b[^.!?;]{0,40}\baccompagne(?:e)?s? (?:d'un|par un|de leurs?) "
    r"(?:parent|adulte)",
    r"\bchildren (?:\w+ ){0,3}must be accompanied\b",
)


# -- the entry point ------------------------------------------------------------------------
def infer_practical(opp: Opportunity, text: str) -> None:
    """Fill ``opp``'s unknown practical facts from ``text`` (title and plain description) and dates.

    Values the feed stated (not None / not empty) are kept as they are.
    """
    folded = " ".join(fold(f"{text}\n{opp.schedule}").split())
    if opp.min_age is None and opp.open_to_minors is None:
        opp.min_age, opp.open_to_minors = minors(folded)
    elif opp.open_to_minors is None and opp.min_age is not None:
        opp.open_to_minors = opp.min_age < ADULT_AGE
    if opp.accessible is None:
        opp.accessible = accessible(folded)
    if opp.recurrence is None:
        opp.recurrence = recurrence(folded, opp)
    if not opp.time_of_week:
        opp.time_of_week = time_of_week(folded, opp)
    # "Not skills-based / not for groups / not for families" is never claimed: the first measured
    # below target (docs/quality.md), the others are unmeasured. Those phrases only block a "yes".
    if opp.skills_based is None:
        needs = _blank_sentences(_blank(folded, _SKILLS_GAINED), _SKILLS_WISHED)
        opp.skills_based = _yes_no(needs, _SKILLS, _NOT_SKILLS, claim_no=False)
    if opp.groups is None:
        opp.groups = _yes_no(folded, _GROUPS, _NOT_GROUPS, claim_no=False)
    if opp.family_friendly is None:
        opp.family_friendly = _yes_no(folded, _FAMILY, _NOT_FAMILY, claim_no=False)


def minors(folded: str) -> tuple[int | None, bool | None]:
    """(minimum age, open to minors) as the text states them; (None, None) when it does not."""
    said_no = _NOT_MINORS.matches(folded)
    ages = list(_ages(folded))
    if _ADULTS_ONLY.matches(folded):
        ages.append(ADULT_AGE)
    cleared = _blank(folded, _NOT_MINORS) if said_no else folded
    said_yes = _MINORS_WELCOME.matches(cleared)
    min_age = min(ages) if ages else None
    if min_age is not None:
        if (min_age < ADULT_AGE and said_no) or (min_age >= ADULT_AGE and said_yes):
            return None, None  # the text contradicts itself
        return min_age, min_age < ADULT_AGE
    if said_yes != said_no:
        return None, said_yes
    return None, None


def _ages(folded: str) -> Iterable[int]:
    for pattern in (_AGE_MIN, _AGE_BAND):
        for match in pattern.finditer(folded):
            group = next(i for i, g in enumerate(match.groups(), 1) if g)
            age, start = int(match.group(group)), match.start(group)
            if not MIN_PLAUSIBLE_AGE <= age <= MAX_PLAUSIBLE_AGE:
                continue
            if _BENEFICIARY_BEFORE.matches(folded[max(0, start - 60) : start]):
                continue  # "pour les enfants à partir de 8 ans": the people helped
            yield age


def accessible(folded: str) -> bool | None:
    return _yes_no(folded, _ACCESSIBLE, _NOT_ACCESSIBLE)


def recurrence(folded: str, opp: Opportunity) -> str | None:
    """The recurrence the text states ("recurring" / "one-off"), else one-off for a single-day event."""
    if not _NOT_RECURRING_CONTEXT.matches(folded):
        regular = _RECURRING.matches(folded)
        once = _ONE_OFF.matches(folded)
        if regular != once:
            return "recurring" if regular else "one-off"
        if regular and once:
            return None
    if opp.commitment_hours_per_week:  # the feed counts hours per week: a weekly commitment
        return "recurring"
    return "one-off" if _single_day(opp) else None


def time_of_week(folded: str, opp: Opportunity) -> list[str]:
    """Any of "weekdays", "evenings", "weekends" the text or a single-day event's dates state."""
    found: set[str] = set()
    if _WEEKENDS.matches(_blank(folded, _NOT_WEEKENDS)):
        found.add("weekends")
    if _WEEKDAYS_RX.matches(_blank(folded, _NOT_WEEKDAYS)):
        found.add("weekdays")
    anytime = _blank(folded, _ANY_TIME)
    if _EVENINGS.matches(anytime) or any(_is_evening(s, e) for s, e in _clock_ranges(anytime)):
        found.add("evenings")
    if _single_day(opp) and opp.start is not None:
        found.add("weekends" if opp.start.weekday() >= 5 else "weekdays")
        start, end = opp.start, opp.end
        if (start.hour, start.minute) != (0, 0) and _is_evening(start.hour, end.hour if end else None):
            found.add("evenings")
    return [value for value in ("weekdays", "evenings", "weekends") if value in found]


# -- helpers --------------------------------------------------------------------------------
def _yes_no(folded: str, yes: GatedPattern, no: GatedPattern, *, claim_no: bool = True) -> bool | None:
    said_no = no.matches(folded)
    said_yes = yes.matches(_blank(folded, no) if said_no else folded)
    if said_yes == said_no:
        return None  # neither, or both: unknown
    return True if said_yes else (False if claim_no else None)


def _blank(folded: str, pattern: GatedPattern) -> str:
    """``folded`` with ``pattern``'s matches replaced by spaces (same length)."""
    return pattern.sub(lambda m: " " * len(m.group(0)), folded)


def _single_day(opp: Opportunity) -> bool:
    """Dated on one day: start and end on the same local day, or a start alone (not open-ended)."""
    if opp.start is None or opp.open_ended:
        return False
    return opp.end is None or _local_day(opp.end) == _local_day(opp.start)


def _local_day(moment: datetime) -> tuple[int, int, int]:
    return moment.year, moment.month, moment.day


def _clock_ranges(folded: str) -> Iterable[tuple[int | None, int | None]]:
    """(start hour, end hour) of every time of day the text gives, on a 24 h clock (None: not said).

    A lone time after "to", "until", "jusqu'à" ends something ("noon to 6pm"): it is an end.
    """
    for match in _BARE_RANGE_PM.finditer(folded):  # "5-11pm", "6-8pm"
        start, end = int(match.group(1)), int(match.group(2))
        yield (start + 12 if start < 12 else start), (end + 12 if end < 12 else end)
    for match in _CLOCK.finditer(folded):
        hour, suffix = int(match.group(1)), match.group(4) or match.group(5)
        end_hour = int(match.group(6)) if match.group(6) else None
        end_suffix = match.group(7) or match.group(8)
        if end_hour is not None and end_suffix == "pm" and end_hour < 12:
            end_hour += 12
            if suffix is None and hour < end_hour - 12:
                suffix = "pm"
        if suffix == "pm" and hour < 12:
            hour += 12
        if hour > 23 or (end_hour is not None and end_hour > 24):
            continue
        if end_hour is None and _UNTIL_BEFORE.matches(folded[max(0, match.start() - 12) : match.start()]):
            yield None, hour
        else:
            yield hour, end_hour


def _is_evening(start_hour: int | None, end_hour: int | None) -> bool:
    starts_late = start_hour is not None and start_hour >= EVENING_START_HOUR
    return starts_late or (end_hour is not None and end_hour >= EVENING_END_HOUR)


# -- labels of the practical filters' facet values (fr/en, like cause and region labels) -----
_LABELS: dict[tuple[str, str], tuple[str, str]] = {  # (facet, value) -> (fr, en)
    ("minors", "true"): ("Ouvert aux mineurs", "Open to minors"),
    ("accessible", "true"): ("Accessible PMR", "Wheelchair accessible"),
    ("recurrence", "one-off"): ("Ponctuel", "One-off"),
    ("recurrence", "recurring"): ("Régulier", "Recurring"),
    ("time_of_week", "weekdays"): ("En semaine", "Weekdays"),
    ("time_of_week", "evenings"): ("En soirée", "Evenings"),
    ("time_of_week", "weekends"): ("Le week-end", "Weekends"),
    ("skills_based", "true"): ("Bénévolat de compétences", "Skills-based"),
    ("groups", "true"): ("Pour les groupes", "Good for groups"),
    ("family", "true"): ("En famille", "Family-friendly"),
    ("commitment", "light"): ("Jusqu'à 4 h par semaine", "Up to 4 hours a week"),
    ("commitment", "regular"): ("De 4 à 10 h par semaine", "4 to 10 hours a week"),
    ("commitment", "intensive"): ("Plus de 10 h par semaine", "Over 10 hours a week"),
}

# -- commitment: the feed's hours per week in three levels (the ``commitment`` filter) ------------
# (level, most hours per week it holds): light <= 4 < regular <= 10 < intensive. Read from the feed
# only (``commitment_hours_per_week``), never inferred; 0 or none is unknown.
COMMITMENT_LEVELS: tuple[tuple[str, float], ...] = (
    ("light", 4.0),
    ("regular", 10.0),
    ("intensive", float("inf")),
)


def commitment_level(hours_per_week: float | None) -> str | None:
    """``light``, ``regular`` or ``intensive`` for hours per week (COMMITMENT_LEVELS); None: unknown."""
    if not hours_per_week or hours_per_week < 0:
        return None
    return next(level for level, most in COMMITMENT_LEVELS if hours_per_week <= most)


def practical_label(facet: str, value: str, lang: str = "fr") -> str:
    """The label of a practical facet value in ``lang`` ("fr" or "en"); the value itself if unknown."""
    labels = _LABELS.get((facet, value))
    if labels is None:
        return value
    return labels[1] if lang == "en" else labels[0]
