"""Taking an order in: once only, 补充 as an event, and the triage recorded with its reasons."""

import datetime as dt

import pytest

from ecohotline.cases.models import Case, CaseEvent
from ecohotline.core.workdays import BEIJING
from ecohotline.intake.models import DuplicateSuggestion, OrderRecord, RoutingRule, TriageSuggestion
from ecohotline.intake.orders import OrderInput
from ecohotline.intake.services import Outcome, take_in_order

pytestmark = pytest.mark.django_db


def order(**fields) -> OrderInput:
    values = {
        "channel": "hotline_12345", "external_id": "2026050300001",
        "received_at": dt.datetime(2026, 5, 3, 23, 5, tzinfo=BEIJING),
        "description": "中关村大街12号楼下烧烤店油烟直排，晚上十一点还在营业，孩子咳嗽。",
        "complainant_name": "张三", "complainant_phone": "13812345678",
        "address": "北京市海淀区中关村大街12号", "street_name": "中关村街道",
        "longitude": 116.3162, "latitude": 39.9834,
    }
    values.update(fields)
    return OrderInput(**values)


def test_a_new_order_becomes_a_triaged_case(org):
    RoutingRule.objects.create(category="air", unit=org.squad)
    result = take_in_order(order=order(), via="file")
    assert result.outcome == Outcome.CREATED
    case = result.case
    assert case.street == org.street and case.sub_category == "air.catering_fumes" and case.category == "air"
    assert case.leader == org.leader and case.contact_due_at is not None
    assert {"hint:night", "hint:children", "hint:health"} <= set(case.tags)
    triaged = CaseEvent.objects.get(case=case, action="triaged")
    assert triaged.payload["place"]["placed"] is True
    assert "油烟" in triaged.payload["classify"]["words"]
    assert triaged.payload["route"]["unit"] == org.squad.pk
    suggestion = TriageSuggestion.objects.get(case=case)
    assert suggestion.unit == org.squad and suggestion.leader == org.leader


def test_the_same_order_twice_creates_nothing(org):
    first = take_in_order(order=order(), via="file")
    again = take_in_order(order=order(), via="push")
    assert again.outcome == Outcome.UNCHANGED and again.case.pk == first.case.pk
    assert Case.objects.count() == 1 and OrderRecord.objects.count() == 1
    assert first.case.events.count() == 2  # created, triaged


def test_changed_content_is_a_supplement_on_the_same_case(org):
    first = take_in_order(order=order(), via="file")
    updated = take_in_order(order=order(description="补充：烧烤店凌晨一点仍在排放油烟。"), via="push")
    assert updated.outcome == Outcome.UPDATED and updated.case.pk == first.case.pk
    assert Case.objects.count() == 1
    event = CaseEvent.objects.get(case=first.case, action="order_updated")
    assert event.payload["changes"]["description"]["new"] == "补充：烧烤店凌晨一点仍在排放油烟。"
    assert OrderRecord.objects.get().updates == 1


def test_a_repeat_nearby_is_suggested_as_duplicate(org):
    take_in_order(order=order(), via="file")
    second = take_in_order(order=order(external_id="2026050400007", received_at=dt.datetime(
        2026, 5, 4, 22, 0, tzinfo=BEIJING), longitude=116.3165, latitude=39.9836), via="file")
    suggestion = DuplicateSuggestion.objects.get(case=second.case)
    assert suggestion.score >= 0.6 and suggestion.reasons["same_phone"] is True
    assert suggestion.reasons["distance_m"] < 50


def test_an_unplaceable_address_is_flagged_not_guessed(org):
    result = take_in_order(order=order(address="某小区门口", street_name="", longitude=None, latitude=None),
                           via="file")
    assert result.case.street is None and "unplaced" in result.case.tags


def test_auto_dispatch_above_the_bureaus_threshold(org, settings):
    RoutingRule.objects.create(category="air", unit=org.squad)
    settings.AUTO_DISPATCH_CONFIDENCE = 0.5
    case = take_in_order(order=order(), via="file").case
    case.refresh_from_db()
    assert case.status == "dispatched" and case.handling_unit == org.squad
    event = case.events.get(action="dispatch")
    assert event.actor is None and event.payload["auto"] is True and "分派规则" in event.payload["reason"]
    assert TriageSuggestion.objects.get(case=case).status == "accepted"


