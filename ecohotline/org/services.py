"""Writes about people."""

from __future__ import annotations

from ecohotline.org.models import User


def set_language_preference(*, user: User, language: str) -> None:
    """Remember the user's interface language."""
    user.language = language
    user.save(update_fields=["language"])
