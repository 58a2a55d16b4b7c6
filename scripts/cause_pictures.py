# ruff: noqa: E501 (SVG path data)
"""Write search_app/static/causes/<code>.svg: one small illustration per cause of core/taxonomy.py.

Listings have no picture of their own yet (partner images are never hot-linked), so cards show
their first cause's illustration. Run after adding a cause: ``python scripts/cause_pictures.py``.
"""

from __future__ import annotations

from pathlib import Path

from volunteer_hub.core.taxonomy import CAUSES

OUT = Path(__file__).resolve().parent.parent / "search_app" / "static" / "causes"
S = "fill='none' stroke='#fff' stroke-width='2.4' stroke-linecap='round' stroke-linejoin='round'"
# (background colour, glyph drawn in white on a 48x48 canvas)
GLYPHS: dict[str, tuple[str, str]] = {
    "animaux": (
        "#8a5a14",
        f"<g {S}><circle cx='17' cy='18' r='3'/><circle cx='31' cy='18' r='3'/><circle cx='12' cy='26' r='3'/><circle cx='36' cy='26' r='3'/><path d='M24 25c-5 0-9 6-9 9s3 4 9 2c6 2 9 1 9-2s-4-9-9-9z'/></g>",
    ),
    "batiment-industrie-logistique": (
        "#5b4f8c",
        f"<g {S}><path d='M10 36h28M14 36V22l10-8 10 8v14M21 36v-8h6v8'/></g>",
    ),
    "benevolat-competences": (
        "#1d5f8a",
        f"<g {S}><rect x='11' y='18' width='26' height='18' rx='3'/><path d='M19 18v-4h10v4M11 26h26'/></g>",
    ),
    "communication": ("#7a3e8c", f"<g {S}><path d='M12 14h24v16H22l-8 6v-6h-2z'/></g>"),
    "culture-loisirs": (
        "#a23b5a",
        f"<g {S}><path d='M20 33V15l14-3v18'/><circle cx='17' cy='33' r='3'/><circle cx='31' cy='30' r='3'/></g>",
    ),
    "education": (
        "#1f6f8b",
        f"<g {S}><path d='M8 20l16-7 16 7-16 7z'/><path d='M15 23v8c5 4 13 4 18 0v-8'/></g>",
    ),
    "emploi": (
        "#3d6b2f",
        f"<g {S}><rect x='10' y='17' width='28' height='19' rx='3'/><path d='M19 17v-4h10v4'/></g>",
    ),
    "environnement": (
        "#0a6b5a",
        f"<g {S}><path d='M14 34c0-12 8-20 22-20 0 14-8 22-20 22'/><path d='M14 34l12-12'/></g>",
    ),
    "gestion-finance-droit": (
        "#4a5a66",
        f"<g {S}><path d='M24 12v24M14 36h20M12 18h24M12 18l-4 9h8zM36 18l-4 9h8z'/></g>",
    ),
    "humanitaire": ("#b42318", f"<g {S}><path d='M21 12h6v9h9v6h-9v9h-6v-9h-9v-6h9z'/></g>"),
    "memoire-et-citoyennete": ("#5c4a3a", f"<g {S}><path d='M16 36V12M16 13h16l-4 5 4 5H16'/></g>"),
    "numerique": (
        "#245c9c",
        f"<g {S}><rect x='10' y='13' width='28' height='18' rx='2'/><path d='M18 36h12M24 31v5'/></g>",
    ),
    "prevention-protection": (
        "#8c4a14",
        f"<g {S}><path d='M24 11l12 5v8c0 7-5 12-12 14-7-2-12-7-12-14v-8z'/></g>",
    ),
    "recherche": ("#3f5f7f", f"<g {S}><circle cx='21' cy='21' r='8'/><path d='M27 27l9 9'/></g>"),
    "sante": (
        "#c0392b",
        f"<g {S}><path d='M24 35s-11-7-11-15a6 6 0 0 1 11-3 6 6 0 0 1 11 3c0 8-11 15-11 15z'/></g>",
    ),
    "service-public-defense-securite": (
        "#2c4a6b",
        f"<g {S}><path d='M12 36h24M14 32V20M24 32V20M34 32V20M10 18l14-7 14 7z'/></g>",
    ),
    "solidarite-insertion": ("#b0551d", f"<g {S}><path d='M10 26l7-7 7 5 7-5 7 7-10 9h-8z'/></g>"),
    "sport": (
        "#1d7a55",
        f"<g {S}><circle cx='24' cy='24' r='12'/><path d='M12 24h24M24 12c-5 6-5 18 0 24M24 12c5 6 5 18 0 24'/></g>",
    ),
    "vivre-ensemble": (
        "#8a3c6e",
        f"<g {S}><circle cx='18' cy='18' r='4'/><circle cx='30' cy='18' r='4'/><path d='M10 34c1-6 4-9 8-9s7 3 8 9M22 34c1-6 4-9 8-9s7 3 8 9'/></g>",
    ),
    "autre": (
        "#4d5a56",
        f"<g {S}><circle cx='16' cy='24' r='2'/><circle cx='24' cy='24' r='2'/><circle cx='32' cy='24' r='2'/></g>",
    ),
}


def svg(colour: str, glyph: str) -> str:
    return (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 48 48' width='48' height='48'>"
        f"<rect width='48' height='48' rx='12' fill='{colour}'/>{glyph}</svg>\n"
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for code in CAUSES:
        colour, glyph = GLYPHS.get(code, GLYPHS["autre"])
        (OUT / f"{code}.svg").write_text(svg(colour, glyph), encoding="utf-8")


if __name__ == "__main__":
    main()
