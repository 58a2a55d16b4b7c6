"""French regions and départements, and region names/slugs for any country.

The 18 current regions (2016 map: 13 metropolitan including Corse, 5 overseas) with their
INSEE codes, the département -> region table (INSEE Code officiel géographique 2026), and
postal code -> département -> region resolution. ``find_region`` also understands English
names, abbreviations and the pre-2016 region names partner feeds still use.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from volunteer_hub.core.textfold import slugify


@dataclass(frozen=True)
class Region:
    slug: str
    name_fr: str
    name_en: str
    code: str  # INSEE region code


@dataclass(frozen=True)
class Department:
    code: str  # "01".."95", "2A", "2B", "971".."976"
    name: str
    region_code: str  # INSEE region code


REGIONS: dict[str, Region] = {
    r.slug: r
    for r in (
        Region("auvergne-rhone-alpes", "Auvergne-Rhône-Alpes", "Auvergne-Rhône-Alpes", "84"),
        Region("bourgogne-franche-comte", "Bourgogne-Franche-Comté", "Burgundy-Franche-Comté", "27"),
        Region("bretagne", "Bretagne", "Brittany", "53"),
        Region("centre-val-de-loire", "Centre-Val de Loire", "Centre-Val de Loire", "24"),
        Region("corse", "Corse", "Corsica", "94"),
        Region("grand-est", "Grand Est", "Grand Est", "44"),
        Region("hauts-de-france", "Hauts-de-France", "Hauts-de-France", "32"),
        Region("ile-de-france", "Île-de-France", "Île-de-France", "11"),
        Region("normandie", "Normandie", "Normandy", "28"),
        Region("nouvelle-aquitaine", "Nouvelle-Aquitaine", "Nouvelle-Aquitaine", "75"),
        Region("occitanie", "Occitanie", "Occitania", "76"),
        Region("pays-de-la-loire", "Pays de la Loire", "Pays de la Loire", "52"),
        Region(
            "provence-alpes-cote-d-azur", "Provence-Alpes-Côte d'Azur", "Provence-Alpes-Côte d'Azur", "93"
        ),
        Region("guadeloupe", "Guadeloupe", "Guadeloupe", "01"),
        Region("martinique", "Martinique", "Martinique", "02"),
        Region("guyane", "Guyane", "French Guiana", "03"),
        Region("la-reunion", "La Réunion", "Réunion", "04"),
        Region("mayotte", "Mayotte", "Mayotte", "06"),
    )
}

REGIONS_BY_CODE: dict[str, Region] = {r.code: r for r in REGIONS.values()}

# code, INSEE region code, name: one département a line.
_DEPARTMENT_TABLE = """
01 84 Ain
02 32 Aisne
03 84 Allier
04 93 Alpes-de-Haute-Provence
05 93 Hautes-Alpes
06 93 Alpes-Maritimes
07 84 Ardèche
08 44 Ardennes
09 76 Ariège
10 44 Aube
11 76 Aude
12 76 Aveyron
13 93 Bouches-du-Rhône
14 28 Calvados
15 84 Cantal
16 75 Charente
17 75 Charente-Maritime
18 24 Cher
19 75 Corrèze
21 27 Côte-d'Or
22 53 Côtes-d'Armor
23 75 Creuse
24 75 Dordogne
25 27 Doubs
26 84 Drôme
27 28 Eure
28 24 Eure-et-Loir
29 53 Finistère
2A 94 Corse-du-Sud
2B 94 Haute-Corse
30 76 Gard
31 76 Haute-Garonne
32 76 Gers
33 75 Gironde
34 76 Hérault
35 53 Ille-et-Vilaine
36 24 Indre
37 24 Indre-et-Loire
38 84 Isère
39 27 Jura
40 75 Landes
41 24 Loir-et-Cher
42 84 Loire
43 84 Haute-Loire
44 52 Loire-Atlantique
45 24 Loiret
46 76 Lot
47 75 Lot-et-Garonne
48 76 Lozère
49 52 Maine-et-Loire
50 28 Manche
51 44 Marne
52 44 Haute-Marne
53 52 Mayenne
54 44 Meurthe-et-Moselle
55 44 Meuse
56 53 Morbihan
57 44 Moselle
58 27 Nièvre
59 32 Nord
60 32 Oise
61 28 Orne
62 32 Pas-de-Calais
63 84 Puy-de-Dôme
64 75 Pyrénées-Atlantiques
65 76 Hautes-Pyrénées
66 76 Pyrénées-Orientales
67 44 Bas-Rhin
68 44 Haut-Rhin
69 84 Rhône
70 27 Haute-Saône
71 27 Saône-et-Loire
72 52 Sarthe
73 84 Savoie
74 84 Haute-Savoie
75 11 Paris
76 28 Seine-Maritime
77 11 Seine-et-Marne
78 11 Yvelines
79 75 Deux-Sèvres
80 32 Somme
81 76 Tarn
82 76 Tarn-et-Garonne
83 93 Var
84 93 Vaucluse
85 52 Vendée
86 75 Vienne
87 75 Haute-Vienne
88 44 Vosges
89 27 Yonne
90 27 Territoire de Belfort
91 11 Essonne
92 11 Hauts-de-Seine
93 11 Seine-Saint-Denis
94 11 Val-de-Marne
95 11 Val-d'Oise
971 01 Guadeloupe
972 02 Martinique
973 03 Guyane
974 04 La Réunion
976 06 Mayotte
"""

DEPARTMENTS: dict[str, Department] = {
    code: Department(code, name, region)
    for code, region, name in (line.split(" ", 2) for line in _DEPARTMENT_TABLE.strip().splitlines())
}

# Other names for regions: English and historical forms, abbreviations, ISO 3166-2 codes,
# and the regions merged in 2016 (partner feeds and old listings still use them).
_ALIASES: dict[str, tuple[str, ...]] = {
    "auvergne-rhone-alpes": (
        "Auvergne-Rhône-Alpes",
        "ARA",
        "AURA",
        "FR-ARA",
        "Rhône-Alpes",
        "Rhone Alps",
        "Auvergne",
    ),
    "bourgogne-franche-comte": (
        "BFC",
        "FR-BFC",
        "Burgundy-Franche-Comte",
        "Burgundy",
        "Bourgogne",
        "Franche-Comté",
        "Burgundy Free County",
    ),
    "bretagne": ("FR-BRE", "Brittany", "Breizh"),
    "centre-val-de-loire": (
        "CVL",
        "FR-CVL",
        "Centre",
        "Région Centre",
        "Centre-Loire Valley",
        "Loire Valley",
    ),
    "corse": ("Corsica", "FR-20R", "FR-COR", "Corse-du-Sud", "Haute-Corse"),
    "grand-est": (
        "Grand-Est",
        "GES",
        "FR-GES",
        "Alsace",
        "Lorraine",
        "Champagne-Ardenne",
        "Champagne",
        "Alsace-Champagne-Ardenne-Lorraine",
        "ACAL",
        "ALCA",
    ),
    "hauts-de-france": (
        "HDF",
        "FR-HDF",
        "Nord-Pas-de-Calais",
        "Picardie",
        "Picardy",
        "Nord-Pas-de-Calais-Picardie",
        "NPDC",
    ),
    "ile-de-france": ("IDF", "FR-IDF", "Paris Region", "Région parisienne", "Paris Île-de-France"),
    "normandie": (
        "FR-NOR",
        "Normandy",
        "Basse-Normandie",
        "Haute-Normandie",
        "Lower Normandy",
        "Upper Normandy",
    ),
    "nouvelle-aquitaine": (
        "FR-NAQ",
        "New Aquitaine",
        "Aquitaine",
        "Limousin",
        "Poitou-Charentes",
        "Aquitaine-Limousin-Poitou-Charentes",
        "ALPC",
    ),
    "occitanie": (
        "Occitania",
        "FR-OCC",
        "Midi-Pyrénées",
        "Languedoc-Roussillon",
        "Languedoc-Roussillon-Midi-Pyrénées",
        "LRMP",
    ),
    "pays-de-la-loire": ("PDL", "FR-PDL", "Pays-de-la-Loire"),
    "provence-alpes-cote-d-azur": (
        "PACA",
        "FR-PAC",
        "Région Sud",
        "Provence",
        "Côte d'Azur",
        "French Riviera",
        "Provence-Alpes-Cote d'Azur",
        "Provence-Alpes-Côte-d'Azur",
    ),
    "guadeloupe": ("FR-971", "FR-GUA"),
    "martinique": ("FR-972", "FR-MQ"),
    "guyane": ("French Guiana", "Guyane française", "FR-973", "FR-GF"),
    "la-reunion": ("Réunion", "Reunion Island", "Île de la Réunion", "FR-974", "FR-LRE"),
    "mayotte": ("FR-976", "FR-MAY"),
}

_LOOKUP: dict[str, Region] = {}
for _region in REGIONS.values():
    for _name in (_region.slug, _region.name_fr, _region.name_en, *_ALIASES.get(_region.slug, ())):
        _LOOKUP.setdefault(slugify(_name), _region)

_PREFIX = re.compile(r"^(?:(?:la-)?region-|fr-region-)")
_POSTAL_CODE = re.compile(r"^\d{5}$")

# Postal codes whose département is not the one their digits say: Orly airport's commune
# (Paray-Vieille-Poste, Essonne) has a Val-de-Marne code; Saint-Barthélemy and Saint-Martin
# kept Guadeloupe codes when they became overseas collectivities outside any region.
_POSTAL_EXCEPTIONS: dict[str, str | None] = {"94390": "91", "97133": None, "97150": None}

# Labels registered for non-French regions: slug -> {lang: label}.
_EXTRA_LABELS: dict[str, dict[str, str]] = {}


def find_region(text: str) -> Region | None:
    """The French region named by ``text`` (French/English name, slug, old name...), if any."""
    if not text:
        return None
    key = slugify(text)
    region = _LOOKUP.get(key)
    if region is None:
        stripped = _PREFIX.sub("", key)
        region = _LOOKUP.get(stripped)
    return region


def department_for_postal_code(pc: str) -> str | None:
    """The département code of a French postal code, or None (invalid, Monaco, overseas collectivity).

    Corse: 200xx-201xx are Corse-du-Sud (2A), 202xx-206xx Haute-Corse (2B). Overseas
    départements use 971xx-976xx (976 Mayotte; 975 Saint-Pierre-et-Miquelon is not a
    département). 98xxx (Monaco, Pacific collectivities) gives None.
    """
    pc = (pc or "").strip().replace(" ", "")
    if not _POSTAL_CODE.match(pc):
        return None
    if pc in _POSTAL_EXCEPTIONS:
        return _POSTAL_EXCEPTIONS[pc]
    prefix = pc[:2]
    if prefix == "20":
        return "2A" if pc < "20200" else "2B"
    if prefix == "97":
        code = pc[:3]
        return code if code in DEPARTMENTS else None
    return prefix if prefix in DEPARTMENTS else None


def region_for_department(code: str) -> Region | None:
    """The region of a département code ("35", "2a", "974"...), or None."""
    code = (code or "").strip().upper()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    department = DEPARTMENTS.get(code)
    return REGIONS_BY_CODE[department.region_code] if department else None


def region_for_postal_code(pc: str) -> Region | None:
    """The region of a French postal code, or None."""
    department = department_for_postal_code(pc)
    return region_for_department(department) if department else None


@functools.lru_cache(maxsize=4096)  # a few hundred distinct names, asked once per indexed document
def region_slug(name: str) -> str:
    """Canonical slug of a French region name, else the slugified name ("California" -> "california")."""
    region = find_region(name)
    return region.slug if region else slugify(name or "")


def register_region_label(slug: str, label: str, lang: str | None = None) -> None:
    """Give a non-French region slug a display label (for one language, or all when ``lang`` is None)."""
    _EXTRA_LABELS.setdefault(slug, {})[lang or "*"] = label


def region_label(slug: str, lang: str = "fr") -> str:
    """Display name of a region slug in ``lang`` ("fr" or "en")."""
    english = (lang or "").lower().startswith("en")
    region = REGIONS.get(slug)
    if region:
        return region.name_en if english else region.name_fr
    labels = _EXTRA_LABELS.get(slug)
    if labels:
        label = labels.get("en" if english else "fr") or labels.get("*")
        if label:
            return label
    return " ".join(part.capitalize() for part in slug.split("-") if part)
