"""The substring gate of the practical and moderation rules answers what the plain patterns do.

``core.literal_gate`` skips the alternatives of a pattern that a text cannot match; a wrong gate
would silently lose a fact ("accessible PMR", "dès 16 ans") on some listings. Checked on the
texts of the real fixture feeds and on generated texts made of the rules' own words.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volunteer_hub.core import moderation, practical
from volunteer_hub.core.literal_gate import GatedPattern, gated, required_literals
from volunteer_hub.core.textfold import fold

PATTERNS = {
    f"{module.__name__}.{name}": value
    for module in (practical, moderation)
    for name, value in vars(module).items()
    if isinstance(value, GatedPattern)
}
# Words and pieces of the rules themselves, so that generated texts hit (and nearly hit) them.
FRAGMENTS = sorted(
    {lit for p in PATTERNS.values() for gate in p.gates if gate for lits in gate for lit in lits}
    | {"16", "18", "25", "+", "-", ".", ";", " ", "ans", "h", "pm", "18h30", "6-8", ":", "'", "é"}
)


def _same(gp: GatedPattern, text: str) -> None:
    plain = gp.compiled
    assert gp.matches(text) == bool(plain.search(text))
    found, expected = gp.search(text), plain.search(text)
    assert (found and (found.span(), found.groups())) == (expected and (expected.span(), expected.groups()))
    assert [(m.span(), m.groups()) for m in gp.finditer(text)] == [
        (m.span(), m.groups()) for m in plain.finditer(text)
    ]
    assert gp.sub(lambda m: "_" * len(m.group(0)), text) == plain.sub(lambda m: "_" * len(m.group(0)), text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=40))
def test_gated_rules_answer_as_the_plain_patterns_on_generated_text(pieces: list[str]) -> None:
    text = " ".join(pieces)
    for gp in PATTERNS.values():
        _same(gp, text)
        _same(gp, fold(text))


def _fixture_texts() -> list[str]:
    from crawlers.formats import parse_feed
    from crawlers.formats.base import ParseProblem
    from volunteer_hub.core.html import to_text

    texts = []
    feeds = [Path(__file__).parent / "files" / "fpxml-facts.xml"]
    shared = Path("/work/shared/fixtures/allforgood")
    if shared.is_dir():
        feeds += sorted(p for p in shared.iterdir() if ".xml" in p.name or p.suffix == ".fpxml")
    for feed in feeds:
        _fmt, stream = parse_feed(feed.read_bytes())
        for entry in stream:
            if not isinstance(entry, ParseProblem):
                text = f"{entry.title or ''}\n{to_text(entry.description or '')}"
                texts.append(" ".join(fold(text).split()))
    # Distinct texts, one in six (~350): all of them took 40 s; the gate's cases repeat across a feed.
    return sorted(set(texts))[::6]


def test_gated_rules_answer_as_the_plain_patterns_on_real_feeds() -> None:
    texts = _fixture_texts()
    assert len(texts) > 100
    for text in texts:
        for gp in PATTERNS.values():
            _same(gp, text)


def test_required_literals_are_in_every_match() -> None:
    gate = required_literals(r"\b(?:wheelchair[- ]accessible|acces pmr)\b")
    assert gate == (frozenset({"wheelchair", "acces pmr"}),)
    assert required_literals(r"\d+\s*[hH]") is None  # nothing literal to test: never gated
    assert required_literals(re.compile("abc", re.IGNORECASE)) is None


@pytest.mark.parametrize(
    "text", ["no wheelchair here", "accessible pmr", "dès 16 ans", "", "groupes bienvenus. 18+"]
)
def test_a_gated_alternation_keeps_its_group_numbers(text: str) -> None:
    gp = gated(r"\bdes (\d+) ans", r"\b(1\d)\+", r"\bgroupes (bienvenus)")
    _same(gp, fold(text))
