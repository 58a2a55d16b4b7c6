"""The JSON of every API answer: orjson, with Flask's own rules for what JSON cannot say.

Encoding the answer was ~22% of an API request's CPU under load (docs/benchmarks.md, goal 3).
Key order is kept as built (total, page, per_page, items, facets), text stays real UTF-8 and the
output compact, as the CLI's ``search --json`` reads. Dates still go through Flask's ``default``
(HTTP dates), as before; anything orjson refuses (an integer past 64 bits, a lone surrogate) is
encoded by the standard library instead, so no answer fails for the encoder's sake.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_COMPACT = (",", ":")


class FastJSONProvider(DefaultJSONProvider):
    sort_keys = False
    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        # Only the compact, unsorted form is orjson's; indented (debug) or sorted output is Flask's.
        if set(kwargs) <= {"separators"} and kwargs.get("separators", _COMPACT) == _COMPACT:
            try:
                return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()
            except (orjson.JSONEncodeError, TypeError):
                pass
        return super().dumps(obj, **kwargs)
