"""Spelling correction against a list of known terms: the nearest term, the most frequent on a tie.

Shared by both search backends: each supplies candidate terms from its own index with their
document counts, and this module chooses, so both correct a query the same way.
"""

from __future__ import annotations

from collections.abc import Mapping


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps."""
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def max_edits(term: str) -> int:
    """How many edits a correction of ``term`` may make: none under 4 letters, 1 up to 5, then 2."""
    if len(term) < 4 or term.isdigit():
        return 0
    return 1 if len(term) <= 5 else 2


def best_correction(term: str, candidates: Mapping[str, int]) -> str | None:
    """The candidate nearest to ``term`` (same first letter, within ``max_edits``), most documents
    first on equal distance, then alphabetical; None when nothing is close enough."""
    allowed = max_edits(term)
    if not allowed:
        return None
    best: tuple[int, int, str] | None = None
    for cand, count in candidates.items():
        if cand == term or not cand or cand[0] != term[0] or abs(len(cand) - len(term)) > allowed:
            continue
        distance = edit_distance(term, cand)
        if distance <= allowed:
            key = (distance, -count, cand)
            if best is None or key < best:
                best = key
    return best[2] if best else None
