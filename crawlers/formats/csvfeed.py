"""CSV exported from a spreadsheet, with French or English column names (docs/formats.md).

One row per opportunity. Columns are matched case- and accent-insensitively ("Code postal",
"code_postal", "postal code" are the same column); unknown columns are reported once and
ignored. The delimiter (comma, semicolon or tab) is detected; the text is UTF-8 (with or
without BOM), or Windows-1252 as Excel writes it in France (reported as a warning).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from crawlers.formats.base import FeedError, ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.feedformat import FeedFormat
from volunteer_hub.core.textfold import fold

NAME = "csv"

# Our field -> accepted header spellings (folded, spaces/underscores/dashes as "_").
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "identifiant", "reference", "ref"),
    "title": ("title", "titre", "intitule", "mission"),
    "description": ("description", "details", "detail"),
    "url": ("url", "lien", "link", "detail_url", "page"),
    "organization": ("organization", "organisation", "organization_name", "association", "structure"),
    "organization_url": ("organization_url", "site_organisation", "site_association", "site_web"),
    "categories": ("categories", "category", "categorie", "causes", "cause", "domaine", "domaines"),
    "street": ("address", "adresse", "street", "rue"),
    "city": ("city", "ville", "commune"),
    "postal_code": ("postal_code", "postcode", "zip", "zip_code", "code_postal", "cp"),
    "region": ("region", "state", "province"),
    "country": ("country", "pays"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "remote": ("remote", "a_distance", "distanciel", "virtual", "en_ligne"),
    "start": ("start", "start_date", "debut", "date_debut", "date_de_debut"),
    "end": ("end", "end_date", "fin", "date_fin", "date_de_fin"),
    "expires": ("expires", "expiration", "date_expiration", "date_limite"),
    "skills": ("skills", "competences", "competence"),
    "min_age": ("min_age", "minimum_age", "age_minimum", "age_min"),
    "hours_per_week": ("hours_per_week", "heures_par_semaine", "heures_semaine"),
    "schedule": ("schedule", "horaires", "frequence", "disponibilites"),
    "language": ("language", "langue", "lang"),
}
_HEADER_TO_FIELD = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
_YES = {"oui", "yes", "true", "vrai", "1", "o", "y", "x", "possible", "full", "total"}
_LIST_SPLIT = re.compile(r"\s*[;|,]\s*")


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(header or "")).strip("_")


def sniff(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text or text.startswith((b"<", b"{", b"[")):
        return False
    first_line = text.split(b"\n", 1)[0].decode("utf-8", "replace")
    cells = [header_key(c) for c in re.split(r"[,;\t]", first_line)]
    return len(cells) >= 2 and any(_HEADER_TO_FIELD.get(c) == "title" for c in cells)


def decode(data: bytes) -> tuple[str, bool]:
    """Text of the CSV and whether it had to be read as Windows-1252."""
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), True


def parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]:
    text, legacy = decode(data)
    if legacy:
        yield ParseProblem(
            "the file is not UTF-8; it was read as Windows-1252 (save it as 'CSV UTF-8' to be sure)",
            severity="warning",
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raise FeedError("the CSV file is empty") from None
    fields = [_HEADER_TO_FIELD.get(header_key(h)) for h in headers]
    if "title" not in fields:
        raise FeedError("the CSV has no title column (expected 'title' or 'titre'; see docs/formats.md)")
    unknown = [h for h, f in zip(headers, fields, strict=True) if f is None and h.strip()]
    if unknown:
        yield ParseProblem(
            f"unknown columns ignored: {', '.join(unknown)} (see docs/formats.md)", line=1, severity="warning"
        )
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            values: dict[str, str] = {}
            for name, cell in zip(fields, row, strict=False):
                if name and cell.strip() and name not in values:
                    values[name] = cell.strip()
            yield _row(values, reader.line_num)
    except csv.Error as exc:
        raise FeedError(f"the CSV is malformed at line {reader.line_num}: {exc}") from exc


def _row(v: dict[str, str], line: int) -> RawOpportunity:
    remote = v.get("remote")
    raw = RawOpportunity(
        source_id=v.get("id") or v.get("url"),
        title=v.get("title"),
        description=v.get("description"),
        url=v.get("url"),
        organization_name=v.get("organization"),
        organization_url=v.get("organization_url"),
        categories=[c for c in _LIST_SPLIT.split(v.get("categories", "")) if c],
        remote=(fold(remote) in _YES) if remote else None,
        start=v.get("start"),
        end=v.get("end"),
        expires=v.get("expires"),
        language=v.get("language"),
        skills=[s for s in _LIST_SPLIT.split(v.get("skills", "")) if s],
        min_age=v.get("min_age"),
        commitment_hours_per_week=v.get("hours_per_week"),
        schedule=v.get("schedule"),
        line=line,
    )
    raw.open_ended = not raw.end
    location = RawLocation(
        street=v.get("street"),
        city=v.get("city"),
        postal_code=v.get("postal_code"),
        region=v.get("region"),
        country=v.get("country"),
        lat=v.get("lat"),
        lon=v.get("lon"),
    )
    if any(vars(location).values()):
        raw.locations.append(location)
    return raw


FORMAT = FeedFormat(
    name=NAME,
    label="CSV",
    detect=sniff,
    parse=parse,
    syntax="csv",
    description={
        "en": "A spreadsheet saved as CSV, one row per mission, column names in French or English; "
        "separator , ; or tab.",
        "fr": "Un tableur enregistré en CSV, une ligne par mission, noms de colonnes en français ou en "
        "anglais ; séparateur , ; ou tabulation.",
    },
    items="rows after the header row",
    detected_by="a header row with a title column",
    details="""\
