"""The public website and JSON API (Flask). The factory is ``search_app.app.create_app``.

Importing the package builds nothing: the CLI imports ``search_app.filters`` alone (the parameter
registry) without paying for every blueprint. ``from search_app import create_app`` still works.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from search_app.app import create_app  # noqa: PLC0415 - lazy: see the module docstring

        return create_app
    raise AttributeError(f"module 'search_app' has no attribute {name!r}")
