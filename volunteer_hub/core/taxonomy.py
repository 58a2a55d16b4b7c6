"""The cause taxonomy, and mapping of partner categories and free text onto it.

Cause codes are exactly the domain codes of the French "API Engagement" (so opportunities
we exchange with it keep their domain); labels are our own. ``map_categories`` turns a
partner's category strings (French or English, any case or accents, 2009 FPXML /
VolunteerMatch / Idealist names included) into at most three cause codes, falling back to
keywords in the opportunity's text, and to ``["autre"]`` only when nothing fits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import product

from volunteer_hub.core.textfold import fold


@dataclass(frozen=True)
class Cause:
    code: str
    label_fr: str
    label_en: str


CAUSES: dict[str, Cause] = {
    c.code: c
    for c in (
        Cause("animaux", "Animaux", "Animals"),
        Cause("batiment-industrie-logistique", "Bâtiment, industrie et logistique", "Building & logistics"),
        Cause("benevolat-competences", "Bénévolat de compétences", "Skills-based volunteering"),
        Cause("communication", "Communication", "Communication & media"),
        Cause("culture-loisirs", "Culture et loisirs", "Culture & leisure"),
        Cause("education", "Éducation", "Education"),
        Cause("emploi", "Emploi", "Employment"),
        Cause("environnement", "Environnement", "Environment"),
        Cause("gestion-finance-droit", "Gestion, finance et droit", "Management, finance & law"),
        Cause("humanitaire", "Humanitaire", "Humanitarian aid"),
        Cause("memoire-et-citoyennete", "Mémoire et citoyenneté", "Remembrance & citizenship"),
        Cause("numerique", "Numérique", "Digital"),
        Cause("prevention-protection", "Prévention et protection", "Prevention & protection"),
        Cause("recherche", "Recherche", "Research"),
        Cause("sante", "Santé", "Health"),
        Cause(
            "service-public-defense-securite",
            "Service public, défense et sécurité",
            "Public service & defence",
        ),
        Cause("solidarite-insertion", "Solidarité et insertion", "Solidarity & inclusion"),
        Cause("sport", "Sport", "Sport"),
        Cause("vivre-ensemble", "Vivre ensemble", "Living together"),
        Cause("autre", "Autre", "Other"),
    )
}

OTHER = "autre"
MAX_CAUSES = 3

# Keywords per cause, French and English, written folded and singular (plurals are derived).
# They serve both as containment terms for partner categories and as the text fallback.
# A leading "=" keeps a word exact: no plural forms ("courses" are errands in French, "chat"
# is English small talk while "chats" are cats).
_KEYWORDS: dict[str, str] = {
    "animaux": """
        animal, animaux, animal welfare, bien etre animal, protection animale, protection des animaux,
        refuge, shelter, animal shelter, animal rescue, sauvetage animal, spa, chien, dog, puppy, chiot,
        =chats, chaton, cat, kitten, chat errant, stray cat, cheval, horse, equide, oiseau, bird, faune,
        wildlife, faune sauvage, veterinaire, veterinary, fourriere, chenil, kennel, pet, animalerie, lpo,
        soigneur animalier
    """,
    "batiment-industrie-logistique": """
        batiment, construction, renovation, bricolage, bricoleur, diy, handyman, menuiserie, carpentry,
        carpenter, plomberie, plumbing, electricite, electrician, maconnerie, masonry, peinture murale,
        chantier, logistique, logistics, manutention, entrepot, warehouse, transport, chauffeur, driver,
        livraison, delivery, reparation, repair, repair cafe, maintenance, mecanique, industrie,
        industry, habitat for humanity, amenagement, tri des dons, sorting donations, stockage
    """,
    "benevolat-competences": """
        benevolat de competences, mecenat de competences, skills based, skills based volunteering,
        skilled volunteering, skilled volunteer, pro bono, probono, expertise, consultant, consulting,
        conseil d administration, board member, board of directors, board development,
        administrateur benevole, strategie, strategy, accompagnement d association, capacity building
    """,
    "communication": """
        communication, reseaux sociaux, social media, marketing, journalisme, journalism, journaliste,
        journalist, media, redaction, redacteur, copywriting, graphisme, graphiste, graphic design,
        design graphique, video, videaste, radio, podcast, relations presse, public relations,
        newsletter, community manager, traduction, translation, translator, traducteur, interprete,
        broadcasting, affiche, poster
    """,
    "culture-loisirs": """
        culture, culturel, cultural, art, artiste, artist, artistique, arts and culture, musique, music,
        musical, musicien, musician, concert, festival, musee, museum, theatre, theater, cinema, film,
        danse, dance, patrimoine, heritage, bibliotheque, library, mediatheque, livre, book, exposition,
        exhibition, spectacle, chorale, choir, loisir, leisure, recreation, centre de loisirs, photographie,
        photography, architecture, lecture publique, atelier creatif, crafts
    """,
    "education": """
        education, educatif, educational, soutien scolaire, accompagnement scolaire, aide aux devoirs,
        homework, homework help, tutoring, tutor, tuteur, tutorat, mentoring, mentor, mentorat, literacy,
        alphabetisation, illettrisme, =fle, francais langue etrangere, esl, aide a la lecture, reading,
        ecole, school, eleve, pupil, student, etudiant, teacher, teaching, enseignant, enseignement,
        apprentissage, cours de francais, college, lycee, universite, university, academia,
        jeunesse, youth, enfant, child, children, kid, after school, periscolaire
    """,
    "emploi": """
        emploi, employment, job, jobs, chomage, unemployment, unemployed, demandeur d emploi,
        recherche d emploi, job search, job seeker, cv, entretien d embauche, job interview,
        insertion professionnelle, career, carriere, reconversion, orientation professionnelle,
        formation professionnelle, vocational, workforce, job training, entrepreneuriat,
        entrepreneurship, entrepreneur, creation d entreprise, mission locale, pole emploi,
        france travail, economic development, developpement economique, job coach, job club
    """,
    "environnement": """
        environnement, environment, environmental, ecologie, ecology, ecologique, dechet, waste,
        litter, plage, beach, riviere, river, ocean, littoral, coast, coastal, climat, climate,
        biodiversite, biodiversity, recyclage, recycling, recycle, compost, compostage, jardin, garden,
        gardening, jardinage, potager, arbre, tree, tree planting, reboisement, foret, forest,
        developpement durable, sustainability, sustainable, energie renouvelable, renewable energy,
        zero dechet, zero waste, nettoyage, cleanup, clean up, ramassage, pollution, sentier,
        parc naturel, national park, state park, park cleanup, conservation, reserve naturelle,
        zone humide, wetland, ecosystem, ecosysteme, eau potable, agriculture, permaculture,
        energy conservation, protection de la nature, sortie nature, nature conservation,
        espace naturel, milieu naturel, natural area, transition ecologique
    """,
    "gestion-finance-droit": """
        gestion, finance, financier, financial, comptabilite, accounting, accountant, comptable,
        tresorier, tresorerie, treasurer, bookkeeping, budget, fiscalite, tax, tax preparation,
        declaration d impot, juridique, legal, legal aid, acces au droit, conseil juridique, juriste,
        avocat, lawyer, attorney, justice, law, ressources humaines, human resources,
        collecte de fonds, fundraising, microfinance, administratif, gestion administrative
    """,
    "humanitaire": """
        humanitaire, humanitarian, urgence humanitaire, aide humanitaire, humanitarian aid,
        aide internationale, international aid, developpement international, international development,
        solidarite internationale, cooperation internationale, international cooperation,
        international relief, catastrophe, disaster, disaster relief, crise humanitaire, famine,
        camp de refugies, refugee camp, secours international, pays en developpement,
        developing country, human rights, droits humains, droits de l homme, volontariat international
    """,
    "memoire-et-citoyennete": """
        memoire, remembrance, devoir de memoire, citoyennete, citizenship, citoyen, citizen, civic,
        civique, engagement citoyen, civic engagement, veteran, ancien combattant, commemoration,
        democratie, democracy, election, vote, voter, voter registration, politics,
        military families, histoire locale, monument aux morts, memorial, devoir civique
    """,
    "numerique": """
        numerique, digital, ordinateur, computer, computer science, informatique, creation de site,
        web design, web development, developpement web, technology, technologie, software, logiciel,
        coding, programmation, programming,
        developpeur, developer, smartphone, tablette, tablet, fracture numerique, digital divide,
        inclusion numerique, digital inclusion, cybersecurite, cybersecurity, intelligence artificielle,
        data science, open source, it support, e administration
    """,
    "prevention-protection": """
        prevention, secourisme, first aid, premiers secours, secouriste, sauvetage, rescue,
        securite routiere, road safety, violence, violences conjugales, domestic violence, harcelement,
        bullying, harassment, maltraitance, abuse, protection de l enfance, child protection,
        crisis, crisis line, crisis support, ligne d ecoute, ecoute telephonique, service d ecoute,
        suicide, emergency preparedness, preparedness, emergency and safety, prevention des risques,
        canicule, noyade,
        reduction des risques, protection civile, women s shelter
    """,
    "recherche": """
        recherche scientifique, recherche medicale, projet de recherche, programme de recherche,
        recherche participative, science participative, citizen science, research, researcher,
        chercheur, scientifique, scientific, science, laboratoire, laboratory, archeologie,
        archaeology, fouille archeologique, etude clinique, clinical trial, inventaire naturaliste
    """,
    "sante": """
        sante, health, healthcare, health care, hopital, hospital, =patients, malade, maladie, illness,
        medical, medecin, medecine, medicine, doctor, infirmier, infirmiere, nurse, nursing, soins,
        cancer, don du sang, don de sang, blood donation, blood drive, hiv, vih, =sida, mental health,
        sante mentale, addiction, addictologie, alzheimer, dementia, clinique, clinic,
        soins palliatifs, palliative, hospice, autisme, autism, diabete, diabetes, nutrition,
        handicap psychique
    """,
    "service-public-defense-securite": """
        service public, public service, defense, armee, army, military, militaire, reserviste,
        reserve operationnelle, gendarmerie, police, pompier, sapeur pompier, firefighter,
        fire department, securite civile, national guard, garde nationale, marine nationale,
        securite publique, public safety
    """,
    "solidarite-insertion": """
        solidarite, solidarity, insertion, insertion sociale, exclusion, lutte contre l exclusion,
        precarite, pauvrete, poverty, banque alimentaire, food bank, food pantry, soup kitchen,
        restos du coeur, restaurants du coeur, epicerie solidaire, repas, meal, distribution alimentaire,
        aide alimentaire, food drive, meal delivery, meals on wheels, hunger, hungry, maraude, sans abri,
        sdf, homeless, homelessness, sans domicile, homeless shelter, emergency shelter,
        hebergement d urgence,
        logement, housing, senior, personne agee, aine, elderly, older adult, ehpad, nursing home,
        isolement, loneliness, handicap, disability, disabled, people with disabilities, migrant,
        refugie, refugee, immigrant, immigration, exile, demandeur d asile, asylum, accueil de jour,
        vestiaire, low income, vetement, clothing, parentalite, parenting, inclusion sociale,
        social inclusion, personne isolee, visite de convivialite
    """,
    "sport": """
        sport, sportif, sportive, marathon, semi marathon, =course, course a pied, course solidaire,
        running, trail running, =match, =club, club sportif, sports club, football, soccer, basketball,
        basket, rugby, tennis, handball, volleyball, natation, swimming, cyclisme, cycling, velo,
        tournoi, tournament, triathlon, randonnee, hiking, athletisme, athletics, olympique, olympic,
        paralympique, paralympic, jeux olympiques, competition sportive, coach, entraineur,
        gymnastique, judo, escalade, climbing, ski, voile, sailing, regate, stade, stadium,
        ravitaillement, signaleur, sport adapte, handisport, book club, club de lecture
    """,
    "vivre-ensemble": """
        vivre ensemble, lien social, intergenerationnel, intergenerational, mixite, diversite,
        diversity, egalite, equality, discrimination, racisme, racism, antiracisme, lgbt, lgbtq,
        lgbtqia, droits des femmes, women s rights, quartier, neighborhood, neighbourhood, voisinage,
        convivialite, fraternite, laicite, interculturel, intercultural, faith based, religion, eglise,
        church, mosquee, mosque, synagogue, tolerance, race and ethnicity, ruralite, inclusion,
        community building, defense des droits, jardin partage, community garden
    """,
}

# Words too vague to decide from free text, but telling as (part of) a partner category.
_CATEGORY_KEYWORDS: dict[str, str] = {
    "environnement": "nature, green, water, eau, energie, energy, mer, sea",
    "gestion-finance-droit": "droit, droits, gestion, philanthropy",
    "humanitaire": "international, urgence, relief, emergency",
    "memoire-et-citoyennete": "politique, histoire, history, civil",
    "numerique": "tech, internet, web, website, online, en ligne, it",
    "prevention-protection": "safety, securite, protection, crime",
    "recherche": "recherche, sciences",
    "sante": "recovery, mental, medecine",
    "service-public-defense-securite": "government, collectivite, defense",
    "solidarite-insertion": "food, alimentation, famille, family, social, sociale, poverty",
    "vivre-ensemble": "community, communaute, femme, women, dialogue, faith, rural, urban, lgbt",
    "education": "learning, formation, literacy",
    "culture-loisirs": "loisirs, recreation",
}

# Phrases that would otherwise trigger a wrong keyword: they match first (longest match wins)
# and map to nothing. "à la recherche de bénévoles" is how French listings say "looking for".
_NEUTRAL = """
    a la recherche, en recherche, recherche de benevole, recherche benevole, nous recherchons,
    service civique, of course, en cours, rotary club, lions club, kiwanis club, food for thought,
    bien sur, je veux aider, volunteer match, volunteermatch, match you, match your, matching,
    green card, job description, on the job, training course, online course, the course of,
    a l ecoute, etre a l ecoute, web site, site web
