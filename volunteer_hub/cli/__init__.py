"""The top layer: the `volunteer-hub` command line and the demo (the only modules importing every layer)."""

from volunteer_hub.cli.main import main

__all__ = ["main"]
