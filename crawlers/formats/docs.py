"""The format sections of ``docs/formats.md``, generated from the format declarations.

``python -m crawlers.formats.docs`` rewrites the part between the markers (the table of formats,
then one section per format: details and minimal example); ``--check`` only says whether it is
current (tests/test_format_registry.py fails when it is not).
"""

from __future__ import annotations

import sys
from pathlib import Path

from crawlers.formats import GUIDE_ORDER
from crawlers.formats.feedformat import FeedFormat

DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.md"
BEGIN = (
    "<!-- BEGIN formats: generated from the declarations in crawlers/formats by "
    "`python -m crawlers.formats.docs`; edit those, not this -->"
)
END = "<!-- END formats -->"


def section(f: FeedFormat) -> str:
    parts = [f"## {f.label} (`{f.name}`)"]
    if f.details:
        parts.append(f.details.strip())
    parts.append(f"```{f.syntax}\n{f.example.strip()}\n```")
    if f.fields:
        parts.append(field_table(f))
    return "\n\n".join(parts)


def field_table(f: FeedFormat) -> str:
    """Every field of the format: our record field, or "ignored" and why."""
    rows = [f"Every {f.label} field:", "", "| field | our record field | how, or why not |", "|---|---|---|"]
    for source in f.fields:
        note = source.note.replace("|", "\\|")
        rows.append(f"| `{source.name}` | {source.ours or '—'} | {note} |")
    return "\n".join(rows)


def generated() -> str:
    rows = [
        "| `--format` | what | detected by |",
        "|---|---|---|",
        *(f"| `{f.name}` | {f.text('en')} | {f.detected_by} |" for f in GUIDE_ORDER),
    ]
    return "\n\n".join([BEGIN, "\n".join(rows), *(section(f) for f in GUIDE_ORDER), END])


def render(text: str) -> str:
    """``text`` (the whole docs/formats.md) with its generated part brought up to date."""
    head, begin, rest = text.partition(BEGIN)
    _old, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"docs/formats.md has no {BEGIN!r} ... {END!r} block")
    return head + generated() + tail


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if current != wanted:
            print(f"{DOC} is stale: run python -m crawlers.formats.docs", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        DOC.write_text(wanted, encoding="utf-8")
        print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