"""

# Whole partner categories (folded) that decide directly, before containment. Needed where the
# words alone would mislead ("Sports & Recreation" is sport, not leisure) or say nothing.
_EXACT: dict[str, str] = {
    "animals": "animaux",
    "protection animale": "animaux",
    "environment": "environnement",
    "environnement et developpement durable": "environnement",
    "hunger": "solidarite-insertion",
    "homeless": "solidarite-insertion",
    "homeless and hungry": "solidarite-insertion",
    "homeless and housing": "solidarite-insertion",
    "housing and homelessness": "solidarite-insertion",
    "hunger food security": "solidarite-insertion",
    "seniors": "solidarite-insertion",
    "seniors retirement": "solidarite-insertion",
    "disabled": "solidarite-insertion",
    "disability": "solidarite-insertion",
    "people with disabilities": "solidarite-insertion",
    "immigrants and refugees": "solidarite-insertion",
    "immigration": "solidarite-insertion",
    "family and parenting": "solidarite-insertion",
    "poverty": "solidarite-insertion",
    "solidarite": "solidarite-insertion",
    "insertion": "solidarite-insertion",
    "lutte contre l exclusion": "solidarite-insertion",
    "action sociale": "solidarite-insertion",
    "social": "solidarite-insertion",
    "arts and culture": "culture-loisirs",
    "art architecture music": "culture-loisirs",
    "culture": "culture-loisirs",
    "loisirs": "culture-loisirs",
    "culture et loisirs": "culture-loisirs",
    "arts": "culture-loisirs",
    "health and medicine": "sante",
    "health mental": "sante",
    "recovery addiction and abuse": "sante",
    "sante": "sante",
    "education and literacy": "education",
    "education and academia": "education",
    "children and youth": "education",
    "enfance et jeunesse": "education",
    "jeunesse": "education",
    "disaster relief": "humanitaire",
    "humanitaire": "humanitaire",
    "urgence": "humanitaire",
    "international": "humanitaire",
    "advocacy and human rights": "humanitaire",
    "human rights and civil liberties": "humanitaire",
    "emergency and safety": "prevention-protection",
    "emergency preparedness": "prevention-protection",
    "crisis support": "prevention-protection",
    "crime and safety": "prevention-protection",
    "sports and recreation": "sport",
    "sport": "sport",
    "technology": "numerique",
    "computers and technology": "numerique",
    "science and technology": "numerique",
    "numerique": "numerique",
    "community": "vivre-ensemble",
    "community service and volunteering": "vivre-ensemble",
    "community building and renewal": "vivre-ensemble",
    "civic engagement": "memoire-et-citoyennete",
    "veterans": "memoire-et-citoyennete",
    "veterans and military families": "memoire-et-citoyennete",
    "politics": "memoire-et-citoyennete",
    "memoire": "memoire-et-citoyennete",
    "citoyennete": "memoire-et-citoyennete",
    "women": "vivre-ensemble",
    "lgbt": "vivre-ensemble",
    "faith based": "vivre-ensemble",
    "religion": "vivre-ensemble",
    "race and ethnicity": "vivre-ensemble",
    "rural issues": "vivre-ensemble",
    "urban": "vivre-ensemble",
    "droits": "gestion-finance-droit",
    "droit": "gestion-finance-droit",
    "justice and legal": "gestion-finance-droit",
    "legal": "gestion-finance-droit",
    "philanthropy": "gestion-finance-droit",
    "media and broadcasting": "communication",
    "media": "communication",
    "board development": "benevolat-competences",
    "emploi": "emploi",
    "employment": "emploi",
    "job training": "emploi",
    "economic development": "emploi",
    "agriculture": "environnement",
    "water": "environnement",
    "energy conservation": "environnement",
    "recherche": "recherche",
    "research": "recherche",
}

# Category names that carry no cause: they are skipped, so the text fallback gets its chance.
_GENERIC = frozenset(
    """
    other|others|other projects|autre|autres|divers|diverse|general|generale|misc|miscellaneous|none|
    n a|na|all|tous|toutes|nonprofit ngo|non profit|volunteer|volunteering|benevolat|benevole|
    mission|missions|opportunity|opportunities|various|varies|any
    """.replace("\n", "").split("|")
)

_STOPWORDS = frozenset(
    "a au aux d de des du en et l la le les s sur un une and for in of on the to with".split()
)
_WORD = re.compile(r"[a-z0-9]+")


def _norm(text: str) -> str:
    """Folded words separated by single spaces: the key every table lookup uses."""
    return " ".join(_WORD.findall(fold(text or "").replace("&", " and ")))


def _word_forms(word: str) -> set[str]:
    """A singular word and its regular French/English plurals."""
    if word.startswith("="):
        return {word[1:]}
    if len(word) <= 2 or word in _STOPWORDS or word.isdigit():
        return {word}
    forms = {word, word + "s"}
    if word.endswith(("eau", "eu", "ou")):
        forms.add(word + "x")
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    if word.endswith("al"):
        forms.add(word[:-2] + "aux")
    if word.endswith("ail"):
        forms.add(word[:-3] + "aux")
    if word.endswith("y") and len(word) > 3 and word[-2] not in "aeiou":
        forms.add(word[:-1] + "ies")
    return forms


def _phrase_forms(phrase: str) -> set[str]:
    """Normalized forms of a table phrase: every combination of its words' plurals."""
    if phrase.startswith("="):
        return {_norm(phrase[1:])}
    return {" ".join(combo) for combo in product(*(_word_forms(w) for w in _norm(phrase).split()))}


