"""Taking orders in: every channel's orders go through `take_in_order` (idempotent) and the triage pipeline."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from ecohotline.cases import services as case_services
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation
from ecohotline.cases.models import Case
from ecohotline.cases.services import CaseDraft
from ecohotline.core import bulk
from ecohotline.intake.models import DuplicateSuggestion, OrderRecord, TriageSuggestion
from ecohotline.intake.orders import OrderInput
from ecohotline.intake.triage import (
    Triage,
    TriageContext,
    auto_dispatch,
    look_for_duplicates,
    should_auto_dispatch,
    suggestions,
    triage_order,
)
from ecohotline.org.models import Role, User


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


def take_in_order(*, order: OrderInput, via: str, actor: User | None = None,
                  context: TriageContext | None = None) -> IntakeResult:
    """Register an order once. The same order delivered again creates nothing; with changed content (a 补充)
    its case gets an `order_updated` timeline entry. A new order is triaged and becomes a case."""
    return take_in_orders(orders=[order], via=via, actor=actor, context=context)[0]


def take_in_orders(*, orders: Sequence[OrderInput], via: str, actor: User | None = None,
                   context: TriageContext | None = None,
                   triages: Sequence[Triage | None] | None = None) -> list[IntakeResult]:
    """`take_in_order` for a batch, in one transaction (all or nothing): a fixed number of queries per batch,
    plus each new order's duplicate lookup and each 补充's or automatic dispatch's own update. The results
    are in the orders' order.

    An order number that comes twice in the batch is taken in turn: the second sees what the first did.
    `triages`: each order's `triage_order` when the caller has it already (the importer has it done in a
    second process), else None; for orders that turn out to be known it is not used."""
    pairs = list(zip(orders, triages if triages is not None else [None] * len(orders), strict=True))
    if actor is not None and not actor.has_role(Role.DISPATCHER, Role.ADMIN):
        raise ActionForbidden(_("Only dispatchers may register cases."))
    context = context or TriageContext.load()
    if connection.in_atomic_block:  # the caller's transaction: the caller decides what a conflict means
        return _take_in_orders(pairs, via=via, actor=actor, context=context)
    try:
        with transaction.atomic():
            return _take_in_orders(pairs, via=via, actor=actor, context=context)
    except IntegrityError:
        # Another request registered one of these orders between our look and our write (on PostgreSQL; SQLite
        # takes its write lock before looking): once more, where they are known orders now.
        with transaction.atomic():
            return _take_in_orders(pairs, via=via, actor=actor, context=context)


def _take_in_orders(pairs: list[tuple[OrderInput, Triage | None]], *, via: str, actor: User | None,
                    context: TriageContext) -> list[IntakeResult]:
    results: list[IntakeResult] = []
    segment: list[tuple[OrderInput, Triage | None]] = []
    keys: set[tuple[str, str]] = set()
    for order, triage in pairs:
        key = (order.channel, order.external_id)
        if order.external_id and key in keys:
            results += _take_segment(segment, via=via, actor=actor, context=context)
            segment, keys = [], set()
        segment.append((order, triage))
        if order.external_id:
            keys.add(key)
    results += _take_segment(segment, via=via, actor=actor, context=context)
    return results


def _take_segment(pairs: list[tuple[OrderInput, Triage | None]], *, via: str, actor: User | None,
                  context: TriageContext) -> list[IntakeResult]:
    """Orders whose numbers are all different."""
    orders = [order for order, _ in pairs]
    numbers = {order.external_id for order in orders if order.external_id}
    known: dict[tuple[str, str], OrderRecord] = {}
    if numbers:
        found = (OrderRecord.objects.select_for_update(of=("self",)).select_related("case")
                 .filter(external_id__in=numbers, channel__in={order.channel for order in orders}))
        known = {(record.channel, record.external_id): record for record in found}
    results: list[IntakeResult | None] = []
    new: list[tuple[int, OrderInput, Triage]] = []
    for order, triage in pairs:
        record = known.get((order.channel, order.external_id)) if order.external_id else None
        if record is None:
            _check_given(order, context)
            new.append((len(results), order, triage if triage is not None else triage_order(order, context)))
            results.append(None)
        else:
            results.append(_known_order(record, order, via=via, actor=actor))
    if new:
        created = case_services.create_cases(actor=actor, drafts=[_draft(order, triage) for _, order, triage in new])
        records = []
        for case, (_, order, _) in zip(created, new, strict=True):
            if order.external_id:
                content = order.content()
                records.append({"case_id": case.pk, "channel": order.channel, "external_id": order.external_id,
                                "content_hash": order.content_hash(content), "received_via": via,
                                "raw": {"content": content, "as_received": order.raw}})
        bulk.insert_rows(OrderRecord, records)
        look_for_duplicates(created, [triage for _, _, triage in new])
        # Each payload is encoded once: it goes into the `triaged` entry and the suggestion's reasons.
        triaged = [(case, bulk.JsonText(json.dumps(triage.as_payload(), ensure_ascii=False)),
                    [tag for tag in triage.tags if tag not in case.tags])
                   for case, (_, _, triage) in zip(created, new, strict=True)]
        case_services.record_triages(results=triaged, actor=actor)
        waiting = [suggestions(case, triage, payload)
                   for (case, payload, _tags), (_, _, triage) in zip(triaged, new, strict=True)]
        bulk.insert_rows(TriageSuggestion, [suggestion for suggestion, _ in waiting])
        bulk.insert_rows(DuplicateSuggestion, [duplicate for _, likely in waiting for duplicate in likely])
        for case, (position, _, triage) in zip(created, new, strict=True):
            if should_auto_dispatch(triage):
                auto_dispatch(case, triage)
            results[position] = IntakeResult(Outcome.CREATED, case, {})
    return [result for result in results if result is not None]


def _check_given(order: OrderInput, context: TriageContext) -> None:
    """Triage keeps the street and the sub-category a person gave: they must be ones a case can have."""
    if order.street_id is not None and context.street(order.street_id) is None:
        raise RuleViolation("invalid_street", _("Choose a street or town."), field="street")
    if order.sub_category:
        case_services.check_sub_category(order.sub_category)


def _known_order(record: OrderRecord, order: OrderInput, *, via: str, actor: User | None) -> IntakeResult:
    content = order.content()
    digest = order.content_hash(content)
    if record.content_hash == digest:
        return IntakeResult(Outcome.UNCHANGED, record.case, {})
    changes = _changes(record.raw.get("content", {}), content)
    case = case_services.record_order_update(case=record.case, changes=changes, via=via, actor=actor)
    record.content_hash = digest
    record.raw = {"content": content, "as_received": order.raw}
    record.received_via = via
    record.updates += 1
    record.save(update_fields=["content_hash", "raw", "received_via", "updates", "last_seen_at"])
    return IntakeResult(Outcome.UPDATED, case, changes)


def _draft(order: OrderInput, triage: Triage) -> CaseDraft:
    place, category = triage.place, triage.category
    return CaseDraft(
        channel=order.channel, external_id=order.external_id, received_at=order.received_at, kind=order.kind,
        request_type=order.request_type, urgency=triage.urgency, title=order.title, description=order.description,
        complainant_name=order.complainant_name, complainant_phone=order.complainant_phone,
        complainant_anonymous=order.complainant_anonymous,
        complainant_confidential=order.complainant_confidential, address=order.address,
        district=place.district, street=place.street, community=place.community, latitude=place.latitude,
        longitude=place.longitude, category=category.category, sub_category=category.code,
        category_confirmed=category.source == "given", polluter=order.polluter, tags=triage.tags,
        leader=triage.route.leader,  # already looked up by routing
    )