One row per opportunity, first row the column names. Delimiter `,` `;` or tab (detected).
UTF-8 (with or without BOM); Windows-1252 (Excel in France) is accepted with a warning. Column
names are matched ignoring case, accents, spaces, `_` and `-`; unknown columns are reported
once and ignored. Lists (categories, skills) are separated by `;`, `|` or `,` inside the cell.
Dates: ISO 8601, `30/06/2026`, or text (`le 3 mars 2026 à 14h`, `June 3, 2026`). An end date
without a time lasts the whole day.

| field | English header | French header(s) |
|---|---|---|
| id | `id`, `reference` | `identifiant`, `ref` |
| **title** (required) | `title` | `titre`, `intitulé`, `mission` |
| description | `description` | `description`, `détails` |
| **url** (required) | `url`, `link` | `lien`, `page` |
| organization | `organization` | `organisation`, `association`, `structure` |
| organization URL | `organization_url` | `site_organisation`, `site_association`, `site_web` |
| categories | `categories`, `causes` | `catégories`, `domaine(s)` |
| street | `address`, `street` | `adresse`, `rue` |
| city | `city` | `ville`, `commune` |
| postal code | `postal_code`, `zip` | `code_postal`, `cp` |
| region | `region`, `state` | `région` |
| country | `country` | `pays` |
| latitude / longitude | `latitude`, `longitude` (`lat`, `lon`) | same |
| remote (`yes`/`oui`/`1`) | `remote`, `virtual` | `à_distance`, `en_ligne` |
| start / end | `start`, `end` | `début`/`date_début`, `fin`/`date_fin` |
| expires | `expires` | `expiration`, `date_limite` |
| skills | `skills` | `compétences` |
| minimum age | `min_age` | `âge_minimum` |
| hours per week | `hours_per_week` | `heures_par_semaine` |
| schedule | `schedule` | `horaires`, `fréquence` |
| language | `language` | `langue` |""",
    example="""\
identifiant;titre;lien;association;ville;code postal;début;fin
AB-1;Aide alimentaire;https://asso.example/m/1;Restos 35;Rennes;35000;le 3 mars 2027 à 14h;30/06/2027""",
    mapping={
        "title": "title, titre",
        "url": "url, lien",
        "id": "id, identifiant",
        "description": "description",
        "organization": "organization, association",
        "place": "ville, code postal, pays",
        "remote": "remote, à distance",
        "dates": "début, fin",
        "expires": "expiration",
        "categories": "catégories",
        "skills": "compétences",
        "min_age": "âge minimum",
    },
    fallback=True,  # any text whose first line names a title column
)
