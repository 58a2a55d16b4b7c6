"""Copy matching measured on the labelled pairs (tests/quality/copies_labelled.json).

The pairs come from the shared fixtures and the demo (``python -m bench.copies_set``); the
figures are in docs/data-quality.md. Precision first: a false merge hides a real listing.
"""

from __future__ import annotations

import json

from bench.copies_quality import PAIRS, judge, scores


def test_copies_are_found_without_false_merges() -> None:
    result = scores(judge(json.loads(PAIRS.read_text())))
    assert result["pairs"] >= 500
    assert result["false_merges"] == 0, result
    assert result["recall"] >= 0.8, result  # the misses: a relay point 1.5 km off (MAX_KM is 1)
