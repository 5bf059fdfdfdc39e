"""逢诉必测 on the desk: the measurement form asks for the values of its kind, shows the standard's verdict as
they are typed, and records the measurement with that verdict through the same service as the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ecohotline.cases import services
from ecohotline.cases.exceptions import RuleViolation
from ecohotline.cases.models import Measurement
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))
NIGHT = dt.datetime(2026, 11, 21, 23, 0, tzinfo=BEIJING)


@pytest.fixture
def case(org):
    case = make_case(street=org.street, title="酒吧夜间噪声扰民", sub_category="noise.social", category="noise")
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    services.accept_case(actor=org.handler, case=case)
    case.refresh_from_db()
    return case


# --- the service ---------------------------------------------------------------------------------------------


def test_the_service_stores_the_standards_verdict(org, case):
    measurement = services.record_measurement(
        actor=org.handler, case=case, kind="noise", measured_at=NIGHT,
        values={"standard": "GB22337", "zone": "2", "leq_db": "52.3", "background_db": 41, "point": "窗外1米"})
    assert measurement.values == {"standard": "GB22337", "zone": "2", "leq_db": 52.3, "background_db": 41.0,
                                  "point": "窗外1米"}
    verdict = measurement.verdict
    assert (verdict["standard"], verdict["period"], verdict["limit"], verdict["verdict"]) == (
        "GB 22337-2008", "night", 50, "exceeds")
    assert verdict["exceedance"] == 2.3


@pytest.mark.parametrize(("kind", "values", "field"), [
    ("noise", {"standard": "GB22337", "zone": "2"}, "values.leq_db"),             # required value missing
    ("noise", {"standard": "GB22337", "zone": "2", "leq_db": "很吵"}, "values.leq_db"),  # not a number
    ("noise", {"standard": "GB22337", "zone": "9", "leq_db": 50}, "values.zone"),  # not a zone class
    ("noise", {"standard": "GB22337", "zone": "2", "leq_db": 50, "background_db": 60}, "values.background_db"),
    ("noise", {"standard": "GB22337", "zone": "2", "leq_db": 50, "decibels": 3}, "values.decibels"),
    ("noise", {"standard": "GB22337", "zone": "2", "leq_db": 250}, "values.leq_db"),  # impossible level
    ("catering_fumes", {"fumes_mg_m3": -1}, "values.fumes_mg_m3"),
    ("sound", {"leq_db": 50}, "kind"),
])
def test_values_a_standard_cannot_judge_are_refused_naming_the_value(org, case, kind, values, field):
    with pytest.raises(RuleViolation) as raised:
        services.record_measurement(actor=org.handler, case=case, kind=kind, values=values, measured_at=NIGHT)
    assert raised.value.code == "invalid_measurement" and raised.value.extra["field"] == field
    assert not Measurement.objects.exists()


def test_kinds_without_a_standard_function_are_recorded_without_a_verdict(org, case):
    measurement = services.record_measurement(actor=org.handler, case=case, kind="odor",
                                              values={"odor_concentration": 35}, measured_at=NIGHT)
    assert measurement.verdict == {} and measurement.values == {"odor_concentration": 35.0}


def test_the_api_records_a_measurement_and_explains_a_refusal(org, case):
    api = APIClient()
    api.force_authenticate(org.handler)
    url = f"/api/v1/cases/{case.pk}/actions/record_measurement"
    response = api.post(url, {"kind": "catering_fumes", "values": {"fumes_mg_m3": 1.3, "pm_mg_m3": 2.0},
                              "measured_at": NIGHT.isoformat()}, format="json")
    assert response.status_code == 200, response.content
    assert Measurement.objects.get().verdict["verdict"] == "exceeds"
    refused = api.post(url, {"kind": "noise", "values": {"standard": "GB3096", "leq_db": 50}}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_measurement" and list(refused.json()["errors"]) == ["values.zone"]


# --- the form ---------------------------------------------------------------------------------------------------


def test_the_form_starts_with_the_kind_of_the_case_and_its_values(client, org, case):
    client.force_login(org.handler)
    html = client.get(reverse("ui:case-detail", args=[case.pk])).content.decode()
    assert 'id="measurement-kind"' in html and '<option value="noise" selected>' in html
    for name in ("values.standard", "values.zone", "values.leq_db", "values.background_db"):
        assert f'name="{name}"' in html, name
    assert f'hx-post="{reverse("ui:measurement-verdict", args=[case.pk])}"' in html
    # Choosing another kind or standard draws the values again.
    assert html.count(f'hx-get="{reverse("ui:measurement-fields", args=[case.pk])}"') == 2
    assert 'name="values"' not in html  # no JSON box to type into


def test_choosing_a_kind_or_a_standard_redraws_the_values(client, org, case):
    client.force_login(org.handler)
    url = reverse("ui:measurement-fields", args=[case.pk])
    fumes = client.get(url, {"kind": "catering_fumes"}).content.decode()
    assert 'name="values.fumes_mg_m3"' in fumes and 'name="values.leq_db"' not in fumes
    construction = client.get(url, {"kind": "noise", "values.standard": "GB12523", "values.leq_db": "66"})
    html = construction.content.decode()
    assert 'name="values.zone"' not in html  # GB 12523 has no zone classes
    assert 'name="values.leq_db"' in html and 'value="66"' in html  # what was typed is kept


@pytest.mark.parametrize(("posted", "expected"), [
    ({"values.standard": "GB22337", "values.zone": "2", "values.leq_db": "52.3"}, 'data-verdict="exceeds"'),
    ({"values.standard": "GB22337", "values.zone": "2", "values.leq_db": "45"}, 'data-verdict="compliant"'),
    ({"values.standard": "GB22337", "values.zone": "2", "values.leq_db": "52", "values.background_db": "50"},
     'data-verdict="remeasure"'),
    ({"values.standard": "GB22337", "values.zone": "2", "values.leq_db": "52", "values.background_db": "60"},
     'data-verdict="error"'),
    ({"values.standard": "GB22337", "values.zone": "2"}, 'data-verdict=""'),  # still typing: no complaint yet
])
def test_the_verdict_is_shown_as_the_values_are_typed(client, org, case, posted, expected):
    client.force_login(org.handler)
    response = client.post(reverse("ui:measurement-verdict", args=[case.pk]),
                           {"kind": "noise", "measured_at": "2026-11-21T23:00", **posted})
    assert response.status_code == 200 and expected in response.content.decode()


def test_the_verdict_names_the_standard_limit_and_excess_in_chinese(client, org, case):
    client.force_login(org.handler)
    html = client.post(reverse("ui:measurement-verdict", args=[case.pk]), {
        "kind": "noise", "measured_at": "2026-11-21T23:00", "values.standard": "GB22337", "values.zone": "2",
        "values.leq_db": "52.3"}).content.decode()
    assert "超标" in html and "2.3 dB(A)" in html and "GB 22337-2008" in html and "50 dB(A)" in html


def test_posting_the_form_records_the_measurement_with_its_verdict(client, org, case):
    client.force_login(org.handler)
    response = client.post(reverse("ui:case-action", args=[case.pk, "record_measurement"]), {
        "version": case.version, "kind": "noise", "measured_at": "2026-11-21T23:00",
        "values.standard": "GB22337", "values.zone": "2", "values.leq_db": "52.3", "values.background_db": "",
        "values.point": "敏感点窗外1米"})
    assert response.status_code == 302
    measurement = Measurement.objects.get(case=case)
    assert measurement.values == {"standard": "GB22337", "zone": "2", "leq_db": 52.3, "point": "敏感点窗外1米"}
    assert measurement.verdict["verdict"] == "exceeds"
    page = client.get(reverse("ui:case-detail", args=[case.pk])).content.decode()
    assert "超标" in page and "GB 22337-2008" in page


def test_a_refused_value_is_shown_by_its_field_with_the_input_kept(client, org, case):
    client.force_login(org.handler)
    response = client.post(reverse("ui:case-action", args=[case.pk, "record_measurement"]), {
        "version": case.version, "kind": "noise", "values.standard": "GB22337", "values.zone": "2",
        "values.leq_db": "52", "values.background_db": "61"})
    assert response.status_code == 400
    html = response.content.decode()
    field = html[html.index('id="measurement-background_db"'):]
    assert 'value="61"' in field[:400] and "invalid-feedback" in field[:1500]
    assert not Measurement.objects.exists()


def test_only_those_who_may_record_a_measurement_get_the_partials(client, org, case):
    client.force_login(org.dispatcher)
    assert client.post(reverse("ui:measurement-verdict", args=[case.pk]), {"kind": "noise"}).status_code == 403
    assert client.get(reverse("ui:measurement-fields", args=[case.pk])).status_code == 403
    client.force_login(org.other_handler)
    assert client.get(reverse("ui:measurement-fields", args=[case.pk])).status_code == 404
