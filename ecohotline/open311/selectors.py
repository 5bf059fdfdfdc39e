"""What Open311 shows: the services (the category taxonomy) and the service requests, as the specification's
fields.

Visible requests are the complaints (`CaseKind.COMPLAINT`, from every channel) whose complainant did not ask for
confidentiality. Proactive tasks (主动治理) and alert verifications (预警核查) are the bureau's own work, not
citizens' requests, and are never shown. A request never carries its complainant: no name, phone or e-mail, and
descriptions and replies have phone numbers, e-mail addresses and the complainant's name masked. Internal notes,
inspections and the timeline are never read here.

Only a request filed through Open311 itself shows its description, its reply, its exact address and point: its
author sent it to an open channel. An order that reached the bureau another way (a 12345 call, a letter, the
public page) was not given for publication, and its text and address often say where the complainant lives (诉求
地址 is as often the caller's home as the source): the reported party must not be able to find them from it. Such
a request shows its category, its street and community, a point rounded to about 100 m, and the public wording of
its status.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ecohotline.cases.models import Case, CaseKind, CaseStatus, Category, Channel, Reply
from ecohotline.cases.selectors import category_labels
from ecohotline.open311.catalogue import attributes_for, service_info
from ecohotline.open311.forms import RequestFilter
from ecohotline.open311.models import ApiKey, ServiceRequest

MAX_RESULTS = 1000
CLOSED_STATUSES = (CaseStatus.REPLIED, CaseStatus.CLOSED)
MASK = "***"
# Decimals of degrees kept of the point of a request not filed through Open311 (0.001° ≈ 100 m in Beijing).
COARSE_DECIMALS = 3
# A run of 7 or more digits, perhaps with spaces or hyphens inside (13912345678, 010-6234 5678, +86 139...);
# a date such as 2026-11-20 is not one.
PHONE_LIKE = re.compile(r"(?<!\d)(?<!\d\.)\+?\d(?:[- ]?\d){6,}(?!\d|\.\d)")
DATE_LIKE = re.compile(r"(?:19|20)\d{2}-\d{1,2}-\d{1,2}(?: \d{1,2})?")
EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# What each status means to the public (the desk's own labels say more than a citizen needs).
PUBLIC_STATUS = {
    CaseStatus.NEW: gettext_lazy("Received, waiting to be assigned"),
    CaseStatus.RETURNED: gettext_lazy("Received, waiting to be assigned"),
    CaseStatus.DISPATCHED: gettext_lazy("Assigned to the handling unit"),
    CaseStatus.IN_PROGRESS: gettext_lazy("Being handled"),
    CaseStatus.MERGED: gettext_lazy("Handled together with an earlier report of the same problem"),
    CaseStatus.REPLIED: gettext_lazy("Handled and replied to"),
    CaseStatus.CLOSED: gettext_lazy("Closed"),
}


def _english() -> bool:
    return not (get_language() or "zh-hans").startswith("zh")


def _name(category: Category) -> str:
    return category.name_en if _english() else category.name_zh


# --- services ------------------------------------------------------------------------------------------


def service_categories() -> dict[str, Category]:
    """{code: category} of the categories offered as services: the active ones without active children (the
    sub-categories, and a family such as `soil` that has none), in the taxonomy's order."""
    leaves = (Category.objects.filter(is_active=True).exclude(children__is_active=True).select_related("parent")
              .order_by("sort_order", "code"))
    return {category.code: category for category in leaves}


def _service(category: Category) -> dict[str, Any]:
    info = service_info(category.code)
    group = category.parent if category.parent is not None else category
    return {
        "service_code": category.code,
        "service_name": _name(category),
        "description": str(info.description) or _name(category),
        "metadata": bool(info.attributes),
        "type": "realtime",
        "keywords": str(info.keywords),
        "group": _name(group),
    }


def service_list() -> list[dict[str, Any]]:
    return [_service(category) for category in service_categories().values()]


def service_definition(code: str) -> dict[str, Any] | None:
    """The `service_definition` of a service, or None when there is no such service."""
    if code not in service_categories():
        return None
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": str(attribute.datatype_description) or None,
                "order": order,
                "description": str(attribute.description),
                "values": [{"key": key, "name": str(name)} for key, name in attribute.values],
            }
            for order, attribute in enumerate(attributes_for(code), start=1)
        ],
    }


# --- requests ------------------------------------------------------------------------------------------


