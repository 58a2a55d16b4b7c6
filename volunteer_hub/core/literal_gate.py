"""Regular expressions that skip texts which cannot match, by a substring test first.

Python's ``re`` scans a text position by position, trying every branch of an alternation at each
one; a rule family of 20 phrases starting with ``\\b`` costs ~0.2 ms per description even when the
text says nothing about it, which is the common case. ``gated(pattern)`` reads the pattern's
syntax tree once and derives literals one of which every match must contain ("group", "equipe",
"team"...); a text holding none of them is answered "no match" by a few ``str in str`` tests (C
speed), and the others are searched as before. The answers are exactly those of the pattern
(``tests/test_literal_gate.py`` checks it on random and real texts); a pattern with no required
literal (``\\d+ ?h``) is simply never gated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

try:  # the parser ``re`` itself uses (private, stable since 3.11); without it nothing is gated
    from re import _constants as _c
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - another Python
    _sre_parse = None  # type: ignore[assignment]


Gate = tuple[frozenset[str], ...]  # every set must have one of its strings in the text


def required_literals(pattern: re.Pattern[str] | str) -> Gate | None:
    """Sets of strings such that every match of ``pattern`` contains one string of each set;
    None when none can be derived (then the pattern is never gated)."""
    pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
    if _sre_parse is None or not isinstance(pattern.pattern, str) or pattern.flags & re.IGNORECASE:
        return None
    try:
        tree = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - an unknown construct: no gate, never a wrong answer
        return None
    found = _required(list(tree))
    return tuple(_minimal(s) for s in found) or None


def _minimal(literals: set[str]) -> frozenset[str]:
    # A text holding "accessible " holds "accessible": the longer literal tests nothing more.
    return frozenset(s for s in literals if not any(t != s and t in s for t in literals))


def _score(literals: set[str]) -> tuple[int, int]:
    return min(len(s) for s in literals), -len(literals)


def _required(items: list[tuple[Any, Any]]) -> list[set[str]]:
    """For a sequence of parsed items: sets of literals such that every match of the sequence
    contains one literal of each set."""
    found: list[set[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue  # zero-width: the literals on both sides are adjacent in the matched text
        if run:
            found.append({"".join(run)})
            run = []
        if op is _c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if not add_flags & _c.SRE_FLAG_IGNORECASE:
                found.extend(_required(list(sub)))
        elif op is _c.BRANCH:
            # One set for the alternation: the union of each alternative's most selective set.
            alternatives = [_required(list(branch)) for branch in av[1]]
            if all(alternatives):
                found.append(set().union(*(max(sets, key=_score) for sets in alternatives)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and av[0] >= 1:
            found.extend(_required(list(av[2])))
        elif op is _c.ATOMIC_GROUP:
            found.extend(_required(list(av)))
        # anything else (a class, any character, a back-reference, an optional part) holds no literal
    if run:
        found.append({"".join(run)})
    return found


def _holds(gate: Gate | None, text: str) -> bool:
    if gate is None:
        return True
    for literals in gate:
        for literal in literals:
            if literal in text:
                break
        else:
            return False
    return True


_DEAD = "(?!)"  # fails at once: an alternative that cannot match keeps its groups, never runs
MAX_VARIANTS = 64  # restricted alternations compiled per pattern; past that, the full one is used


class GatedPattern:
    """A pattern made of alternatives (``a|b|c``) that first checks, by substring tests, which
    alternatives can match a text at all.

    ``matches`` (does the text match?) searches only those alternatives, one by one. ``search``,
    ``finditer`` and ``sub`` run the alternation restricted to them (the others replaced by an
    alternative that fails at once and keeps their groups, so group numbers do not change). An
    alternative that matches nowhere in the text never changes a match of the alternation, so every
    answer is the full pattern's."""

    __slots__ = ("compiled", "pattern", "parts", "gates", "_part_patterns", "_variants")

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts
        self.pattern = "|".join(f"(?:{p})" for p in parts)  # the source text, as ``re.Pattern.pattern``
        self.compiled = re.compile(self.pattern)
        self.gates = [required_literals(p) for p in parts]
        self._part_patterns = [re.compile(p) for p in parts]
        self._variants: dict[tuple[bool, ...], re.Pattern[str] | None] = {}

    def matches(self, text: str) -> bool:
        """``bool(self.search(text))``, searching only the alternatives the text can match."""
        for gate, pattern in zip(self.gates, self._part_patterns, strict=True):
            if _holds(gate, text) and pattern.search(text):
                return True
        return False

    def _for(self, text: str) -> re.Pattern[str] | None:
        """The alternation restricted to the alternatives ``text`` can match; None: none can."""
        alive = tuple(_holds(g, text) for g in self.gates)
        variant = self._variants.get(alive, self)
        if variant is not self:
            return variant  # type: ignore[return-value]
        if not any(alive):
            return None
        if all(alive) or len(self._variants) >= MAX_VARIANTS:
            return self.compiled
        parts = zip(self.parts, alive, strict=True)
        variant = re.compile("|".join(f"(?:{p})" if ok else f"(?:{_DEAD}(?:{p}))" for p, ok in parts))
        self._variants[alive] = variant
        return variant

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        pattern = self._for(text)
        return pattern.search(text, *args) if pattern is not None else None

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        pattern = self._for(text)
        return pattern.finditer(text, *args) if pattern is not None else iter(())

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> str:
        pattern = self._for(text)
        return pattern.sub(repl, text, count) if pattern is not None else text


def gated(*alternatives: str) -> GatedPattern:
    """The alternation of ``alternatives`` (regular expressions) with a substring gate on each."""
    return GatedPattern(list(alternatives))
