"""Template filters of the desk: names for the codes stored on cases."""

from django import template

from ecohotline.cases import selectors

register = template.Library()


@register.filter
def category(code: str) -> str:
    return selectors.category_label(code)


@register.filter
def event_label(action: str) -> str:
    return selectors.event_label(action)


@register.filter
def status_label(status: str) -> str:
    return selectors.status_label(status)


@register.filter
def deadline_label(kind: str) -> str:
    return selectors.deadline_label(kind)
