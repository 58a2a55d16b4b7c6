"""Generate the invented demo partners served and crawled by ``volunteer-hub demo``.

Everything here is fiction: organizations, people, missions and web sites are invented, and every
URL is on a ``.example`` domain (RFC 2606). Only the cities, postal codes, departments, regions and
approximate coordinates are real, so that geographic search behaves realistically.

The output is deterministic (no randomness, fixed "now" of 2026-11-26); regenerate with::

    python volunteer_hub/demo_data/generate.py

and commit the regenerated files. Four partners, one feed format each:

* ``passerelles-benevoles``: French "API Engagement" mission XML (``<source><mission>``);
* ``agir-ensemble``: RSS 2.0 with Dublin Core, GeoRSS and the RSS event module;
* ``volunteer-bridge``: FPXML 0.1 (All for Good / Footprint);
* ``tidemark``: Atom 1.0 with GeoRSS.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree

HERE = Path(__file__).resolve().parent
PARIS = "Europe/Paris"
GENERATED_AT = datetime(2026, 11, 26, 7, 0, tzinfo=ZoneInfo(PARIS))

DC_NS = "http://purl.org/dc/elements/1.1/"
GEORSS_NS = "http://www.georss.org/georss"
ATOM_NS = "http://www.w3.org/2005/Atom"
EV_NS = "http://purl.org/rss/1.0/modules/event/"

# The project's cause codes (same spelling as API Engagement "domain" values).
CAUSES: tuple[str, ...] = (
    "animaux",
    "batiment-industrie-logistique",
    "benevolat-competences",
    "communication",
    "culture-loisirs",
    "education",
    "emploi",
    "environnement",
    "gestion-finance-droit",
    "humanitaire",
    "memoire-et-citoyennete",
    "numerique",
    "prevention-protection",
    "recherche",
    "sante",
    "service-public-defense-securite",
    "solidarite-insertion",
    "sport",
    "vivre-ensemble",
)

# How each partner words a cause: the RSS federation uses French category words, the FPXML
# platform English categoryTags, the Atom NGO lowercase English terms with a label.
RSS_CATEGORY: dict[str, str] = {
    "animaux": "Animaux",
    "batiment-industrie-logistique": "Logistique",
    "benevolat-competences": "Mécénat de compétences",
    "communication": "Communication",
    "culture-loisirs": "Culture et loisirs",
    "education": "Éducation",
    "emploi": "Emploi",
    "environnement": "Environnement",
    "gestion-finance-droit": "Accès au droit",
    "humanitaire": "Solidarité internationale",
    "memoire-et-citoyennete": "Mémoire et citoyenneté",
    "numerique": "Numérique",
    "prevention-protection": "Prévention",
    "recherche": "Sciences participatives",
    "sante": "Santé",
    "service-public-defense-securite": "Sécurité civile",
    "solidarite-insertion": "Solidarité",
    "sport": "Sport",
    "vivre-ensemble": "Lien social",
}
FPXML_CATEGORY: dict[str, str] = {
    "animaux": "Animals",
    "batiment-industrie-logistique": "Construction & Logistics",
    "benevolat-competences": "Skills-Based Volunteering",
    "communication": "Media & Communications",
    "culture-loisirs": "Arts & Culture",
    "education": "Education & Literacy",
    "emploi": "Employment",
    "environnement": "Environment",
    "gestion-finance-droit": "Legal & Finance",
    "humanitaire": "Immigrants & Refugees",
    "memoire-et-citoyennete": "Remembrance & Civic Life",
    "numerique": "Computers & Technology",
    "prevention-protection": "Safety & Prevention",
    "recherche": "Science & Research",
    "sante": "Health & Medicine",
    "service-public-defense-securite": "Emergency & Public Safety",
    "solidarite-insertion": "Hunger & Homelessness",
    "sport": "Sports & Recreation",
    "vivre-ensemble": "Community",
}
ATOM_CATEGORY: dict[str, tuple[str, str]] = {
    "animaux": ("wildlife", "Wildlife & animals"),
    "batiment-industrie-logistique": ("construction", "Construction & maintenance"),
    "benevolat-competences": ("skills-based", "Skills-based volunteering"),
    "communication": ("communications", "Communications"),
    "culture-loisirs": ("arts", "Arts & culture"),
    "education": ("education", "Education"),
    "emploi": ("employment", "Employment"),
    "environnement": ("environment", "Environment"),
    "gestion-finance-droit": ("legal-aid", "Legal aid"),
    "humanitaire": ("humanitarian", "Humanitarian"),
    "memoire-et-citoyennete": ("remembrance", "Remembrance"),
    "numerique": ("digital", "Digital inclusion"),
    "prevention-protection": ("prevention", "Risk prevention"),
    "recherche": ("citizen-science", "Citizen science"),
    "sante": ("health", "Health"),
    "service-public-defense-securite": ("public-safety", "Public safety"),
    "solidarite-insertion": ("poverty", "Poverty & inclusion"),
    "sport": ("sport", "Sport"),
    "vivre-ensemble": ("community", "Community"),
}


# -- places (real cities, real postal codes, approximate real coordinates) --------------------
@dataclass(frozen=True)
class Place:
    city: str
    postal_code: str
    department_code: str
    department_name: str
    region: str
    lat: float
    lon: float
    country: str = "FR"
    tz: str = PARIS


PLACES: dict[str, Place] = {
    "rennes": Place("Rennes", "35000", "35", "Ille-et-Vilaine", "Bretagne", 48.1112, -1.6800),
    "brest": Place("Brest", "29200", "29", "Finistère", "Bretagne", 48.3904, -4.4861),
    "saint-malo": Place("Saint-Malo", "35400", "35", "Ille-et-Vilaine", "Bretagne", 48.6493, -2.0257),
    "nantes": Place("Nantes", "44000", "44", "Loire-Atlantique", "Pays de la Loire", 47.2184, -1.5536),
    "saint-nazaire": Place(
        "Saint-Nazaire", "44600", "44", "Loire-Atlantique", "Pays de la Loire", 47.2735, -2.2138
    ),
    "angers": Place("Angers", "49000", "49", "Maine-et-Loire", "Pays de la Loire", 47.4784, -0.5632),
    "lyon": Place("Lyon", "69001", "69", "Rhône", "Auvergne-Rhône-Alpes", 45.7675, 4.8340),
    "grenoble": Place("Grenoble", "38000", "38", "Isère", "Auvergne-Rhône-Alpes", 45.1885, 5.7245),
    "clermont": Place(
        "Clermont-Ferrand", "63000", "63", "Puy-de-Dôme", "Auvergne-Rhône-Alpes", 45.7772, 3.0870
    ),
    "marseille": Place(
        "Marseille", "13001", "13", "Bouches-du-Rhône", "Provence-Alpes-Côte d'Azur", 43.2986, 5.3837
    ),
    "nice": Place("Nice", "06000", "06", "Alpes-Maritimes", "Provence-Alpes-Côte d'Azur", 43.7031, 7.2661),
    "bordeaux": Place("Bordeaux", "33000", "33", "Gironde", "Nouvelle-Aquitaine", 44.8378, -0.5792),
    "la-rochelle": Place(
        "La Rochelle", "17000", "17", "Charente-Maritime", "Nouvelle-Aquitaine", 46.1603, -1.1511
    ),
    "biarritz": Place(
        "Biarritz", "64200", "64", "Pyrénées-Atlantiques", "Nouvelle-Aquitaine", 43.4832, -1.5586
    ),
    "toulouse": Place("Toulouse", "31000", "31", "Haute-Garonne", "Occitanie", 43.6047, 1.4442),
    "montpellier": Place("Montpellier", "34000", "34", "Hérault", "Occitanie", 43.6108, 3.8767),
    "perpignan": Place("Perpignan", "66000", "66", "Pyrénées-Orientales", "Occitanie", 42.6887, 2.8948),
    "lille": Place("Lille", "59000", "59", "Nord", "Hauts-de-France", 50.6292, 3.0573),
    "amiens": Place("Amiens", "80000", "80", "Somme", "Hauts-de-France", 49.8941, 2.2958),
    "strasbourg": Place("Strasbourg", "67000", "67", "Bas-Rhin", "Grand Est", 48.5734, 7.7521),
    "metz": Place("Metz", "57000", "57", "Moselle", "Grand Est", 49.1193, 6.1757),
    "besancon": Place("Besançon", "25000", "25", "Doubs", "Bourgogne-Franche-Comté", 47.2378, 6.0241),
    "dijon": Place("Dijon", "21000", "21", "Côte-d'Or", "Bourgogne-Franche-Comté", 47.3220, 5.0415),
    "paris-11": Place("Paris", "75011", "75", "Paris", "Île-de-France", 48.8590, 2.3790),
    "montreuil": Place("Montreuil", "93100", "93", "Seine-Saint-Denis", "Île-de-France", 48.8638, 2.4485),
    "orleans": Place("Orléans", "45000", "45", "Loiret", "Centre-Val de Loire", 47.9030, 1.9093),
    "tours": Place("Tours", "37000", "37", "Indre-et-Loire", "Centre-Val de Loire", 47.3941, 0.6848),
    "rouen": Place("Rouen", "76000", "76", "Seine-Maritime", "Normandie", 49.4431, 1.0993),
    "caen": Place("Caen", "14000", "14", "Calvados", "Normandie", 49.1829, -0.3707),
    "ajaccio": Place("Ajaccio", "20000", "2A", "Corse-du-Sud", "Corse", 41.9192, 8.7386),
    "bastia": Place("Bastia", "20200", "2B", "Haute-Corse", "Corse", 42.6973, 9.4509),
    "pointe-a-pitre": Place(
        "Pointe-à-Pitre",
        "97110",
        "971",
        "Guadeloupe",
        "Guadeloupe",
        16.2411,
        -61.5331,
        tz="America/Guadeloupe",
    ),
    "saint-denis-reunion": Place(
        "Saint-Denis", "97400", "974", "La Réunion", "La Réunion", -20.8823, 55.4504, tz="Indian/Reunion"
    ),
    # A few places abroad for the English-language FPXML platform (outward codes only).
    "cork": Place("Cork", "T12", "", "", "County Cork", 51.8985, -8.4756, country="IE", tz="Europe/Dublin"),
    "bristol": Place("Bristol", "BS1", "", "", "England", 51.4545, -2.5879, country="GB", tz="Europe/London"),
    "montreal": Place("Montréal", "H2X", "", "", "QC", 45.5136, -73.5680, country="CA", tz="America/Toronto"),
}


# -- the content model -------------------------------------------------------------------------
@dataclass(frozen=True)
class Site:
    place: str  # key of PLACES
    street: str = ""
    venue: str = ""


@dataclass(frozen=True)
class Org:
    name: str
    url: str
    description: str = ""
    place: str = ""  # key of PLACES


@dataclass(frozen=True)
class Item:
    sid: str  # the partner's own id for the opportunity
    slug: str
    title: str
    body: str  # HTML fragment written by the partner
    causes: tuple[str, ...]  # project cause codes, main one first
    org: str  # key in the partner's organization table
    posted: str  # "YYYY-MM-DDTHH:MM", partner local time
    start: str | None  # "YYYY-MM-DD"
    end: str | None = None  # "YYYY-MM-DD"; None and open_ended=True for ongoing missions
    sites: tuple[Site, ...] = ()  # empty means fully remote
    remote: str = "no"  # API Engagement vocabulary: no | possible | full
    open_ended: bool = False
    hours: tuple[str, str] | None = None  # ("09:30", "12:30") local time on each day
    schedule: str = ""
    skills: str = ""
    min_age: int | None = None
    hours_per_week: float | None = None
    spots: int | None = None
    keywords: tuple[str, ...] = ()


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _local(day: str, hhmm: str, tz: str) -> datetime:
    return datetime.combine(_day(day), time.fromisoformat(hhmm), tzinfo=ZoneInfo(tz))


def _posted(item: Item) -> datetime:
    return datetime.fromisoformat(item.posted).replace(tzinfo=ZoneInfo(_tz(item)))


def _updated(item: Item) -> datetime:
    """Last modification: a day after posting, at a fixed minute derived from the id."""
    minute = sum(ord(c) for c in item.sid) % 60
    return (_posted(item) + timedelta(days=1)).replace(minute=minute)


def _tz(item: Item) -> str:
    return PLACES[item.sites[0].place].tz if item.sites else PARIS


def _is_expired(item: Item) -> bool:
    return item.end is not None and _day(item.end) < GENERATED_AT.date()


_MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _fr_date(d: date) -> str:
    day = "1er" if d.day == 1 else str(d.day)
    return f"{_JOURS[d.weekday()]} {day} {_MOIS[d.month - 1]} {d.year}"


def _fr_time(hhmm: str) -> str:
    hour, minute = hhmm.split(":")
    return f"{int(hour)} h {minute}" if minute != "00" else f"{int(hour)} h"


def _en_date(d: date) -> str:
    return f"{d.strftime('%A')} {d.day} {d.strftime('%B')} {d.year}"


def fr_when(item: Item) -> str:
    if item.start is None:
        return "Dates : mission régulière, sans date de fin"
    start = _day(item.start)
    if item.open_ended or item.end is None:
        return f"Dates : à partir du {_fr_date(start)}, mission sans date de fin"
    end = _day(item.end)
    if start == end:
        text = f"Date : {_fr_date(start)}"
        if item.hours:
            text += f", de {_fr_time(item.hours[0])} à {_fr_time(item.hours[1])}"
        return text
    return f"Dates : du {_fr_date(start)} au {_fr_date(end)}"


def en_when(item: Item) -> str:
    if item.start is None:
        return "When: ongoing"
    start = _day(item.start)
    if item.open_ended or item.end is None:
        return f"When: ongoing, starting {_en_date(start)}"
    end = _day(item.end)
    if start == end:
        text = f"When: {_en_date(start)}"
        if item.hours:
            text += f", {item.hours[0]}–{item.hours[1]}"
        return text
    return f"When: {_en_date(start)} to {_en_date(end)}"


# =============================================================================================
# Partner 1: Réseau Passerelles Bénévoles (API Engagement XML, French)
# =============================================================================================
PB_SITE = "https://passerelles-benevoles.example"
PB_ORGS: dict[str, Org] = {
    "courte-echelle": Org(
        "Épicerie solidaire La Courte Échelle",
        "https://courte-echelle-rennes.example",
        "Épicerie solidaire du quartier Maurepas : produits à petits prix et accompagnement budgétaire.",
        "rennes",
    ),
    "refuge-vilaine": Org(
        "Refuge des Quatre Pattes de la Vilaine",
        "https://refuge-vilaine.example",
        "Refuge associatif pour chiens et chats abandonnés, adoptions responsables.",
        "rennes",
    ),
    "iroise": Org(
        "Collectif Iroise Sans Plastique",
        "https://iroise-sans-plastique.example",
        "Collectif citoyen de ramassage et de caractérisation des déchets du littoral breton.",
        "brest",
    ),
    "connexions": Org(
        "Connexions Solidaires Loire-Atlantique",
        "https://connexions-solidaires44.example",
        "Association d'inclusion numérique : ateliers, permanences et prêt de matériel.",
        "nantes",
    ),
    "mots-passants": Org(
        "Les Mots Passants",
        "https://mots-passants.example",
        "Association de soutien scolaire et de lutte contre l'illettrisme.",
        "angers",
    ),
    "hirondelles": Org(
        "Atlas participatif des hirondelles d'Anjou",
        "https://hirondelles-anjou.example",
        "Programme de sciences participatives sur les oiseaux nicheurs en ville.",
        "angers",
    ),
    "sourires": Org(
        "Bulles de Récré à l'hôpital",
        "https://bulles-de-recre.example",
        "Bénévoles formés qui rendent visite aux enfants et adolescents hospitalisés.",
        "rouen",
    ),
    "memoire-vive": Org(
        "Mémoire vive du Calvados",
        "https://memoire-vive-calvados.example",
        "Collecte et transmission de la mémoire locale, de la Reconstruction à nos jours.",
        "caen",
    ),
    "table-ouverte": Org(
        "Table Ouverte Orléanaise",
        "https://table-ouverte-orleans.example",
        "Repas chauds et accueil de jour pour les personnes sans domicile.",
        "orleans",
    ),
    "loire-en-scene": Org(
        "Festival Loire en Scène",
        "https://loire-en-scene.example",
        "Festival associatif de théâtre de rue et de musique en bord de Loire.",
        "tours",
    ),
    "jardins-doubs": Org(
        "Les Jardins Partagés du Doubs",
        "https://jardins-partages-doubs.example",
        "Réseau de jardins partagés en pied d'immeuble.",
        "besancon",
    ),
    "secouristes-bfc": Org(
        "Unité de Secouristes Bénévoles de Bourgogne",
        "https://secouristes-bourgogne.example",
        "Association agréée de sécurité civile : postes de secours et formations aux premiers secours.",
        "dijon",
    ),
    "langue-partage": Org(
        "Langue et Partage Strasbourg",
        "https://langue-et-partage.example",
        "Cours et ateliers de français pour les personnes exilées.",
        "strasbourg",
    ),
    "entrepot-57": Org(
        "Entrepôt Solidaire Mosellan",
        "https://entrepot-solidaire57.example",
        "Plateforme logistique qui approvisionne une quarantaine d'associations d'aide alimentaire.",
        "metz",
    ),
    "semi-beffrois": Org(
        "Comité du Semi-marathon des Beffrois",
        "https://semi-beffrois.example",
        "Comité bénévole organisateur d'une course sur route à Lille.",
        "lille",
    ),
    "repare-partage": Org(
        "Atelier Répare & Partage",
        "https://repare-partage-amiens.example",
        "Atelier associatif de réparation d'objets du quotidien.",
        "amiens",
    ),
    "veille-hdf": Org(
        "Veille Solidaire Hauts-de-France",
        "https://veille-solidaire-hdf.example",
        "Accueils de nuit et maraudes pendant les périodes de grand froid.",
        "lille",
    ),
    "coup-de-pouce": Org(
        "Tremplin Premier Poste",
        "https://tremplin-premier-poste.example",
        "Parrainage de jeunes vers l'emploi par des professionnels bénévoles.",
        "paris-11",
    ),
    "compta-solidaire": Org(
        "Le Cercle des Trésoriers Bénévoles",
        "https://cercle-tresoriers.example",
        "Bénévoles experts-comptables et gestionnaires au service des petites associations.",
        "paris-11",
    ),
    "karukera": Org(
        "Lanmen Ansanm Guadeloupe",
        "https://lanmen-ansanm.example",
        "Aide d'urgence et solidarité de proximité en Guadeloupe.",
        "pointe-a-pitre",
    ),
    "ti-kaz": Org(
        "Ti Kaz Partage",
        "https://tikaz-partage.example",
        "Maison de quartier : soutien scolaire, parentalité et activités pour les jeunes.",
        "saint-denis-reunion",
    ),
}

PB_ITEMS: list[Item] = [
    Item(
        "PB-35-0412",
        "tri-distribution-epicerie-solidaire",
        "Tri et distribution de denrées à l'épicerie solidaire",
        "<p>L'épicerie solidaire accueille chaque semaine près de 120 foyers orientés par les "
        "travailleurs sociaux. Nous cherchons des bénévoles pour :</p>"
        "<ul><li>réceptionner et trier les livraisons (fruits, légumes, produits secs) ;</li>"
        "<li>mettre en rayon et vérifier les dates ;</li>"
        "<li>accueillir les familles en caisse avec le sourire.</li></ul>"
        "<p>Aucune compétence particulière, juste de la bonne humeur et des chaussures fermées.</p>",
        ("solidarite-insertion",),
        "courte-echelle",
        "2026-11-18T10:20",
        "2026-12-01",
        "2027-06-30",
        sites=(Site("rennes", "14 rue des Tanneurs"),),
        schedule="Le mardi ou le jeudi après-midi (3 h)",
        spots=6,
        keywords=("aide alimentaire",),
    ),
    Item(
        "PB-35-0418",
        "promenade-chiens-refuge",
        "Promenades des chiens du refuge le week-end",
        "<p>Nos pensionnaires attendent une famille et ont besoin de sortir tous les jours. "
        "Après une courte formation avec un soigneur, vous emmènerez un ou deux chiens pour une "
        "balade d'une heure sur le chemin de halage.</p>"
        "<p><strong>Important :</strong> les mineurs de 16 à 18 ans sont les bienvenus avec une "
        "autorisation parentale.</p>",
        ("animaux",),
        "refuge-vilaine",
        "2026-11-20T18:05",
        "2026-12-05",
        open_ended=True,
        sites=(Site("rennes", "Chemin du Halage", "Refuge des Quatre Pattes"),),
        schedule="Le samedi ou le dimanche matin",
        min_age=16,
        spots=10,
    ),
    Item(
        "PB-29-0107",
        "plages-propres-littoral-breton",
        "Opération plages propres : ramassage de déchets sur le littoral breton",
        "<p>Chaque hiver, les tempêtes déposent sur nos plages filets, cordages et micro-plastiques. "
        "Rejoignez nos équipes pour des matinées de ramassage de déchets, suivies d'un comptage "
        "transmis à un programme scientifique de suivi du littoral.</p>"
        "<p>Gants, sacs et café fournis. Programme complet sur "
        '<a href="https://iroise-sans-plastique.example/agenda">notre agenda</a>.</p>',
        ("environnement",),
        "iroise",
        "2026-11-12T09:00",
        "2027-01-16",
        "2027-03-20",
        sites=(
            Site("brest", "Plage du Moulin Blanc"),
            Site("saint-malo", "Plage du Sillon"),
        ),
        schedule="Un samedi matin sur deux, de 9 h 30 à 12 h",
        spots=40,
        keywords=("littoral", "déchets"),
    ),
    Item(
        "PB-44-0233",
        "aide-numerique-seniors",
        "Aide numérique pour les seniors : smartphone et démarches en ligne",
        "<p>Prendre rendez-vous chez le médecin, déclarer ses impôts, appeler ses petits-enfants en "
        "vidéo : autant de gestes devenus difficiles pour beaucoup de personnes âgées.</p>"
        "<p>En binôme avec un animateur, vous accompagnerez les participants lors de permanences "
        "en médiathèque. Une partie du suivi peut se faire par téléphone.</p>",
        ("numerique", "vivre-ensemble"),
        "connexions",
        "2026-11-05T14:30",
        "2027-01-05",
        "2027-06-30",
        sites=(Site("nantes", "2 place de la Petite-Hollande", "Médiathèque du centre"),),
        remote="possible",
        schedule="2 heures par semaine, en journée",
        spots=8,
        skills="Patience et aisance avec les smartphones et les sites administratifs.",
    ),
    Item(
        "PB-49-0244",
        "tutorat-distance-lyceens",
        "Tutorat à distance de lycéens en filière professionnelle",
        "<p>Vous aidez un ou deux lycéens à organiser leurs révisions, à préparer un oral ou à "
        "rédiger une lettre de motivation, lors d'un appel vidéo hebdomadaire.</p>"
        "<p>Une formation en ligne de deux heures est proposée avant le premier rendez-vous.</p>",
        ("education",),
        "mots-passants",
        "2026-11-21T11:00",
        "2026-12-07",
        "2027-06-18",
        remote="full",
        schedule="1 heure par semaine, en soirée",
        spots=15,
        min_age=18,
    ),
    Item(
        "PB-49-0051",
        "comptage-nids-hirondelles",
        "Comptage participatif des nids d'hirondelles en ville",
        "<p>Les hirondelles de fenêtre déclinent fortement. Pour mieux les protéger, nous recensons "
        "chaque printemps les nids occupés dans les rues d'Angers.</p>"
        "<p>Après une soirée de formation, vous parcourez un secteur de votre choix et saisissez "
        "vos observations sur une application. Les données sont partagées avec des chercheurs en "
        "écologie urbaine.</p>",
        ("recherche", "environnement"),
        "hirondelles",
        "2026-11-02T16:45",
        "2027-04-15",
        "2027-06-30",
        sites=(Site("angers", "", "Point de rendez-vous : jardin des Beaux-Arts"),),
        schedule="2 à 3 sorties au printemps, horaires libres",
        spots=30,
    ),
    Item(
        "PB-76-0309",
        "visites-enfants-hospitalises",
        "Visites de convivialité auprès d'enfants hospitalisés",
        "<p>Jeux de société, lecture, bricolage : pendant une hospitalisation, un moment de détente "
        "compte énormément. Nos bénévoles interviennent en binôme dans les services de pédiatrie.</p>"
        "<p>Engagement demandé : une demi-journée par semaine pendant au moins six mois, après un "
        "entretien et une formation obligatoire.</p>",
        ("sante",),
        "sourires",
        "2026-10-28T10:00",
        "2026-12-01",
        open_ended=True,
        sites=(Site("rouen", "", "Service de pédiatrie, hôpital partenaire"),),
        schedule="Une demi-journée par semaine",
        min_age=18,
        spots=5,
    ),
    Item(
        "PB-14-0077",
        "recueil-temoignages-reconstruction",
        "Recueil de témoignages : la mémoire des quartiers reconstruits",
        "<p>Les derniers témoins de la Reconstruction de Caen ont des histoires à transmettre. "
        "Vous réaliserez des entretiens enregistrés chez eux ou en maison de quartier, puis vous "
        "aiderez à les transcrire pour une exposition et un fonds d'archives sonores.</p>",
        ("memoire-et-citoyennete", "culture-loisirs"),
        "memoire-vive",
        "2026-11-09T15:10",
        "2027-01-10",
        "2027-05-31",
        sites=(Site("caen", "9 rue des Carmes", "Maison des associations"),),
        schedule="Flexible, environ 2 entretiens par mois",
        spots=6,
    ),
    Item(
        "PB-45-0190",
        "service-repas-soir-plan-hiver",
        "Service du repas du soir pendant le plan hiver",
        "<p>De décembre à mars, la Table Ouverte sert chaque soir un repas chaud à une soixantaine "
        "de personnes. Vous participez au service, à la vaisselle et surtout à l'accueil : un mot, "
        "un café, une écoute.</p>",
        ("solidarite-insertion",),
        "table-ouverte",
        "2026-11-16T08:30",
        "2026-12-01",
        "2027-03-31",
        sites=(Site("orleans", "27 rue de Bourgogne"),),
        hours=("18:30", "21:30"),
        schedule="Un soir par semaine, de 18 h 30 à 21 h 30",
        spots=12,
    ),
    Item(
        "PB-37-0056",
        "accueil-billetterie-festival",
        "Accueil du public et billetterie au festival Loire en Scène",
        "<p>Trois jours de théâtre de rue, de concerts et de spectacles pour enfants au bord de la "
        "Loire. Les bénévoles tiennent l'accueil, la billetterie, le bar et aident au montage des "
        "scènes. Repas, tee-shirt et accès aux spectacles offerts.</p>",
        ("culture-loisirs",),
        "loire-en-scene",
        "2026-11-24T12:00",
        "2027-06-11",
        "2027-06-13",
        sites=(Site("tours", "Quai du Pont-Neuf", "Guinguette du festival"),),
        schedule="Créneaux de 4 heures à choisir",
        spots=80,
    ),
    Item(
        "PB-25-0088",
        "animation-jardin-partage",
        "Animation d'un jardin partagé en pied d'immeuble",
        "<p>Semis, compost, arrosage et goûters entre voisins : le jardin partagé de Planoise "
        "cherche des bénévoles pour animer les ateliers du mercredi avec les enfants du quartier "
        "et organiser une fête des récoltes en juin.</p>",
        ("environnement", "vivre-ensemble"),
        "jardins-doubs",
        "2026-11-19T17:40",
        "2027-03-01",
        "2027-06-30",
        sites=(Site("besancon", "Allée du Parc"),),
        schedule="Le mercredi après-midi",
        spots=4,
    ),
    Item(
        "PB-21-0034",
        "secouriste-postes-de-secours",
        "Devenir secouriste bénévole : formation et postes de secours",
        "<p>Vous souhaitez être utile lors d'événements sportifs, de concerts ou en cas de crise ? "
        "Nous vous formons gratuitement aux premiers secours (PSE1), puis vous rejoignez les équipes "
        "qui tiennent les postes de secours de la métropole dijonnaise.</p>"
        "<ul><li>Formation de 35 heures sur plusieurs week-ends ;</li>"
        "<li>au moins deux postes de secours par mois ensuite.</li></ul>",
        ("prevention-protection", "service-public-defense-securite"),
        "secouristes-bfc",
        "2026-11-03T19:00",
        "2027-01-09",
        "2027-06-30",
        sites=(Site("dijon", "5 rue du Transvaal"),),
        min_age=18,
        spots=20,
        schedule="Week-ends et quelques soirées",
    ),
    Item(
        "PB-67-0121",
        "ateliers-conversation-francais-exiles",
        "Ateliers de conversation en français pour personnes exilées",
        "<p>Nos ateliers réunissent des personnes arrivées récemment en France, de tous âges et de "
        "tous niveaux. En petits groupes, vous animez des conversations sur la vie quotidienne : "
        "faire ses courses, prendre un rendez-vous, parler de son métier.</p>"
        "<p>Pas besoin d'être enseignant : des fiches d'animation sont fournies.</p>",
        ("education", "solidarite-insertion"),
        "langue-partage",
        "2026-11-10T13:15",
        "2026-12-07",
        "2027-06-26",
        sites=(Site("strasbourg", "12 rue de la Krutenau"),),
        schedule="Le lundi ou le samedi, 2 heures",
        spots=10,
    ),
    Item(
        "PB-57-0064",
        "preparation-commandes-entrepot-solidaire",
        "Préparation de commandes à l'entrepôt solidaire",
        "<p>Chaque jour, l'entrepôt prépare les commandes de denrées des associations d'aide "
        "alimentaire de Moselle. Vous participerez à la réception des palettes, au tri et à la "
        "préparation des commandes.</p>"
        "<p>Titulaire du CACES 1 ou 3 ? Vos compétences de cariste sont les bienvenues.</p>",
        ("batiment-industrie-logistique", "solidarite-insertion"),
        "entrepot-57",
        "2026-11-13T07:50",
        "2026-12-01",
        "2027-02-28",
        sites=(Site("metz", "Rue des Intendants-Joba"),),
        hours=("08:00", "12:00"),
        schedule="Une ou plusieurs matinées par semaine, 8 h – 12 h",
        spots=15,
        skills="Port de charges modéré ; CACES apprécié mais non obligatoire.",
    ),
    Item(
        "PB-59-0310",
        "signaleurs-semi-marathon",
        "Signaleurs bénévoles pour le semi-marathon des Beffrois",
        "<p>Plus de 4 000 coureurs sont attendus. Nous recherchons des signaleurs pour sécuriser "
        "les intersections, des bénévoles aux ravitaillements et à la remise des médailles.</p>"
        "<p>Un briefing a lieu la veille ; gilet, repas et cadeau souvenir offerts.</p>",
        ("sport",),
        "semi-beffrois",
        "2026-11-25T09:30",
        "2027-03-21",
        "2027-03-21",
        sites=(Site("lille", "Place de la République"),),
        hours=("07:00", "13:00"),
        min_age=18,
        spots=150,
    ),
    Item(
        "PB-80-0025",
        "atelier-reparation-objets",
        "Réparer plutôt que jeter : bénévole à l'atelier de réparation",
        "<p>Grille-pain, vélos, lampes, vêtements : une fois par mois, nos réparateurs bénévoles "
        "aident les habitants à redonner vie à leurs objets. Bricoleurs, couturières, "
        "électroniciens amateurs ou simples curieux, venez partager vos savoir-faire.</p>"
        # The one deliberately hostile description in the demo data: the sanitizer must drop
        # the script element and the onclick attribute but keep the paragraph text.
        "<p onclick=\"alert('inscription')\">Cliquez ici pour vous inscrire à l'atelier.</p>"
        "<script>alert(1)</script>",
        ("environnement", "batiment-industrie-logistique"),
        "repare-partage",
        "2026-11-06T20:00",
        "2027-01-09",
        "2027-06-26",
        sites=(Site("amiens", "3 rue Saint-Leu"),),
        schedule="Le 2e samedi du mois, de 14 h à 18 h",
        spots=8,
    ),
    Item(
        "PB-59-0322",
        "accueil-nuit-grand-froid",
        "Accueil de nuit pendant le plan grand froid",
        "<p>Quand les températures chutent, nous ouvrons des accueils de nuit en urgence. Les "
        "bénévoles préparent les lits, servent une soupe chaude et assurent une présence "
        "bienveillante aux côtés des salariés.</p>"
        "<p>Inscription sur une liste d'astreinte : nous vous appelons 24 heures à l'avance.</p>",
        ("solidarite-insertion", "humanitaire"),
        "veille-hdf",
        "2026-11-22T16:00",
        "2026-12-01",
        "2027-03-31",
        sites=(
            Site("lille", "Rue de Wazemmes", "Gymnase mis à disposition"),
            Site("amiens", "Boulevard d'Alsace-Lorraine", "Salle paroissiale"),
        ),
        min_age=18,
        spots=25,
        schedule="Soirées et nuits, selon alertes météo",
    ),
    Item(
        "PB-75-0402",
        "simulations-entretien-jeunes-diplomes",
        "Simulations d'entretien d'embauche avec des jeunes diplômés",
        "<p>Vous êtes recruteur, manager ou simplement expérimenté dans votre métier ? Aidez des "
        "jeunes diplômés des quartiers prioritaires à préparer leurs entretiens : mise en "
        "situation, retour bienveillant et conseils concrets.</p>",
        ("emploi", "benevolat-competences"),
        "coup-de-pouce",
        "2026-11-17T12:45",
        "2027-01-11",
        "2027-05-28",
        sites=(Site("paris-11", "40 rue de la Folie-Méricourt"),),
        remote="possible",
        schedule="Une session de 2 heures par mois",
        spots=20,
        skills="Au moins 5 ans d'expérience professionnelle.",
    ),
    Item(
        "PB-75-0415",
        "tresorier-benevole-petite-association",
        "Trésorier ou trésorière bénévole pour une petite association",
        "<p>De nombreuses petites associations n'ont personne pour tenir leur comptabilité. Nous "
        "vous mettons en relation avec l'une d'elles : saisie des dépenses, rapprochement "
        "bancaire, budget prévisionnel et comptes annuels.</p>"
        "<p>Mission entièrement à distance, avec un point mensuel en visio.</p>",
        ("gestion-finance-droit", "benevolat-competences"),
        "compta-solidaire",
        "2026-10-30T09:15",
        "2026-12-01",
        open_ended=True,
        remote="full",
        hours_per_week=2,
        skills="Notions de comptabilité associative, tableur.",
        spots=10,
    ),
    Item(
        "PB-971-0012",
        "kits-hygiene-apres-cyclones",
        "Distribution de kits d'hygiène après la saison cyclonique",
        "<p>Après une saison cyclonique difficile, de nombreuses familles ont encore besoin d'aide. "
        "Vous participez au conditionnement et à la distribution de kits d'hygiène et de "
        "produits de première nécessité dans les quartiers de Pointe-à-Pitre.</p>",
        ("humanitaire", "solidarite-insertion"),
        "karukera",
        "2026-11-14T10:00",
        "2026-12-01",
        "2027-01-31",
        sites=(Site("pointe-a-pitre", "Rue Frébault"),),
        schedule="Le samedi matin",
        spots=20,
    ),
    Item(
        "PB-974-0019",
        "soutien-scolaire-collegiens",
        "Soutien scolaire pour collégiens du quartier",
        "<p>Aide aux devoirs, méthodologie et préparation du brevet : nous accueillons une "
        "vingtaine de collégiens après les cours. Vous suivez un petit groupe, en français, en "
        "mathématiques ou en anglais selon vos envies.</p>",
        ("education",),
        "ti-kaz",
        "2026-11-19T08:00",
        "2027-01-25",
        "2027-06-25",
        sites=(Site("saint-denis-reunion", "Rue du Maréchal-Leclerc", "Maison de quartier"),),
        hours=("16:00", "18:00"),
        schedule="Le mardi et le jeudi, 16 h – 18 h",
        spots=8,
    ),
    Item(
        "PB-35-0398",
        "bourse-vetements-automne",
        "Bourse aux vêtements d'automne : tri et mise en rayon",
        "<p>Deux semaines de collecte et de vente à petits prix de vêtements chauds. Vous aidez au "
        "tri des dons, à l'étiquetage et à la tenue de la boutique éphémère.</p>",
        ("solidarite-insertion",),
        "courte-echelle",
        "2026-09-22T10:00",
        "2026-10-05",
        "2026-11-14",
        sites=(Site("rennes", "14 rue des Tanneurs"),),
        spots=10,
    ),
]


# =============================================================================================
# Partner 2: Fédération Agir Ensemble (RSS 2.0, French)
# =============================================================================================
AE_SITE = "https://agir-ensemble.example"
AE_ORGS: dict[str, Org] = {
    "bordeaux-quartiers": Org("Bordeaux Solidarité Quartiers", "https://bordeaux-solidarite.example"),
    "lucioles": Org("Les Lucioles, ludothèque associative", "https://ludotheque-lucioles.example"),
    "ocean-propre": Org("Océan Propre Pays basque", "https://ocean-propre-paysbasque.example"),
    "toulouse-entraide": Org("Toulouse Entraide Alimentaire", "https://toulouse-entraide.example"),
    "pierre-seche": Org("Cœur de Pierre, chantiers de patrimoine", "https://coeur-de-pierre.example"),
    "catalogne-accueil": Org("Catalogne Accueil Réfugiés", "https://catalogne-accueil.example"),
    "cine-club": Org("Ciné-club Lumière Solidaire", "https://cineclub-lumiere.example"),
    "montagne-pour-tous": Org("Cimes Partagées Grenoble", "https://cimes-partagees.example"),
    "volcans-numeriques": Org("Les Volcans Numériques", "https://volcans-numeriques.example"),
    "massilia": Org("Massilia Fraternité", "https://massilia-fraternite.example"),
    "azur-littoral": Org("Azur Littoral Vivant", "https://azur-littoral.example"),
    "u-fiatu": Org("U Fiatu, entraide ajaccienne", "https://u-fiatu.example"),
    "mare-pulita": Org("Associu Mare Pulita", "https://mare-pulita.example"),
    "radio-montreuil": Org("Radio Ondes Communes", "https://ondes-communes.example"),
    "info-droits": Org("Boussole Droits Jeunes Occitanie", "https://boussole-droits-jeunes.example"),
    "ovalie": Org("Toulouse Ovalie Solidaire", "https://ovalie-solidaire.example"),
    "jouets-partages": Org("Réseau Jouets Partagés Rhône-Alpes", "https://jouets-partages.example"),
    "garonne-en-fete": Org("Festival Les Quais Chantent", "https://quais-chantent.example"),
    "don-de-vie": Org("Amicale Hérault Don de Vie", "https://don-de-vie34.example"),
    "memoire-azur": Org("Mémoire et Avenir Azur", "https://memoire-avenir-azur.example"),
    # Also a member of Passerelles Bénévoles: the federation relays its winter evening service,
    # so the demo shows one mission published by two partners (listed once, with both sources).
    "table-ouverte": Org("Table Ouverte Orléanaise", "https://table-ouverte-orleans.example"),
    "pentes-vertes": Org("Les Pentes Vertes, jardin partagé", "https://pentes-vertes.example"),
}

AE_ITEMS: list[Item] = [
    Item(
        "AE-2026-101",
        "soutien-scolaire-primaire-bordeaux",
        "Soutien scolaire pour des enfants du primaire",
        "<p>Dans trois écoles du quartier Bacalan, nous proposons un accompagnement à la scolarité "
        "après la classe. Lecture, devoirs, jeux éducatifs : vous suivez les mêmes enfants toute "
        "l'année pour créer un lien de confiance.</p>",
        ("education",),
        "bordeaux-quartiers",
        "2026-11-15T09:00",
        "2027-01-04",
        "2027-06-30",
        sites=(Site("bordeaux"),),
        schedule="1 ou 2 fins d'après-midi par semaine",
    ),
    Item(
        "AE-2026-102",
        "apres-midi-jeux-ludotheque",
        "Animer des après-midi jeux de société à la ludothèque",
        "<p>La ludothèque ouvre ses portes aux familles, aux résidents de l'EHPAD voisin et aux "
        "jeunes du quartier. Vous expliquez les règles, animez les tables et aidez à l'entretien "
        "des 1 500 jeux de notre collection.</p>",
        ("culture-loisirs", "vivre-ensemble"),
        "lucioles",
        "2026-11-08T14:00",
        "2026-12-02",
        "2027-06-30",
        sites=(Site("la-rochelle"),),
        schedule="Le mercredi ou le samedi après-midi",
    ),
    Item(
        "AE-2026-103",
        "ramassage-dechets-cote-basque",
        "Ramassage de déchets sur la Côte basque après les tempêtes d'hiver",
        "<p>Les houles d'hiver ramènent sur le sable des quantités impressionnantes de plastique. "
        "Rendez-vous sur la plage pour une matinée de ramassage de déchets en famille, suivie "
        "d'un tri et d'une pesée.</p><p>Prévoir des vêtements chauds ; gants et sacs fournis.</p>",
        ("environnement",),
        "ocean-propre",
        "2026-11-23T10:30",
        "2027-01-17",
        "2027-01-17",
        sites=(Site("biarritz"),),
        hours=("09:30", "12:30"),
        keywords=("Week-end",),
    ),
    Item(
        "AE-2026-104",
        "tri-collecte-entrepot-alimentaire",
        "Tri et collecte à l'entrepôt alimentaire",
        "<p>Notre entrepôt redistribue chaque semaine plusieurs tonnes de denrées aux épiceries "
        "sociales de l'agglomération. Vous aidez au tri des fruits et légumes, au contrôle des "
        "dates et à la préparation des colis.</p>",
        ("solidarite-insertion", "batiment-industrie-logistique"),
        "toulouse-entraide",
        "2026-10-25T08:00",
        "2026-11-02",
        open_ended=True,
        sites=(Site("toulouse"),),
        schedule="Du lundi au vendredi, une matinée au choix",
    ),
    Item(
        "AE-2026-105",
        "restauration-muret-pierre-seche",
        "Chantier participatif : restauration d'un muret en pierre sèche",
        "<p>Apprenez les gestes de la pierre sèche en restaurant un muret de terrasse ancien, "
        "aux côtés d'un artisan murailler. Chantier ouvert aux débutants.</p>"
        "<ul><li>Outils et équipements de protection fournis ;</li>"
        "<li>repas partagé le midi.</li></ul>",
        ("culture-loisirs", "batiment-industrie-logistique"),
        "pierre-seche",
        "2026-11-11T18:00",
        "2027-03-13",
        "2027-03-14",
        sites=(Site("montpellier"),),
        keywords=("Patrimoine",),
    ),
    Item(
        "AE-2026-106",
        "cours-francais-refugies",
        "Cours de français pour personnes réfugiées",
        "<p>Nous accueillons des personnes réfugiées et demandeuses d'asile qui souhaitent "
        "apprendre le français. Les cours ont lieu en petits groupes de niveau ; un livret "
        "pédagogique et un accompagnement par une formatrice FLE sont proposés aux bénévoles.</p>",
        ("humanitaire", "education"),
        "catalogne-accueil",
        "2026-11-04T11:20",
        "2026-12-01",
        "2027-06-30",
        sites=(Site("perpignan"),),
        schedule="2 séances d'1 h 30 par semaine",
    ),
    Item(
        "AE-2026-107",
        "projectionniste-accueil-cine-club",
        "Bénévole projectionniste et accueil au ciné-club",
        "<p>Le ciné-club projette chaque jeudi un film de patrimoine suivi d'un débat, à prix libre. "
        "Vous apprenez à gérer la projection numérique, vous accueillez le public et préparez la "
        "présentation des séances.</p>",
        ("culture-loisirs",),
        "cine-club",
        "2026-11-21T21:00",
        "2027-01-07",
        "2027-06-24",
        sites=(Site("lyon"),),
        schedule="Le jeudi soir, une à deux fois par mois",
    ),
    Item(
        "AE-2026-108",
        "accompagnateur-raquettes-handicap",
        "Accompagner des sorties raquettes pour personnes en situation de handicap",
        "<p>Chaque samedi d'hiver, nous emmenons en montagne des personnes en situation de handicap "
        "moteur ou mental, en raquettes ou en joëlette. Les accompagnateurs bénévoles aident au "
        "transport, à l'encadrement et à la bonne ambiance !</p>"
        "<p>Bonne condition physique demandée.</p>",
        ("sport", "vivre-ensemble"),
        "montagne-pour-tous",
        "2026-11-19T07:45",
        "2027-01-09",
        "2027-03-27",
        sites=(Site("grenoble"),),
        keywords=("Handicap",),
    ),
    Item(
        "AE-2026-109",
        "permanence-aide-numerique-mediatheque",
        "Permanence « aide numérique » à la médiathèque",
        "<p>Créer une adresse e-mail, scanner un document, remplir un dossier en ligne : vous "
        "accompagnez les usagers de la médiathèque dans leurs démarches numériques, sans faire "
        "à leur place.</p>",
        ("numerique",),
        "volcans-numeriques",
        "2026-11-13T15:00",
        "2026-12-05",
        "2027-06-26",
        sites=(Site("clermont"),),
        schedule="Le samedi matin, de 10 h à 12 h",
    ),
    Item(
        "AE-2026-110",
        "maraude-solidaire-mardi-soir",
        "Maraude solidaire du mardi soir dans le centre-ville",
        "<p>En équipe de trois, vous allez à la rencontre des personnes qui vivent à la rue : "
        "boisson chaude, duvets, orientation vers les services de santé et d'hébergement.</p>"
        "<p>Formation obligatoire à l'écoute et à la posture en maraude.</p>",
        ("solidarite-insertion", "sante"),
        "massilia",
        "2026-11-06T19:30",
        "2026-12-01",
        "2027-04-27",
        sites=(Site("marseille"),),
        hours=("19:30", "23:00"),
    ),
    Item(
        "AE-2026-111",
        "nettoyage-fonds-marins-cote-azur",
        "Nettoyage des fonds marins et des plages de la Côte d'Azur",
        "<p>Plongeurs et non-plongeurs, rejoignez notre grande journée de nettoyage : les plongeurs "
        "remontent les déchets des petits fonds, les équipes à terre les trient et les pèsent "
        "sur la plage.</p><p>Niveau 1 de plongée requis pour l'équipe sous-marine.</p>",
        ("environnement",),
        "azur-littoral",
        "2026-11-24T10:00",
        "2027-05-22",
        "2027-05-22",
        sites=(Site("nice"),),
        hours=("09:00", "16:00"),
    ),
    Item(
        "AE-2026-112",
        "visites-convivialite-personnes-agees",
        "Visites de convivialité chez des personnes âgées isolées",
        "<p>Une visite par semaine, un café, une promenade ou une partie de cartes : vous rompez "
        "l'isolement d'une personne âgée de votre quartier. Nous organisons le premier rendez-vous "
        "et restons disponibles tout au long de l'accompagnement.</p>",
        ("vivre-ensemble", "sante"),
        "u-fiatu",
        "2026-11-01T10:00",
        "2026-12-01",
        open_ended=True,
        sites=(Site("ajaccio"),),
        schedule="1 à 2 heures par semaine",
    ),
    Item(
        "AE-2026-113",
        "observation-cetaces-bastia",
        "Sciences participatives : observation des cétacés au large de Bastia",
        "<p>À bord des navettes et depuis la jetée, vous notez les observations de dauphins et de "
        "tortues marines selon un protocole simple. Les données alimentent un programme de "
        "recherche sur la fréquentation du cap Corse.</p>",
        ("recherche", "animaux"),
        "mare-pulita",
        "2026-11-26T06:45",
        "2027-04-01",
        "2027-06-30",
        sites=(Site("bastia"),),
    ),
    Item(
        "AE-2026-114",
        "animation-emission-radio-associative",
        "Animer une émission de radio associative",
        "<p>Envie de tendre le micro aux associations de Montreuil ? Rejoignez l'équipe de "
        "l'émission hebdomadaire : préparation des sujets, interviews, chroniques et montage. "
        "Formation technique assurée par nos bénévoles.</p>",
        ("communication",),
        "radio-montreuil",
        "2026-11-09T16:00",
        "2027-01-06",
        "2027-06-30",
        sites=(Site("montreuil"),),
        schedule="Le mercredi soir + 2 heures de préparation",
    ),
    Item(
        "AE-2026-115",
        "redaction-fiches-droits-jeunes",
        "Rédaction de fiches pratiques sur les droits des jeunes",
        "<p>Logement, bourses, contrat d'apprentissage, santé : nous publions des fiches claires "
        "pour les 16-25 ans. Vous rédigez ou relisez des fiches, avec l'appui de juristes "
        "bénévoles. Mission entièrement à distance.</p>",
        ("gestion-finance-droit", "communication"),
        "info-droits",
        "2026-11-18T09:40",
        "2026-12-01",
        "2027-05-31",
        remote="full",
        keywords=("Jeunesse",),
    ),
    Item(
        "AE-2026-116",
        "tournoi-rugby-inclusif",
        "Bénévoles pour le tournoi de rugby inclusif",
        "<p>Un tournoi où jouent ensemble des équipes valides et des équipes de rugby fauteuil et "
        "de rugby adapté. Nous cherchons des bénévoles pour l'accueil des équipes, la buvette, "
        "la tenue des feuilles de match et le rangement.</p>",
        ("sport", "vivre-ensemble"),
        "ovalie",
        "2026-11-22T12:00",
        "2027-04-10",
        "2027-04-10",
        sites=(Site("toulouse"),),
        hours=("08:30", "18:00"),
    ),
    Item(
        "AE-2026-117",
        "relais-collecte-jouets-noel",
        "Relais de collecte : jouets de Noël pour les familles",
        "<p>Devant les magasins partenaires, vous présentez l'opération et collectez des jouets "
        "neufs ou en très bon état, ensuite redistribués par les centres sociaux.</p>",
        ("solidarite-insertion",),
        "jouets-partages",
        "2026-11-20T10:00",
        "2026-12-05",
        "2026-12-20",
        sites=(Site("lyon"), Site("grenoble")),
        schedule="Créneaux de 3 heures le samedi",
    ),
    Item(
        "AE-2026-118",
        "benevole-festival-les-quais-chantent",
        "Bénévole au festival de musique « Les Quais Chantent »",
        "<p>Trois jours de concerts gratuits sur les quais. Accueil, catering des artistes, "
        "stand éco-gobelets, information du public : choisissez votre poste !</p>",
        ("culture-loisirs",),
        "garonne-en-fete",
        "2026-11-25T17:00",
        "2027-06-18",
        "2027-06-20",
        sites=(Site("bordeaux"),),
    ),
    Item(
        "AE-2026-119",
        "atelier-couture-reparation-vetements",
        "Atelier couture et réparation de vêtements",
        "<p>Ourlets, fermetures éclair, reprises : une fois par semaine, l'atelier aide les habitants "
        "à réparer leurs vêtements et à apprendre à coudre. Machines à coudre fournies.</p>"
        "<p>Inscriptions sur place, dans la limite des machines disponibles.</p>",
        ("vivre-ensemble", "environnement"),
        "massilia",
        "2026-11-12T14:20",
        "2027-01-12",
        "2027-06-29",
        sites=(Site("marseille"),),
        schedule="Le mardi après-midi",
    ),
    Item(
        "AE-2026-120",
        "accueil-donneurs-collecte-sang",
        "Collecte de sang : accueil et collation des donneurs",
        "<p>Lors des collectes mobiles, vous accueillez les donneurs, les orientez et leur servez "
        "une collation après le don. Un moment convivial essentiel pour fidéliser les donneurs.</p>",
        ("sante",),
        "don-de-vie",
        "2026-11-17T09:00",
        "2027-02-13",
        "2027-02-13",
        sites=(Site("montpellier"),),
        hours=("10:00", "18:00"),
    ),
    Item(
        "AE-2026-121",
        "preparer-ceremonies-8-mai-collegiens",
        "Préparer les cérémonies du 8 mai avec les collégiens",
        "<p>Avec deux collèges de Nice, nous préparons la commémoration du 8 mai : recherches dans "
        "les archives, portraits de résistants niçois, lecture publique le jour de la "
        "cérémonie. Vous accompagnez les élèves dans leurs recherches.</p>",
        ("memoire-et-citoyennete", "education"),
        "memoire-azur",
        "2026-11-16T11:00",
        "2027-03-01",
        "2027-05-08",
        sites=(Site("nice"),),
    ),
    Item(
        "AE-2026-122",
        "repas-du-soir-plan-hiver-orleans",
        "Service du repas du soir - plan hiver",
        "<p>Relais d'une mission de la Table Ouverte Orléanaise, membre de la fédération : de "
        "décembre à mars, un repas chaud servi chaque soir à une soixantaine de personnes. Service, "
        "vaisselle et accueil, un soir par semaine.</p>",
        ("solidarite-insertion",),
        "table-ouverte",
        "2026-11-20T10:00",
        "2026-12-01",
        "2027-03-31",
        sites=(Site("orleans"),),
        schedule="Un soir par semaine, de 18 h 30 à 21 h 30",
    ),
    # The README's search example (`search "jardin" --near Lyon --radius-km 30`) finds this one.
    Item(
        "AE-2026-123",
        "jardin-partage-pentes-croix-rousse",
        "Jardin partagé des Pentes : potager, compost et ateliers",
        "<p>Sur les pentes de la Croix-Rousse, notre jardin partagé accueille voisins, écoles et "
        "familles. Semis, arrosage, compost collectif et ateliers du samedi : venez jardiner avec "
        "nous, aucune expérience demandée.</p>",
        ("environnement", "vivre-ensemble"),
        "pentes-vertes",
        "2026-11-22T10:00",
        "2026-12-05",
        "2027-06-30",
        sites=(Site("lyon", "Montée de la Grande-Côte"),),
        schedule="Le samedi matin, de 9 h 30 à 12 h",
    ),
]


# =============================================================================================
# Partner 3: Volunteer Bridge France (FPXML 0.1, English)
# =============================================================================================
VB_SITE = "https://volunteerbridge.example"
VB_HUB_ID = "1"
VB_ORGS: dict[str, Org] = {
    "1": Org(
        "Volunteer Bridge France",
        VB_SITE,
        "An English-language volunteering platform connecting international residents of France "
        "with local charities.",
        "paris-11",
    ),
    "101": Org(
        "Riverside Food Share Paris",
        "https://riverside-foodshare.example",
        "A community food bank run by volunteers from the English-speaking community in Paris.",
        "paris-11",
    ),
    "102": Org(
        "Welcome Table Lyon",
        "https://welcome-table-lyon.example",
        "Language exchange and practical support for refugees settling in Lyon.",
        "lyon",
    ),
    "103": Org(
        "Second Chapter Reading Club",
        "https://second-chapter-reading.example",
        "Reading mentors for children who are falling behind at school.",
        "lille",
    ),
    "104": Org(
        "Harbour Paws Animal Rescue",
        "https://harbour-paws.example",
        "A no-kill shelter for dogs and cats on the Riviera.",
        "nice",
    ),
    "105": Org(
        "Plug-In Neighbours",
        "https://plug-in-neighbours.example",
        "Volunteers who help older and isolated people get online, and refurbish donated laptops.",
        "lyon",
    ),
    "106": Org(
        "Garonne Green Team",
        "https://garonne-green-team.example",
        "River clean-ups and tree planting along the Garonne.",
        "bordeaux",
    ),
    "107": Org(
        "Bedside Companions",
        "https://bedside-companions.example",
        "Trained volunteers who visit long-stay hospital patients.",
        "toulouse",
    ),
    "108": Org(
        "Rhine Valley Runners",
        "https://rhine-valley-runners.example",
        "A bilingual running club that organises charity road races.",
        "strasbourg",
    ),
    "109": Org(
        "Atlantic Coast Conservation Volunteers",
        "https://atlantic-coast-conservation.example",
        "Bird surveys and habitat work on the Loire estuary.",
        "nantes",
    ),
    "110": Org(
        "Lee Quarter Community Trust",
        "https://lee-quarter-trust.example",
        "Community gardens and neighbourhood projects in Cork city.",
        "cork",
    ),
    "111": Org(
        "Harbourside Befrienders",
        "https://harbourside-befrienders.example",
        "Befriending for older people living alone in Bristol.",
        "bristol",
    ),
    "112": Org(
        "Newcomers' Network Montréal",
        "https://newcomers-network-mtl.example",
        "Employment and settlement help for newly arrived families, in French and English.",
        "montreal",
    ),
    "113": Org(
        "Pro Bono Circle France",
        "https://probono-circle.example",
        "Matching professionals with small associations that need their skills.",
        "paris-11",
    ),
    "114": Org(
        "Montpellier Heritage Walks",
        "https://heritage-walks-montpellier.example",
        "Volunteer-led walking tours on local history.",
        "montpellier",
    ),
    "115": Org(
        "Safe Streets Alsace",
        "https://safe-streets-alsace.example",
        "Road-safety education for cyclists and pedestrians.",
        "strasbourg",
    ),
    "116": Org(
        "Bastille Book Fair Association",
        "https://bastille-book-fair.example",
        "Organisers of a yearly English-language second-hand book fair for charity.",
        "paris-11",
    ),
}

VB_ITEMS: list[Item] = [
    Item(
        "VB-1001",
        "sort-pack-food-parcels",
        "Sort and pack food parcels at a community food bank",
        "Every Wednesday evening our volunteers sort donations and pack around 200 food parcels for "
        "families referred by social services. No experience needed: a team leader shows you the "
        "ropes on your first evening.",
        ("solidarite-insertion",),
        "101",
        "2026-11-10T09:00",
        "2026-12-02",
        "2027-05-26",
        sites=(Site("paris-11", "18 rue Saint-Maur", "Community hall"),),
        hours=("18:00", "21:00"),
        schedule="FREQ=WEEKLY;BYDAY=WE",
        hours_per_week=3,
        spots=12,
        min_age=16,
        skills="Able to lift boxes of up to 10 kg.",
    ),
    Item(
        "VB-1002",
        "conversation-buddy-refugees",
        "English–French conversation buddy for newly arrived refugees",
        "<p>Meet a refugee once a week for coffee and conversation. Most of our participants are "
        "learning French and want to practise; some also want to keep up their English.</p>"
        "<p>You will get a short training session and a coordinator to talk to.</p>",
        ("humanitaire", "education"),
        "102",
        "2026-11-03T11:00",
        "2026-12-01",
        open_ended=True,
        sites=(Site("lyon", "", "Welcome Table drop-in centre"),),
        hours_per_week=2,
        spots=20,
        skills="Fluent French or English; patience and curiosity.",
    ),
    Item(
        "VB-1003",
        "reading-mentor-primary",
        "Reading mentor for primary-school children",
        "Spend one hour a week reading with the same child at a partner school. Mentors follow a "
        "simple programme of shared reading and word games. A background check is required.",
        ("education",),
        "103",
        "2026-11-12T15:30",
        "2027-01-11",
        "2027-06-25",
        sites=(Site("lille", "Rue de Gand", "Partner primary school"),),
        hours_per_week=1,
        spots=10,
        min_age=18,
        skills="Good spoken French.",
    ),
    Item(
        "VB-1004",
        "dog-walking-rescue-shelter",
        "Dog walking and socialising at a rescue shelter",
        "Our dogs love a long walk in the hills behind the shelter. Volunteers walk, brush and "
        "play with dogs waiting for adoption, which helps them find a family faster.",
        ("animaux",),
        "104",
        "2026-11-06T10:00",
        "2026-12-01",
        open_ended=True,
        sites=(Site("nice", "Chemin de la Colline"),),
        hours_per_week=3,
        min_age=16,
        spots=15,
    ),
    Item(
        "VB-1005",
        "remote-tech-helper-older-adults",
        "Remote tech helper: video-call support for older adults",
        "<p>Help an older person learn to use a tablet or smartphone over the phone or video call: "
        "sending photos, video-calling family, booking a doctor's appointment online.</p>"
        "<ul><li>One 45-minute session a week</li><li>Training and session guides provided</li></ul>",
        ("numerique", "vivre-ensemble"),
        "105",
        "2026-11-15T13:00",
        "2026-12-01",
        open_ended=True,
        remote="full",
        hours_per_week=1,
        spots=25,
        skills="Comfortable with smartphones; clear and patient communicator.",
    ),
    Item(
        "VB-1006",
        "garonne-river-clean-up",
        "River clean-up on the banks of the Garonne",
        "Join our spring river clean-up: we collect litter along the riverbank and record what we "
        "find for a national river-litter survey. Gloves, grabbers and bags provided; wear boots.",
        ("environnement",),
        "106",
        "2026-11-24T17:00",
        "2027-03-13",
        "2027-03-13",
        sites=(Site("bordeaux", "Quai des Queyries"),),
        hours=("09:30", "12:30"),
        spots=50,
        min_age=8,
    ),
    Item(
        "VB-1007",
        "hospital-ward-visitor",
        "Hospital ward visitor for long-stay patients",
        "Long hospital stays can be lonely, especially for patients far from home. Our visitors "
        "chat, read aloud or play cards with patients who would like some company. English-speaking "
        "patients are matched with English-speaking visitors when possible.",
        ("sante",),
        "107",
        "2026-10-29T09:45",
        "2026-12-01",
        open_ended=True,
        sites=(Site("toulouse", "", "Partner hospital"),),
        hours_per_week=2,
        min_age=18,
        spots=8,
        skills="A six-month commitment; attend a half-day induction.",
    ),
    Item(
        "VB-1008",
        "half-marathon-course-marshal",
        "Course marshal at a charity half-marathon",
        "Marshals keep runners safe at junctions, cheer them on and help at the water stations. "
        "Briefing the day before; high-visibility vest and lunch provided.",
        ("sport",),
        "108",
        "2026-11-20T18:30",
        "2027-04-25",
        "2027-04-25",
        sites=(Site("strasbourg", "Place de l'Étoile"),),
        hours=("07:00", "13:00"),
        min_age=16,
        spots=120,
    ),
    Item(
        "VB-1009",
        "shorebird-survey-loire-estuary",
        "Shorebird survey volunteers on the Loire estuary",
        "Count wintering waders and ducks with experienced ornithologists at two estuary sites. "
        "Your counts feed a long-term research dataset on migratory birds. Binoculars can be lent.",
        ("recherche", "environnement"),
        "109",
        "2026-11-08T08:15",
        "2027-01-09",
        "2027-02-28",
        sites=(Site("nantes", "Quai de la Fosse"), Site("saint-nazaire", "Plage de Villès-Martin")),
        schedule="Two weekend mornings a month",
        spots=16,
    ),
    Item(
        "VB-1010",
        "cork-community-garden",
        "Community garden volunteer in Cork city",
        "Help us grow vegetables and herbs for a neighbourhood kitchen: digging, planting, "
        "watering and running a Saturday seed swap. Families welcome.",
        ("environnement", "vivre-ensemble"),
        "110",
        "2026-11-18T12:00",
        "2027-03-06",
        "2027-06-26",
        sites=(Site("cork", "Lee Road", "Community garden"),),
        schedule="Saturday mornings",
        hours_per_week=3,
        spots=12,
    ),
    Item(
        "VB-1011",
        "befriending-older-people-bristol",
        "Befriending volunteer for isolated older people",
        "Visit an older person living alone for an hour or two each week: a cup of tea, a walk to "
        "the shops, a chat about the old days. References and a background check required.",
        ("vivre-ensemble", "sante"),
        "111",
        "2026-11-02T10:30",
        "2026-12-01",
        open_ended=True,
        sites=(Site("bristol", "Harbourside"),),
        hours_per_week=2,
        min_age=18,
        spots=10,
    ),
    Item(
        "VB-1012",
        "job-search-workshops-newcomers",
        "Job-search workshop helper for newcomer families",
        "Help newly arrived parents write a Canadian-style CV, practise interviews and understand "
        "how to get their qualifications recognised. Workshops run in French and English.",
        ("emploi",),
        "112",
        "2026-11-16T14:00",
        "2027-01-18",
        "2027-04-30",
        sites=(Site("montreal", "Boulevard Saint-Laurent"),),
        hours=("18:00", "20:00"),
        hours_per_week=2,
        spots=6,
        skills="Recruitment or HR experience is a plus.",
    ),
    Item(
        "VB-1013",
        "pro-bono-bookkeeping",
        "Pro bono bookkeeping for a small charity",
        "A small association supporting carers needs help keeping its accounts: recording "
        "expenses, reconciling the bank account and preparing the annual accounts for its "
        "general meeting. Fully remote.",
        ("gestion-finance-droit", "benevolat-competences"),
        "113",
        "2026-11-07T09:00",
        "2026-12-01",
        open_ended=True,
        remote="full",
        hours_per_week=2,
        spots=3,
        skills="Bookkeeping experience; French reading knowledge.",
    ),
    Item(
        "VB-1014",
        "communications-volunteer-food-bank",
        "Communications volunteer: social media and newsletter",
        "Tell the story of our food bank: write the monthly newsletter, take photos at "
        "distributions (with consent) and post on social media in English and French.",
        ("communication",),
        "101",
        "2026-11-19T16:00",
        "2026-12-01",
        open_ended=True,
        sites=(Site("paris-11", "18 rue Saint-Maur", "Community hall"),),
        hours_per_week=3,
        spots=2,
        skills="Good writing in English; basic French; photography a plus.",
    ),
    Item(
        "VB-1015",
        "heritage-walk-guide-resistance",
        "Guide for heritage walks on the history of the Resistance",
        "Lead small groups of visitors on a two-hour walk through the old town, telling the story "
        "of local resistance networks during the Second World War. Full script and training "
        "provided; ideal for history lovers.",
        ("memoire-et-citoyennete", "culture-loisirs"),
        "114",
        "2026-11-11T11:11",
        "2027-02-06",
        "2027-06-26",
        sites=(Site("montpellier", "Place de la Comédie"),),
        schedule="Saturday afternoons",
        hours_per_week=2,
        spots=5,
    ),
    Item(
        "VB-1016",
        "laptop-refurbishment-warehouse",
        "Warehouse volunteer: sorting donated laptops for refurbishment",
        "Companies donate their old laptops; we wipe, test and refurbish them for families and "
        "students who cannot afford one. Help us receive, sort, clean and label the machines at "
        "our two workshops.",
        ("numerique", "batiment-industrie-logistique"),
        "105",
        "2026-11-21T10:00",
        "2027-01-16",
        "2027-03-27",
        sites=(Site("lyon", "Rue de la Thibaudière"), Site("paris-11", "Passage du Chemin-Vert")),
        schedule="Saturdays, 10:00–16:00",
        spots=20,
    ),
    Item(
        "VB-1017",
        "autumn-tree-planting-weekend",
        "Autumn tree-planting weekend",
        "Plant native trees and hedges along the river path with our green team. Tools, gloves "
        "and a hot lunch provided.",
        ("environnement",),
        "106",
        "2026-10-12T09:00",
        "2026-11-14",
        "2026-11-15",
        sites=(Site("bordeaux", "Parc aux Angéliques"),),
        hours=("09:00", "16:00"),
        spots=60,
    ),
    Item(
        "VB-1018",
        "road-safety-cyclists",
        "Road-safety awareness sessions for cyclists",
        "Help run bike-safety checks and short awareness sessions for cyclists at markets and "
        "schools: lights, brakes, visibility and how to share the road with trams.",
        ("prevention-protection",),
        "115",
        "2026-11-14T15:00",
        "2027-04-03",
        "2027-06-19",
        sites=(Site("strasbourg", "Place Kléber"),),
        schedule="Some Saturday mornings",
        spots=10,
    ),
    Item(
        "VB-1019",
        "book-fair-volunteer",
        "Festival volunteer at an English-language book fair",
        "Our yearly charity book fair sells thousands of second-hand English books. Help sort "
        "books by genre, run a stall, or welcome visitors at the door.",
        ("culture-loisirs",),
        "116",
        "2026-11-25T20:00",
        "2027-05-22",
        "2027-05-23",
        sites=(Site("paris-11", "Rue de la Roquette", "Parish hall"),),
        hours=("10:00", "18:00"),
        spots=40,
    ),
]


# =============================================================================================
# Partner 4: Tidemark Volunteers International (Atom + GeoRSS, English)
# =============================================================================================
TM_SITE = "https://tidemark-volunteers.example"
TM_ORGS: dict[str, Org] = {
    "tidemark": Org("Tidemark Volunteers International", TM_SITE),
    "calanques": Org("Calanques Clean Coast Collective", "https://calanques-clean-coast.example"),
    "riviera-marine": Org("Riviera Marine Watch", "https://riviera-marine-watch.example"),
    "corsica-trails": Org("Corsica Trail Keepers", "https://corsica-trail-keepers.example"),
    "bastia-exchange": Org("Bastia Language Exchange", "https://bastia-language-exchange.example"),
    "native-forest": Org("Réunion Native Forest Friends", "https://reunion-forest-friends.example"),
    "sea-turtles": Org("Karukera Sea Turtle Network", "https://karukera-turtles.example"),
    "legal-clinic": Org("Open Borders Legal Clinic", "https://open-borders-clinic.example"),
    "vieux-port-kitchen": Org("Vieux-Port Community Kitchen", "https://vieux-port-kitchen.example"),
    "normandy-remembrance": Org("Normandy Remembrance Volunteers", "https://normandy-remembrance.example"),
    "iroise-safety": Org("Iroise Sea Safety Association", "https://iroise-sea-safety.example"),
    "adaptive-surf": Org("Basque Coast Adaptive Surf", "https://adaptive-surf-basque.example"),
    "marsh-trust": Org("Atlantic Marsh Restoration Trust", "https://marsh-restoration.example"),
    "firewise": Org("Pyrénées Firewise Volunteers", "https://pyrenees-firewise.example"),
    "alpine-huts": Org("Alpine Huts Volunteer Crew", "https://alpine-huts-crew.example"),
    "promenade-arts": Org("Promenade Arts Week", "https://promenade-arts-week.example"),
    "hands-on-science": Org("Hands-on Science Toulouse", "https://hands-on-science.example"),
}

TM_ITEMS: list[Item] = [
    Item(
        "2041",
        "calanques-coastline-clean-up",
        "Calanques coastline clean-up day",
        "<p>Join a day of litter picking in the coves east of the city. We split into teams on "
        "foot and by kayak to reach beaches that are hard to access.</p>"
        "<p>Bring water, sun cream and sturdy shoes.</p>",
        ("environnement",),
        "calanques",
        "2026-11-20T10:00",
        "2027-02-20",
        "2027-02-20",
        sites=(Site("marseille"),),
        hours=("09:00", "16:00"),
    ),
    Item(
        "2042",
        "riviera-beach-litter-survey",
        "Beach litter survey on the Côte d'Azur",
        "<p>A citizen-science project: survey a 100-metre stretch of beach once a month, classify "
        "every item you find and upload the results. The data support research on marine litter "
        "in the Mediterranean.</p>",
        ("recherche", "environnement"),
        "riviera-marine",
        "2026-11-22T09:30",
        "2027-03-06",
        "2027-06-05",
        sites=(Site("nice"),),
    ),
    Item(
        "2043",
        "corsica-hiking-trail-maintenance",
        "Maintain hiking trails in the hills above Ajaccio",
        "<p>Clear brush, rebuild dry-stone steps and repaint waymarks on the footpaths above the "
        "bay. Physically demanding but rewarding; tools and training provided.</p>",
        ("environnement", "sport"),
        "corsica-trails",
        "2026-11-12T08:00",
        "2027-04-10",
        "2027-05-29",
        sites=(Site("ajaccio"),),
    ),
    Item(
        "2044",
        "bastia-english-conversation-club",
        "English conversation club for high-school students",
        "<p>Lead a relaxed weekly conversation club for students preparing their English oral "
        "exams: debates, games and mock interviews.</p>",
        ("education",),
        "bastia-exchange",
        "2026-11-09T17:00",
        "2027-01-13",
        "2027-05-26",
        sites=(Site("bastia"),),
    ),
    Item(
        "2045",
        "reunion-native-forest-replanting",
        "Replanting native forest species after wildfire",
        "<p>Help the island's dry forest recover: plant seedlings of native species, remove "
        "invasive plants and water young trees during the dry spells.</p>",
        ("environnement",),
        "native-forest",
        "2026-11-17T07:00",
        "2027-02-06",
        "2027-04-24",
        sites=(Site("saint-denis-reunion"),),
    ),
    Item(
        "2046",
        "guadeloupe-sea-turtle-nest-monitoring",
        "Sea-turtle nest monitoring on Guadeloupe beaches",
        "<p>Patrol nesting beaches at dawn, record tracks and protect nests from disturbance. "
        "Your observations go into a regional research database on sea-turtle nesting.</p>",
        ("animaux", "recherche"),
        "sea-turtles",
        "2026-11-23T06:30",
        "2027-04-01",
        "2027-06-30",
        sites=(Site("pointe-a-pitre"),),
        min_age=18,
    ),
    Item(
        "2047",
        "legal-aid-drop-in-interpreting",
        "Interpreter at a refugee legal-aid drop-in",
        "<p>Our volunteer lawyers advise asylum seekers on their procedures. We need interpreters "
        "(English, Arabic, Dari, Tigrinya...) and welcome-desk volunteers.</p>",
        ("gestion-finance-droit", "humanitaire"),
        "legal-clinic",
        "2026-11-05T12:00",
        "2026-12-01",
        open_ended=True,
        sites=(Site("montpellier"),),
    ),
    Item(
        "2048",
        "remote-translation-field-reports",
        "Translate field reports from French to English (remote)",
        "<p>Our local partners write their project reports in French. Help us translate them into "
        "clear English for our newsletter and funders, from home and at your own pace.</p>",
        ("communication", "benevolat-competences"),
        "tidemark",
        "2026-11-01T09:00",
        "2026-12-01",
        open_ended=True,
        remote="full",
    ),
    Item(
        "2049",
        "vieux-port-soup-kitchen",
        "Soup kitchen volunteer in central Marseille",
        "<p>Cook, serve and share a hot meal with guests of our winter soup kitchen. Morning "
        "shifts prepare the food; evening shifts serve and clean up.</p>",
        ("solidarite-insertion",),
        "vieux-port-kitchen",
        "2026-11-18T11:00",
        "2026-12-01",
        "2027-03-31",
        sites=(Site("marseille"),),
    ),
    Item(
        "2050",
        "normandy-remembrance-trail-guide",
        "Remembrance trail guide for English-speaking visitors",
        "<p>Around the June commemorations, many English-speaking families visit the region. Guide "
        "them along a remembrance trail and share the stories collected by our volunteers.</p>",
        ("memoire-et-citoyennete",),
        "normandy-remembrance",
        "2026-11-14T10:00",
        "2027-04-03",
        "2027-06-12",
        sites=(Site("caen"),),
    ),
    Item(
        "2051",
        "sea-rescue-open-day",
        "Help at the sea-rescue station's open day",
        "<p>The sea-rescue volunteers open their station to the public for two days of "
        "demonstrations and water-safety workshops. Help with visitor flow, information stands "
        "and the children's lifejacket workshop.</p>",
        ("service-public-defense-securite", "prevention-protection"),
        "iroise-safety",
        "2026-11-21T15:00",
        "2027-05-15",
        "2027-05-16",
        sites=(Site("brest"),),
    ),
    Item(
        "2052",
        "adaptive-surfing-helper",
        "Adaptive surfing session helper",
        "<p>Help people with disabilities enjoy the waves: carry equipment, assist transfers to the "
        "beach and stay in the water alongside our instructors. Confident swimmers only.</p>",
        ("sport", "vivre-ensemble"),
        "adaptive-surf",
        "2026-11-25T09:00",
        "2027-05-01",
        "2027-06-26",
        sites=(Site("biarritz"),),
        min_age=18,
    ),
    Item(
        "2053",
        "salt-marsh-restoration",
        "Salt-marsh restoration work parties",
        "<p>Restore old salt pans and marsh channels that shelter wading birds: clearing, "
        "repairing small banks and replanting. Waders provided.</p>",
        ("environnement",),
        "marsh-trust",
        "2026-11-10T10:00",
        "2027-01-23",
        "2027-03-27",
        sites=(Site("la-rochelle"),),
    ),
    Item(
        "2054",
        "wildfire-prevention-brush-clearing",
        "Wildfire-prevention brush clearing",
        "<p>Before summer, help clear undergrowth around villages and along forest tracks, and "
        "talk to residents about the legal brush-clearing obligations.</p>",
        ("prevention-protection", "environnement"),
        "firewise",
        "2026-11-19T08:30",
        "2027-03-13",
        "2027-05-22",
        sites=(Site("perpignan"),),
        min_age=18,
    ),
    Item(
        "2055",
        "mountain-refuge-maintenance-week",
        "Mountain refuge maintenance week",
        "<p>Spend a week in the mountains repairing a hikers' refuge before the summer season: "
        "carpentry, painting, carrying supplies and fixing the water supply.</p>",
        ("batiment-industrie-logistique",),
        "alpine-huts",
        "2026-11-26T06:00",
        "2027-06-07",
        "2027-06-12",
        sites=(Site("grenoble"),),
        min_age=18,
    ),
    Item(
        "2056",
        "volunteer-photographer-arts-week",
        "Volunteer photographer for a community arts festival",
        "<p>Document a week of free outdoor concerts, street art and dance. Photos are used by the "
        "festival and the participating associations, with credit.</p>",
        ("communication", "culture-loisirs"),
        "promenade-arts",
        "2026-11-24T18:00",
        "2027-06-14",
        "2027-06-20",
        sites=(Site("nice"),),
    ),
    Item(
        "2057",
        "science-fair-helper",
        "Science fair helper: hands-on experiments for children",
        "<p>Run simple experiments with children at our weekend science fair: making volcanoes, "
        "building circuits, looking through microscopes. Researchers train all helpers.</p>",
        ("recherche", "education"),
        "hands-on-science",
        "2026-11-13T13:00",
        "2027-03-27",
        "2027-03-28",
        sites=(Site("toulouse"),),
    ),
]


# -- partners ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    format: str
    path: str
    language: str
    website: str
    items: list[Item]


PARTNERS: list[Partner] = [
    Partner(
        "passerelles-benevoles",
        "Réseau Passerelles Bénévoles",
        "api-engagement",
        "passerelles-benevoles.xml",
        "fr",
        PB_SITE,
        PB_ITEMS,
    ),
    Partner("agir-ensemble", "Fédération Agir Ensemble", "rss", "agir-ensemble.rss", "fr", AE_SITE, AE_ITEMS),
    Partner(
        "volunteer-bridge",
        "Volunteer Bridge France",
        "fpxml",
        "volunteer-bridge.fpxml.xml",
        "en",
        VB_SITE,
        VB_ITEMS,
    ),
    Partner(
        "tidemark",
        "Tidemark Volunteers International",
        "atom",
        "tidemark.atom.xml",
        "en",
        TM_SITE,
        TM_ITEMS,
    ),
]


# -- XML helpers -------------------------------------------------------------------------------
def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = etree.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def _cdata(parent: etree._Element, tag: str, text: str) -> etree._Element:
    el = etree.SubElement(parent, tag)
    el.text = etree.CDATA(text)
    return el


def _write(root: etree._Element, path: Path) -> None:
    etree.indent(root, space="  ")
    data = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n' + data)


def _coord(value: float) -> str:
    return f"{value:.4f}"


def _point(item: Item, site: Site) -> tuple[str, str]:
    """Latitude and longitude of a site: the city's coordinates, nudged by up to ~700 m.

    The nudge is derived from the ids (no randomness), so that several opportunities in one city
    do not all sit on the same map marker.
    """
    place = PLACES[site.place]
    digest = hashlib.sha1(f"{item.sid}/{site.place}/{site.street}".encode()).digest()
    dlat = (digest[0] / 255 - 0.5) * 0.012
    dlon = (digest[1] / 255 - 0.5) * 0.016
    return _coord(place.lat + dlat), _coord(place.lon + dlon)


# -- API Engagement ----------------------------------------------------------------------------
def build_api_engagement(partner: Partner, orgs: dict[str, Org]) -> etree._Element:
    root = etree.Element("source")
    publisher = _sub(root, "publisher")
    _sub(publisher, "name", partner.name)
    _sub(publisher, "url", partner.website)
    _sub(publisher, "email", f"flux@{partner.website.removeprefix('https://')}")
    _sub(root, "lastBuildDate", GENERATED_AT.isoformat())
    for index, item in enumerate(partner.items):
        org = orgs[item.org]
        tz = _tz(item)
        mission = _sub(root, "mission")
        _sub(mission, "clientId", item.sid)
        _cdata(mission, "title", item.title)
        _cdata(mission, "description", item.body)
        _sub(mission, "applicationUrl", f"{partner.website}/missions/{item.sid}-{item.slug}")
        if index % 3 != 2:  # most missions have a picture (drawn by the demo's feed server); some do not
            _sub(mission, "image", f"{partner.website}/pictures/{item.sid}.jpg")
        _cdata(mission, "organizationName", org.name)
        _sub(mission, "organizationUrl", org.url)
        _sub(mission, "organizationLogo", f"{org.url}/logo.png")
        if org.description:
            _cdata(mission, "organizationDescription", org.description)
        if org.place:
            _sub(mission, "organizationCity", PLACES[org.place].city)
            _sub(mission, "organizationPostCode", PLACES[org.place].postal_code)
        _sub(mission, "postedAt", _posted(item).isoformat())
        if item.start:
            start_hhmm = item.hours[0] if item.hours else "00:00"
            _sub(mission, "startAt", _local(item.start, start_hhmm, tz).isoformat())
        if item.end and not item.open_ended:
            end_hhmm = item.hours[1] if item.hours else "23:59"
            _sub(mission, "endAt", _local(item.end, end_hhmm, tz).isoformat())
        _sub(mission, "domain", item.causes[0])
        tags = list(item.causes[1:]) + list(item.keywords)
        if tags:
            _cdata(mission, "tags", ",".join(tags))
        if item.schedule:
            _cdata(mission, "schedule", item.schedule)
        if item.skills:
            _cdata(mission, "requirements", item.skills)
        _sub(mission, "remote", item.remote)
        _sub(mission, "places", str(item.spots or 1))
        _sub(mission, "openToMinors", "yes" if item.min_age is not None and item.min_age < 18 else "no")
        if item.sites:
            addresses = _sub(mission, "addresses")
            for site in item.sites:
                place = PLACES[site.place]
                address = _sub(addresses, "address")
                street = ", ".join(part for part in (site.venue, site.street) if part)
                _sub(address, "street", street)
                _sub(address, "postalCode", place.postal_code)
                _sub(address, "city", place.city)
                _sub(address, "departmentCode", place.department_code)
                _sub(address, "departmentName", place.department_name)
                _sub(address, "region", place.region)
                _sub(address, "country", place.country)
                location = _sub(address, "location")
                lat, lon = _point(item, site)
                _sub(location, "lat", lat)
                _sub(location, "lon", lon)
    return root


# -- RSS 2.0 -----------------------------------------------------------------------------------
def _rss_description(item: Item) -> str:
    lines = [item.body]
    if item.sites:
        for site in item.sites:
            place = PLACES[site.place]
            lines.append(f"<p>Lieu : {place.city} ({place.postal_code})</p>")
    else:
        lines.append("<p>Lieu : à distance</p>")
    lines.append(f"<p>{fr_when(item)}</p>")
    if item.schedule:
        lines.append(f"<p>Disponibilité : {item.schedule}</p>")
    return "\n".join(lines)


def build_rss(partner: Partner, orgs: dict[str, Org]) -> etree._Element:
    nsmap = {"dc": DC_NS, "georss": GEORSS_NS, "atom": ATOM_NS, "ev": EV_NS}
    root = etree.Element("rss", {"version": "2.0"}, nsmap=nsmap)
    channel = _sub(root, "channel")
    _sub(channel, "title", f"{partner.name} : missions bénévoles")
    _sub(channel, "link", partner.website + "/")
    _sub(
        channel,
        "description",
        "Les missions bénévoles proposées par les associations membres de la fédération.",
    )
    _sub(channel, "language", "fr-FR")
    _sub(channel, "lastBuildDate", format_datetime(GENERATED_AT))
    _sub(channel, "generator", "Agir Ensemble CMS")
    _sub(channel, "ttl", "60")
    _sub(
        channel,
        f"{{{ATOM_NS}}}link",
        href=f"{partner.website}/missions/flux.rss",
        rel="self",
        type="application/rss+xml",
    )
    for item in partner.items:
        org = orgs[item.org]
        link = f"{partner.website}/missions/{item.sid.lower()}-{item.slug}"
        entry = _sub(channel, "item")
        _sub(entry, "title", item.title)
        _sub(entry, "link", link)
        _sub(entry, "guid", f"agir-ensemble:mission:{item.sid}", isPermaLink="false")
        _cdata(entry, "description", _rss_description(item))
        _sub(entry, "pubDate", format_datetime(_posted(item)))
        _sub(entry, f"{{{DC_NS}}}creator", org.name)
        for cause in item.causes:
            _sub(entry, "category", RSS_CATEGORY[cause])
        for keyword in item.keywords:
            _sub(entry, "category", keyword)
        if item.sites:
            lat, lon = _point(item, item.sites[0])
            _sub(entry, f"{{{GEORSS_NS}}}point", f"{lat} {lon}")
        if item.start:
            _sub(entry, f"{{{EV_NS}}}startdate", item.start)
        if item.end and not item.open_ended:
            _sub(entry, f"{{{EV_NS}}}enddate", item.end)
        _sub(entry, f"{{{EV_NS}}}organizer", org.name)
    return root


# -- FPXML 0.1 ---------------------------------------------------------------------------------
def _fpxml_local(dt: datetime) -> str:
    """FPXML date-times carry no offset; the zone goes in the olsonTZ attribute."""
    return dt.replace(tzinfo=None).isoformat(timespec="seconds")


def build_fpxml(partner: Partner, orgs: dict[str, Org]) -> etree._Element:
    root = etree.Element("FootprintFeed", {"schemaVersion": "0.1"})
    info = _sub(root, "FeedInfo")
    _sub(info, "providerID", partner.website.removeprefix("https://"))
    _sub(info, "providerName", partner.name)
    _sub(info, "createdDateTime", _fpxml_local(GENERATED_AT), olsonTZ=PARIS)
    _sub(info, "providerURL", partner.website)
    _sub(info, "termsOfUse", f"Invented demo data. See {partner.website}/terms")
    _sub(info, "description", "All current volunteer opportunities listed on Volunteer Bridge France.")

    organizations = _sub(root, "Organizations")
    used = {VB_HUB_ID} | {item.org for item in partner.items}
    for org_id, org in orgs.items():
        if org_id not in used:
            continue
        el = _sub(organizations, "Organization")
        _sub(el, "organizationID", org_id)
        _sub(el, "name", org.name)
        _sub(el, "missionStatement", org.description)
        if org.place:
            _sub(el, "description", f"{org.description} Based in {PLACES[org.place].city}.")
        if org.place:
            place = PLACES[org.place]
            loc = _sub(el, "location")
            _sub(loc, "city", place.city)
            _sub(loc, "region", place.region)
            _sub(loc, "postalCode", place.postal_code)
            _sub(loc, "country", place.country)
        _sub(el, "organizationURL", org.url)
        _sub(el, "detailURL", f"{partner.website}/organisations/{org_id}")

    opportunities = _sub(root, "VolunteerOpportunities")
    for item in partner.items:
        tz = _tz(item)
        opp = _sub(opportunities, "VolunteerOpportunity")
        _sub(opp, "volunteerOpportunityID", item.sid)
        sponsors = _sub(opp, "sponsoringOrganizationIDs")
        _sub(sponsors, "sponsoringOrganizationID", item.org)
        hubs = _sub(opp, "volunteerHubOrganizationIDs")
        _sub(hubs, "volunteerHubOrganizationID", VB_HUB_ID)
        _sub(opp, "title", item.title)
        if item.spots:
            _sub(opp, "volunteersNeeded", str(item.spots))
        durations = _sub(opp, "dateTimeDurations")
        duration = _sub(durations, "dateTimeDuration")
        if item.open_ended:
            _sub(duration, "openEnded", "Yes")
            if item.start:
                _sub(duration, "startDate", item.start)
            _sub(duration, "duration", "P6M")
        else:
            _sub(duration, "openEnded", "No")
            if item.start:
                _sub(duration, "startDate", item.start)
            if item.end:
                _sub(duration, "endDate", item.end)
        if item.schedule.startswith("FREQ="):
            _sub(duration, "iCalRecurrence", item.schedule)
        if item.hours:
            _sub(duration, "startTime", f"{item.hours[0]}:00", olsonTZ=tz)
            _sub(duration, "endTime", f"{item.hours[1]}:00", olsonTZ=tz)
        if item.hours_per_week is not None:
            _sub(duration, "commitmentHoursPerWeek", f"{item.hours_per_week:g}")
        locations = _sub(opp, "locations")
        if not item.sites:
            _sub(_sub(locations, "location"), "virtual", "Yes")
        for site in item.sites:
            place = PLACES[site.place]
            loc = _sub(locations, "location")
            _sub(loc, "virtual", "No")
            if site.venue:
                _sub(loc, "name", site.venue)
            if site.street:
                _sub(loc, "streetAddress1", site.street)
            _sub(loc, "city", place.city)
            _sub(loc, "region", place.region)
            _sub(loc, "postalCode", place.postal_code)
            _sub(loc, "country", place.country)
            lat, lon = _point(item, site)
            _sub(loc, "latitude", lat)
            _sub(loc, "longitude", lon)
        tags = _sub(opp, "categoryTags")
        for cause in item.causes:
            _sub(tags, "categoryTag", FPXML_CATEGORY[cause])
        if item.min_age is not None:
            _sub(opp, "minimumAge", str(item.min_age))
        if item.skills:
            _sub(opp, "skills", item.skills)
        _sub(opp, "detailURL", f"{partner.website}/opportunities/{item.sid.lower()}/{item.slug}")
        _sub(opp, "language", "English")
        description = item.body
        if item.schedule and not item.schedule.startswith("FREQ="):
            description += f" Schedule: {item.schedule}."
        _sub(opp, "description", description)
        _sub(opp, "lastUpdated", _fpxml_local(_updated(item)), olsonTZ=tz)
        if item.end and not item.open_ended:
            expires = datetime.combine(_day(item.end) + timedelta(days=1), time(0, 0))
        else:
            expires = _posted(item).replace(tzinfo=None, hour=0, minute=0) + timedelta(days=183)
        _sub(opp, "expires", expires.isoformat(timespec="seconds"), olsonTZ=tz)
    return root


# -- Atom + GeoRSS -----------------------------------------------------------------------------
def _atom_content(item: Item) -> str:
    lines = [item.body]
    if item.sites:
        for site in item.sites:
            place = PLACES[site.place]
            lines.append(f"<p>Location: {place.city} ({place.postal_code})</p>")
    else:
        lines.append("<p>Location: remote (from home)</p>")
    lines.append(f"<p>{en_when(item)}</p>")
    if item.min_age is not None:
        lines.append(f"<p>Minimum age: {item.min_age}</p>")
    return "\n".join(lines)


def _atom_summary(item: Item) -> str:
    spaced = item.body.replace("</p>", "</p> ").replace("</li>", "</li> ")
    text = lxml.html.fragment_fromstring(spaced, create_parent="div").text_content()
    first = " ".join(text.split())
    return first if len(first) <= 200 else first[:197].rsplit(" ", 1)[0] + "..."


def build_atom(partner: Partner, orgs: dict[str, Org]) -> etree._Element:
    atom = f"{{{ATOM_NS}}}"
    domain = partner.website.removeprefix("https://")
    root = etree.Element(f"{atom}feed", nsmap={None: ATOM_NS, "georss": GEORSS_NS, "ev": EV_NS})
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    _sub(root, f"{atom}id", f"tag:{domain},2026:opportunities")
    _sub(root, f"{atom}title", "Tidemark Volunteers: opportunities in France and overseas")
    _sub(root, f"{atom}subtitle", "Hands-on volunteering with our local partners.")
    _sub(root, f"{atom}updated", GENERATED_AT.isoformat())
    _sub(
        root,
        f"{atom}link",
        rel="self",
        type="application/atom+xml",
        href=f"{partner.website}/feeds/opportunities.atom",
    )
    _sub(root, f"{atom}link", rel="alternate", type="text/html", href=f"{partner.website}/opportunities")
    author = _sub(root, f"{atom}author")
    _sub(author, f"{atom}name", partner.name)
    _sub(author, f"{atom}uri", partner.website)
    _sub(root, f"{atom}generator", "Tidemark site builder")
    for item in partner.items:
        org = orgs[item.org]
        entry = _sub(root, f"{atom}entry")
        _sub(entry, f"{atom}id", f"tag:{domain},2026:opportunity/{item.sid}")
        _sub(entry, f"{atom}title", item.title)
        _sub(
            entry,
            f"{atom}link",
            rel="alternate",
            type="text/html",
            href=f"{partner.website}/opportunities/{item.sid}-{item.slug}",
        )
        _sub(entry, f"{atom}published", _posted(item).isoformat())
        _sub(entry, f"{atom}updated", _updated(item).isoformat())
        entry_author = _sub(entry, f"{atom}author")
        _sub(entry_author, f"{atom}name", org.name)
        _sub(entry_author, f"{atom}uri", org.url)
        for cause in item.causes:
            term, label = ATOM_CATEGORY[cause]
            _sub(entry, f"{atom}category", term=term, label=label, scheme=f"{partner.website}/causes")
        if not item.sites:
            _sub(entry, f"{atom}category", term="remote", label="Remote", scheme=f"{partner.website}/formats")
        _sub(entry, f"{atom}summary", _atom_summary(item), type="text")
        _sub(entry, f"{atom}content", _atom_content(item), type="html")
        if item.sites:
            lat, lon = _point(item, item.sites[0])
            _sub(entry, f"{{{GEORSS_NS}}}point", f"{lat} {lon}")
        if item.start:
            _sub(entry, f"{{{EV_NS}}}startdate", item.start)
        if item.end and not item.open_ended:
            _sub(entry, f"{{{EV_NS}}}enddate", item.end)
    return root


# -- partners.json and README --------------------------------------------------------------------
_FORMAT_LABEL = {
    "api-engagement": "API Engagement XML",
    "rss": "RSS 2.0 + GeoRSS",
    "fpxml": "FPXML 0.1 (Footprint)",
    "atom": "Atom 1.0 + GeoRSS",
}


def partners_json() -> list[dict[str, str]]:
    return [
        {
            "id": p.id,
            "name": p.name,
            "format": p.format,
            "path": p.path,
            "language": p.language,
            "website": p.website,
        }
        for p in PARTNERS
    ]


def readme() -> str:
    rows = "\n".join(
        f"| `{p.id}` | {p.name} | {_FORMAT_LABEL[p.format]} (`{p.format}`) | `{p.path}` | {p.language} "
        f"| {len(p.items)} | {p.website} |"
        for p in PARTNERS
    )
    total = sum(len(p.items) for p in PARTNERS)
    return (
        "# Demo partners\n\n"
        "Everything in this folder is invented for the `volunteer-hub demo` command: the partners, "
        "their member organizations, the missions and every person or web site they mention are "
        "fictional, and all links point to `.example` domains that cannot resolve. Only the "
        "cities, postal codes, departments, regions and approximate coordinates are real, so that "
        "place search and maps behave realistically. The files are generated by `generate.py` "
        '(deterministic, "today" fixed at 2026-11-26); edit the content lists there and run '
        "`python volunteer_hub/demo_data/generate.py` instead of editing the feeds by hand. "
        f"There are {total} opportunities in total, a few of them remote, multi-location, "
        "open-ended or already expired, and one API Engagement mission carries a deliberate `<script>` and "
        "`onclick=` snippet to exercise the HTML sanitizer.\n\n"
        "| id | Partner | Format | File | Language | Items | Website |\n"
        "|---|---|---|---|---|---|---|\n"
        f"{rows}\n"
    )


_ORGS_BY_PARTNER: dict[str, dict[str, Org]] = {
    "passerelles-benevoles": PB_ORGS,
    "agir-ensemble": AE_ORGS,
    "volunteer-bridge": VB_ORGS,
    "tidemark": TM_ORGS,
}
_BUILDERS = {
    "api-engagement": build_api_engagement,
    "rss": build_rss,
    "fpxml": build_fpxml,
    "atom": build_atom,
}


def _check() -> None:
    for partner in PARTNERS:
        orgs = _ORGS_BY_PARTNER[partner.id]
        ids = [item.sid for item in partner.items]
        assert len(ids) == len(set(ids)), f"duplicate ids in {partner.id}"
        for item in partner.items:
            assert item.org in orgs, item.sid
            assert all(c in CAUSES for c in item.causes), item.sid
            assert all(site.place in PLACES for site in item.sites), item.sid
            assert item.remote in {"no", "possible", "full"}, item.sid
            assert bool(item.sites) == (item.remote != "full"), item.sid
            assert item.open_ended == (item.end is None), item.sid


def main(out_dir: Path = HERE) -> None:
    _check()
    for partner in PARTNERS:
        root = _BUILDERS[partner.format](partner, _ORGS_BY_PARTNER[partner.id])
        _write(root, out_dir / partner.path)
    (out_dir / "partners.json").write_text(
        json.dumps(partners_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out_dir / "README.md").write_text(readme(), encoding="utf-8")
    for partner in PARTNERS:
        expired = sum(_is_expired(item) for item in partner.items)
        print(f"{partner.path}: {len(partner.items)} items ({expired} expired)")


if __name__ == "__main__":
    main()