def visible_requests() -> QuerySet[Case]:
    """The cases Open311 shows, with what their documents read (the handling unit, the Open311 record, the
    final replies) in a fixed number of queries whatever their number."""
    final_replies = Reply.objects.filter(final=True).order_by("at", "pk").only("case_id", "text", "at")
    return (Case.objects.filter(kind=CaseKind.COMPLAINT, complainant_confidential=False)
            .select_related("handling_unit", "street", "open311_request")
            .prefetch_related(Prefetch("replys", queryset=final_replies, to_attr="final_replies")))


def find_requests(request_filter: RequestFilter) -> list[Case]:
    """The requests a `GET requests` asks for, newest first, at most 1,000."""
    cases = visible_requests()
    if request_filter.ids is not None:
        cases = cases.filter(pk__in=request_filter.ids[:MAX_RESULTS])
    else:
        cases = cases.filter(received_at__gte=request_filter.start, received_at__lte=request_filter.end)
        if request_filter.service_codes:
            codes = request_filter.service_codes
            cases = cases.filter(Q(sub_category__in=codes) | Q(sub_category="", category__in=codes))
        if set(request_filter.statuses) == {"open"}:
            cases = cases.exclude(status__in=CLOSED_STATUSES)
        elif set(request_filter.statuses) == {"closed"}:
            cases = cases.filter(status__in=CLOSED_STATUSES)
    return list(cases.order_by("-received_at", "-pk")[:MAX_RESULTS])


def find_request(service_request_id: str) -> Case | None:
    if not service_request_id.isdigit() or len(service_request_id) > 18:
        return None
    return visible_requests().filter(pk=int(service_request_id)).first()


def find_token(token: str) -> ServiceRequest | None:
    if len(token) > 40:
        return None
    return ServiceRequest.objects.filter(token=token, case__kind=CaseKind.COMPLAINT).first()


def mask_personal(text: str, case: Case) -> str:
    """The text with phone numbers, e-mail addresses and the complainant's name masked."""
    text = EMAIL_LIKE.sub(MASK, text)
    text = PHONE_LIKE.sub(lambda match: match.group() if DATE_LIKE.fullmatch(match.group()) else MASK, text)
    name = case.complainant_name.strip()
    if len(name) >= 2:
        text = text.replace(name, MASK)
    return text


def _service_code(case: Case) -> str:
    return case.sub_category or case.category


def _published(case: Case) -> bool:
    """Whether the request's own words and exact place may be shown (filed through Open311)."""
    return case.channel == Channel.OPEN311


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, COARSE_DECIMALS)


def _status_notes(case: Case) -> str:
    replies: Sequence[Reply] = getattr(case, "final_replies", ())
    if case.status in CLOSED_STATUSES and replies and _published(case):
        return mask_personal(replies[-1].text, case)
    return str(PUBLIC_STATUS.get(CaseStatus(case.status), case.status))


def request_document(case: Case) -> dict[str, Any]:
    """One `request` of `GET requests`, in the specification's field order."""
    record: ServiceRequest | None = getattr(case, "open311_request", None)
    labels = category_labels()
    code = _service_code(case)
    names = labels.get(code)
    closed = case.status in CLOSED_STATUSES
    published = _published(case)
    return {
        "service_request_id": str(case.pk),
        "status": "closed" if closed else "open",
        "status_notes": _status_notes(case),
        "service_name": (names[1] if _english() else names[0]) if names else code,
        "service_code": code,
        "description": mask_personal(case.description, case) if published else "",
        "agency_responsible": case.handling_unit.name if case.handling_unit else _("Ecology and Environment Bureau"),
        "service_notice": service_notice(),
        "requested_datetime": case.received_at,
        "updated_datetime": case.updated_at,
        "expected_datetime": case.reply_due_at or case.due_at,
        "address": case.address if published else _coarse_address(case),
        "address_id": None,
        "zipcode": None,
        "lat": case.latitude if published else _rounded(case.latitude),
        "long": case.longitude if published else _rounded(case.longitude),
        "media_url": record.media_urls[0] if record is not None and record.media_urls else None,
    }


def _coarse_address(case: Case) -> str:
    return "".join(part for part in (case.street.name if case.street else "", case.community) if part)


def service_notice() -> str:
    return _("The bureau contacts you within 24 hours where you left contact details, and replies within the "
             "time limit shown as expected_datetime.")


def active_key(plain: str) -> ApiKey | None:
    """The API key given as `api_key`, unless unknown or revoked."""
    plain = plain.strip()
    if not plain or len(plain) > 200:
        return None
    return ApiKey.objects.filter(key_hash=ApiKey.hash_key(plain), revoked_at__isnull=True).first()