def _add_terms(terms: dict[str, str | None], blocks: Mapping[str, str]) -> None:
    for code, block in blocks.items():
        for phrase in block.split(","):
            if phrase.strip():
                for form in _phrase_forms(phrase.strip()):
                    terms.setdefault(form, code)


def _build_terms() -> dict[str, str | None]:
    terms: dict[str, str | None] = {}
    for phrase in _NEUTRAL.split(","):
        for form in _phrase_forms(phrase.strip()):
            terms[form] = None
    _add_terms(terms, _KEYWORDS)
    return terms


_TEXT_TERMS = _build_terms()
_CATEGORY_TERMS = dict(_TEXT_TERMS)
_add_terms(_CATEGORY_TERMS, _CATEGORY_KEYWORDS)
_MAX_WORDS = max(len(term.split()) for term in _CATEGORY_TERMS)

_EXACT_FORMS: dict[str, str] = {}
for _cause in CAUSES.values():
    for _name in (_cause.code, _cause.label_fr, _cause.label_en):
        _EXACT_FORMS.setdefault(_norm(_name), _cause.code)
for _key, _code in _EXACT.items():
    for _form in _phrase_forms(_key):
        _EXACT_FORMS.setdefault(_form, _code)


def is_cause(code: str) -> bool:
    """Whether ``code`` is one of our cause codes."""
    return code in CAUSES


