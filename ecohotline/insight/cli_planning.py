"""`ecohotline insight ...` subcommands: planning."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Add this topic's subcommands; each sets `handler=callable(command, options)` as its default."""
