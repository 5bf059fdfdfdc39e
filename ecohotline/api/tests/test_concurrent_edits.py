"""No lost updates: many people acting on one case at the same moment, through the API, each on their own database
connection (PostgreSQL, where requests really run at once).

With the version they saw, exactly one wins and every other gets 409 `stale_version` with the current version; without
one, the actions queue on the case's row lock and every one of them is kept."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from ecohotline.cases.models import Case, CaseEvent, CaseStatus, ContactAttempt
from ecohotline.factories import force_status, make_case

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]
PEOPLE = 24


def _at_once(count: int, work: Any) -> list[Any]:
    """Run `work(index)` in `count` threads released together; their results in index order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _case(org: Any) -> Case:
    return force_status(make_case(street=org.street), CaseStatus.IN_PROGRESS, handling_unit=org.squad)


def _post(user: Any, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    client = APIClient()
    client.force_authenticate(user=user)
    response = client.post(path, body, format="json")
    return response.status_code, response.json()


def test_one_of_many_conflicting_edits_wins_and_the_others_get_409(org: Any) -> None:
    case = _case(org)
    seen = case.version
    people = [org.handler, org.unit_head, org.dispatcher, org.leader] * (PEOPLE // 4)
    results = _at_once(PEOPLE, lambda i: _post(people[i], f"/api/v1/cases/{case.pk}/actions/add_note",
                                               {"text": f"第{i}条意见", "version": seen}))
    outcomes = Counter(status for status, _body in results)
    assert outcomes == {200: 1, 409: PEOPLE - 1}
    refused = [body for status, body in results if status == 409]
    assert {body["code"] for body in refused} == {"stale_version"}
    assert {body["current_version"] for body in refused} == {seen + 1}
    case.refresh_from_db()
    assert case.version == seen + 1
    assert CaseEvent.objects.filter(case=case, action="add_note").count() == 1


def test_edits_without_a_version_queue_and_none_is_lost(org: Any) -> None:
    case = _case(org)
    seen = case.version
    results = _at_once(PEOPLE, lambda i: _post(org.handler, f"/api/v1/cases/{case.pk}/actions/record_contact",
                                               {"reached": i % 2 == 0, "summary": f"第{i}次联系"}))
    assert [status for status, _body in results] == [200] * PEOPLE
    case.refresh_from_db()
    assert case.version == seen + PEOPLE
    assert ContactAttempt.objects.filter(case=case).count() == PEOPLE
    assert sorted(ContactAttempt.objects.filter(case=case).values_list("summary", flat=True)) == sorted(
        f"第{i}次联系" for i in range(PEOPLE))
    assert case.first_contact_at is not None
