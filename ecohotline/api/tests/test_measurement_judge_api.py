"""The measurement verdict as a dry run: the standard's verdict for typed values, with the desk form's access
(who may record a measurement on the case now), and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from ecohotline.api.tests.test_cases_api import client_for, squad_case
from ecohotline.cases.models import Case, CaseEvent, CaseStatus, Measurement

pytestmark = pytest.mark.django_db


def judge(user: Any, case: Case, body: dict[str, Any]) -> Any:
    return client_for(user).post(f"/api/v1/cases/{case.pk}/measurements/judge", body, format="json")


@pytest.fixture
def case(org: Any) -> Case:
    return squad_case(org, handler=org.handler)


def test_the_handler_has_values_judged_and_nothing_is_written(org: Any, case: Case) -> None:
    events = CaseEvent.objects.filter(case=case).count()
    version = Case.objects.get(pk=case.pk).version
    exceeds = judge(org.handler, case, {"kind": "catering_fumes", "values": {"fumes_mg_m3": "2.6"},
                                        "measured_at": "2026-05-04T12:00:00+08:00"})
    assert exceeds.status_code == 200, exceeds.content
    body = exceeds.json()
    assert body["values"] == {"fumes_mg_m3": 2.6} and body["outcome"] == "exceeds" and body["words"]
    within = judge(org.handler, case, {"kind": "catering_fumes", "values": {"fumes_mg_m3": 0.5}})
    assert within.json()["outcome"] == "compliant"
    assert not Measurement.objects.exists()
    assert CaseEvent.objects.filter(case=case).count() == events
    assert Case.objects.get(pk=case.pk).version == version


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"kind": "catering_fumes", "values": {}}, "invalid_measurement", "values.fumes_mg_m3"),
    ({"kind": "catering_fumes", "values": {"fumes_mg_m3": "much"}}, "invalid_measurement", "values.fumes_mg_m3"),
    ({"kind": "catering_fumes", "values": {"colour": 3}}, "invalid_measurement", "values.colour"),
    ({"kind": "smell-o-meter", "values": {"x": 1}}, "invalid_measurement", "kind"),
    ({"values": {"fumes_mg_m3": 1}}, "invalid", "kind"),
    ({"kind": "catering_fumes", "values": [1]}, "invalid", "values"),
])
def test_values_that_cannot_be_judged_are_a_400_naming_the_value(org: Any, case: Case, body: dict[str, Any],
                                                                 code: str, field: str) -> None:
    response = judge(org.handler, case, body)
    assert response.status_code == 400
    assert response.json()["code"] == code and field in response.json()["errors"], response.json()
    assert not Measurement.objects.exists()


def test_who_may_not_record_a_measurement_gets_403_and_a_stranger_404(org: Any, case: Case) -> None:
    body = {"kind": "catering_fumes", "values": {"fumes_mg_m3": 1}}
    assert judge(org.analyst, case, body).status_code == 403  # sees the case, may not measure
    assert judge(org.other_handler, case, body).status_code == 404
    closed = squad_case(org, status=CaseStatus.CLOSED, handler=org.handler)
    assert judge(org.handler, closed, body).status_code in (403, 409)