def cause_label(code: str, lang: str = "fr") -> str:
    """Display label of a cause code in ``lang`` ("fr" or "en"); unknown codes come back as is."""
    cause = CAUSES.get(code)
    if cause is None:
        return code
    return cause.label_en if (lang or "").lower().startswith("en") else cause.label_fr


def _scan(normalized: str, terms: Mapping[str, str | None]) -> list[str]:
    """Cause codes of the keywords found in normalized text, in order, longest phrase first."""
    words = normalized.split()
    found: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_MAX_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size])
            if phrase in terms:
                code = terms[phrase]
                if code:
                    found.append(code)
                i += size
                break
        else:
            i += 1
    return found


def _map_category(category: str, overrides: Mapping[str, str]) -> list[str] | None:
    """Codes for one category; None when it is generic or maps to nothing."""
    key = _norm(category)
    if not key or key in _GENERIC:
        return None
    if key in overrides:
        code = overrides[key]
        return [code] if code and is_cause(code) else None
    if key in _EXACT_FORMS:
        return [_EXACT_FORMS[key]]
    return _scan(key, _CATEGORY_TERMS) or None


def keyword_causes(text: str, limit: int = MAX_CAUSES) -> list[str]:
    """Causes suggested by keywords in free text, most mentioned first (ties: first mentioned)."""
    hits = _scan(_norm(text), _TEXT_TERMS)
    if not hits:
        return []
    counts: dict[str, int] = {}
    for code in hits:
        counts[code] = counts.get(code, 0) + 1
    best = max(counts.values())
    # A cause mentioned far less often than the main one is usually incidental.
    ranked = sorted(counts, key=lambda c: (-counts[c], hits.index(c)))
    return [code for code in ranked if counts[code] * 2 >= best][:limit]


def map_categories(
    categories: Iterable[str],
    text: str = "",
    overrides: Mapping[str, str] | None = None,
) -> list[str]:
    """Partner categories (and, failing them, ``text``) -> up to 3 cause codes, never empty.

    ``overrides`` maps a partner's category (any case/accents) to a cause code and is tried
    first; mapping a category to "" silences it.
    """
    folded_overrides = {_norm(k): v for k, v in (overrides or {}).items()}
    codes: list[str] = []
    for category in categories or ():
        if not isinstance(category, str):
            continue
        codes.extend(_map_category(category, folded_overrides) or ())
    if not [c for c in codes if c != OTHER]:
        codes = keyword_causes(text) if text else []
    result = list(dict.fromkeys(c for c in codes if c != OTHER))[:MAX_CAUSES]
    return result or [OTHER]
