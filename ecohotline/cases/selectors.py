"""Reads of cases that are more than one line."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import CaseStatus, Category, DeadlineKind
from ecohotline.cases.workflow import TRANSITIONS

CATEGORY_CACHE_KEY = "cases:category-labels"

# Timeline entries that are not actions of the transition table.
EVENT_LABELS: dict[str, str | Promise] = {
    "created": _("Registered"),
    "triaged": _("Triaged"),
    "order_updated": _("Order supplemented"),
    "merge_received": _("Duplicate merged in"),
    "follow_parent": _("Handling follows the case it is merged into"),
    "deadline_reminder": _("Deadline reminder sent"),
    "deadline_escalation": _("Overdue: escalated"),
    **{action: transition.label for action, transition in TRANSITIONS.items()},
}


@receiver([post_save, post_delete], sender=Category)
def _forget_category_labels(**kwargs: object) -> None:
    cache.delete(CATEGORY_CACHE_KEY)


def category_labels() -> dict[str, tuple[str, str]]:
    """{code: (Chinese name, English name)} of every category, cached until a category changes."""
    labels: dict[str, tuple[str, str]] | None = cache.get(CATEGORY_CACHE_KEY)
    if labels is None:
        labels = {code: (zh, en) for code, zh, en in Category.objects.values_list("code", "name_zh", "name_en")}
        cache.set(CATEGORY_CACHE_KEY, labels, None)
    return labels


def category_label(code: str) -> str:
    """The name of a category code in the active language (the code itself if unknown)."""
    if not code:
        return ""
    names = category_labels().get(code)
    if names is None:
        return code
    return names[0] if (get_language() or "zh-hans").startswith("zh") else names[1]


def assignable_categories() -> dict[str, str]:
    """{sub-category code: its category code} of the codes a person may give a case: the active categories
    without active children (a family like `noise` is not a label; a leaf family like `soil` is)."""
    leaves = Category.objects.filter(is_active=True).exclude(children__is_active=True).select_related("parent")
    return {c.code: c.parent.code if c.parent else c.code.split(".")[0] for c in leaves.order_by("code")}


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


def status_label(status: str) -> str:
    return str(dict(CaseStatus.choices).get(status, status)) if status else ""


def deadline_label(kind: str) -> str:
    return str(dict(DeadlineKind.choices).get(kind, kind)) if kind else ""