def test_no_auto_dispatch_below_the_threshold_or_when_off(org, settings):
    RoutingRule.objects.create(category="air", unit=org.squad)
    settings.AUTO_DISPATCH_CONFIDENCE = 0.99
    assert take_in_order(order=order(), via="file").case.status == "new"
    settings.AUTO_DISPATCH_CONFIDENCE = float("nan")
    assert take_in_order(order=order(external_id="2026050300002"), via="file").case.status == "new"


# --- batches: the same as one by one -----------------------------------------------------------------------


def _repeat_orders() -> list[OrderInput]:
    """Six orders about one barbecue shop (two at each minute, about 22 m apart), one far away from the same
    phone as the last, which has no place at all."""
    at = dt.datetime(2026, 5, 3, 23, 5, tzinfo=BEIJING)
    orders = [order(external_id=f"B{n}", received_at=at + dt.timedelta(minutes=10 * (n // 2)),
                    complainant_phone=f"1381234{n:04d}", latitude=39.9834 + 0.0002 * n) for n in range(6)]
    orders.append(order(external_id="B-far", longitude=116.2, latitude=40.05, address="北京市海淀区上庄镇",
                        street_name="", complainant_phone="13900000000"))
    orders.append(order(external_id="B-none", longitude=None, latitude=None, address="某地", street_name="",
                        complainant_phone="13900000000"))
    return orders


@pytest.mark.parametrize("mode", ["one by one", "in one batch"])
def test_duplicates_and_repeats_are_the_same_one_by_one_or_in_a_batch(org, mode):
    from ecohotline.intake.services import take_in_orders

    orders = _repeat_orders()
    if mode == "one by one":
        cases = [take_in_order(order=o, via="file").case for o in orders]
    else:
        cases = [result.case for result in take_in_orders(orders=orders, via="file")]
    triaged = [CaseEvent.objects.get(case=case, action="triaged").payload for case in cases]
    assert [t["repeat_count_90d"] for t in triaged] == [1, 2, 3, 4, 5, 6, 1, 1]
    assert ["repeated" in case.tags for case in cases] == [False, False, True, True, True, True, False, False]
    suggested = [sorted(DuplicateSuggestion.objects.filter(case=case).values_list("candidate__external_id",
                                                                                  flat=True)) for case in cases]
    assert suggested == [[], ["B0"], ["B0", "B1"], ["B0", "B1", "B2"], ["B1", "B2", "B3"], ["B2", "B3", "B4"],
                         [], ["B-far"]]
    assert DuplicateSuggestion.objects.get(case=cases[7]).reasons["same_phone"] is True


def test_an_order_number_twice_in_one_batch_is_a_supplement_of_the_first(org):
    from ecohotline.intake.services import take_in_orders

    first, again = order(), order(description="补充：油烟仍然很大。")
    results = take_in_orders(orders=[first, again], via="push")
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.UPDATED]
    assert results[0].case.pk == results[1].case.pk and Case.objects.count() == 1


def test_only_dispatchers_take_orders_in_even_known_ones(org):
    from ecohotline.cases.exceptions import ActionForbidden

    take_in_order(order=order(), via="manual", actor=org.dispatcher)
    with pytest.raises(ActionForbidden):
        take_in_order(order=order(description="补充"), via="manual", actor=org.handler)
    assert not CaseEvent.objects.filter(action="order_updated").exists()


@pytest.mark.parametrize(("given", "code"), [({"street_id": -1}, "invalid_street"),
                                             ({"sub_category": "noise"}, "invalid_category"),
                                             ({"sub_category": "noise.nonsense"}, "invalid_category")])
def test_a_given_street_or_sub_category_must_exist(org, given, code):
    from ecohotline.cases.exceptions import RuleViolation

    with pytest.raises(RuleViolation) as caught:
        take_in_order(order=order(**given), via="manual", actor=org.dispatcher)
    assert caught.value.code == code and not Case.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_order_registered_meanwhile_by_another_request_is_taken_again(org, monkeypatch):
    """PostgreSQL: two first deliveries of one order at once; the loser's insert fails, and it tries again
    (where the order is now known)."""
    from django.db import IntegrityError

    from ecohotline.intake import services

    real = services._take_in_orders
    calls = []

    def racing(orders, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(orders, **kwargs)

    monkeypatch.setattr(services, "_take_in_orders", racing)
    result = services.take_in_order(order=order(), via="push")
    assert len(calls) == 2 and result.outcome == Outcome.CREATED and Case.objects.count() == 1
