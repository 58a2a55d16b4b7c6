"""Translatable strings declared at import time and translated when read, without importing Flask.

``flask_babel.lazy_gettext`` imports Flask (and Werkzeug, Jinja) with it; the filter registry
(``search_app.filters``) declares its labels and messages at import time and is imported by every
``volunteer-hub`` command (for the ``search`` options), most of which never serve a page. This
``lazy_gettext`` behaves like flask_babel's (same ``LazyString`` protocol: ``str()``, comparisons,
``%``, ``__html__`` for Jinja) and imports flask_babel only when the text is first read, which only
happens inside a request or an app context, as before.
"""

from __future__ import annotations

from typing import Any


def _translate(string: str, **variables: Any) -> str:
    from flask_babel import gettext

    return gettext(string, **variables)


class LazyText:
    """``string`` (with ``variables``) in the current locale, computed each time it is read."""

    __slots__ = ("_string", "_variables")

    def __init__(self, string: str, variables: dict[str, Any]) -> None:
        self._string = string
        self._variables = variables

    def __str__(self) -> str:
        return str(_translate(self._string, **self._variables))

    def __repr__(self) -> str:
        return f"l'{self}'"

    def __html__(self) -> str:  # as flask_babel's LazyString: Jinja inserts the translation as is
        return str(self)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):  # no str dunders by proxy (pickling, copy)
            raise AttributeError(attr)
        return getattr(str(self), attr)

    def __len__(self) -> int:
        return len(str(self))

    def __getitem__(self, key: Any) -> str:
        return str(self)[key]

    def __iter__(self) -> Any:
        return iter(str(self))

    def __contains__(self, item: str) -> bool:
        return item in str(self)

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)

    def __mod__(self, other: Any) -> str:
        return str(self) % other

    def __eq__(self, other: object) -> bool:
        return str(self) == other

    def __ne__(self, other: object) -> bool:
        return str(self) != other

    def __lt__(self, other: str) -> bool:
        return str(self) < other

    def __gt__(self, other: str) -> bool:
        return str(self) > other

    def __hash__(self) -> int:
        return hash(str(self))


def lazy_gettext(string: str, **variables: Any) -> LazyText:
    """Like ``flask_babel.lazy_gettext``: extracted by pybabel when imported as ``_``."""
    return LazyText(string, variables)
