"""Writes of the desk's own records: a user's saved case-list filters (常用筛选)."""

from __future__ import annotations

from django.db import transaction

from ecohotline.org.models import User
from ecohotline.ui.models import SavedFilter


@transaction.atomic
def save_filter(*, actor: User, name: str, query: str) -> tuple[SavedFilter, bool]:
    """Keep the case list's filter (its query string) under a name of the user's; the same name again replaces
    it. Returns the filter and whether it is new. A personal preference: no case event."""
    saved, created = SavedFilter.objects.update_or_create(user=actor, name=name, defaults={"query": query})
    return saved, created


@transaction.atomic
def delete_filter(*, actor: User, saved_filter: SavedFilter) -> None:
    """Forget one of the user's own saved filters (another user's is not theirs to delete)."""
    if saved_filter.user_id != actor.pk:
        raise SavedFilter.DoesNotExist
    saved_filter.delete()
