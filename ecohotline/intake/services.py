"""Taking orders in: every channel's orders go through `take_in_order` (idempotent) and the triage pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import transaction

from ecohotline.cases import services as case_services
from ecohotline.cases.models import Case
from ecohotline.intake.models import OrderRecord
from ecohotline.intake.orders import OrderInput
from ecohotline.intake.triage import TriageContext, triage_new_case, triage_order
from ecohotline.org.models import User


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class IntakeResult:
    outcome: Outcome
    case: Case
    changes: dict[str, Any]


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {key: {"old": old.get(key), "new": value} for key, value in new.items() if old.get(key) != value}


@transaction.atomic
def take_in_order(*, order: OrderInput, via: str, actor: User | None = None,
                  context: TriageContext | None = None) -> IntakeResult:
    """Register an order once. The same order delivered again creates nothing; with changed content (a 补充)
    its case gets an `order_updated` timeline entry. A new order is triaged and becomes a case."""
    record = (
        OrderRecord.objects.select_for_update().select_related("case")
        .filter(channel=order.channel, external_id=order.external_id).first()
        if order.external_id else None
    )
    content = order.content()
    digest = order.content_hash()
    if record is not None:
        if record.content_hash == digest:
            return IntakeResult(Outcome.UNCHANGED, record.case, {})
        changes = _changes(record.raw.get("content", {}), content)
        case_services.record_order_update(case=record.case, changes=changes, via=via, actor=actor)
        record.content_hash = digest
        record.raw = {"content": content, "as_received": order.raw}
        record.received_via = via
        record.updates += 1
        record.save(update_fields=["content_hash", "raw", "received_via", "updates", "last_seen_at"])
        return IntakeResult(Outcome.UPDATED, record.case, changes)

    context = context or TriageContext.load()
    triage = triage_order(order, context)
    case = case_services.create_case(
        actor=actor, channel=order.channel, external_id=order.external_id, received_at=order.received_at,
        request_type=order.request_type, urgency=triage.urgency, title=order.title,
        description=order.description, complainant_name=order.complainant_name,
        complainant_phone=order.complainant_phone, complainant_anonymous=order.complainant_anonymous,
        address=order.address, district=triage.place.district, street=triage.place.street,
        community=triage.place.community, latitude=triage.place.latitude, longitude=triage.place.longitude,
        category=triage.category.category, sub_category=triage.category.code, tags=triage.tags,
        leader=triage.route.leader,  # already looked up by routing
    )
    if order.external_id:
        OrderRecord.objects.create(case=case, channel=order.channel, external_id=order.external_id,
                                   content_hash=digest, raw={"content": content, "as_received": order.raw},
                                   received_via=via)
    triage_new_case(case, triage, context, actor=actor)
    return IntakeResult(Outcome.CREATED, case, {})

