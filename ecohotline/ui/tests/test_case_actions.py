"""The case page's action forms: each posts to the same services as the API, with errors by the fields."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ecohotline.cases import services
from ecohotline.cases.models import Case, CaseEvent, CaseStatus, JointHandling, Measurement
from ecohotline.factories import force_status, make_case

pytestmark = pytest.mark.django_db


def act(client, case, name, data):
    return client.post(reverse("ui:case-action", args=[case.pk, name]), data)


@pytest.fixture
def new_case(org):
    return make_case(street=org.street, title="餐馆油烟扰民", complainant_phone="13812345678")


@pytest.fixture
def working_case(org, new_case):
    services.dispatch_case(actor=org.dispatcher, case=new_case, unit=org.squad)
    services.accept_case(actor=org.handler, case=new_case)
    new_case.refresh_from_db()
    return new_case


def test_a_dispatcher_dispatches_through_the_form(client, org, new_case):
    # Given a dispatcher on the page of a new case
    client.force_login(org.dispatcher)
    page = client.get(reverse("ui:case-detail", args=[new_case.pk])).content.decode()
    assert 'id="action-dispatch"' in page and f'action="/cases/{new_case.pk}/actions/dispatch/"' in page
    # When they send the dispatch form
    response = act(client, new_case, "dispatch", {"version": new_case.version, "unit": org.squad.pk,
                                                  "handler": org.handler.pk, "leader": "", "note": "请尽快核查"})
    # Then the case is dispatched, the timeline says so and the page confirms it
    assert response.status_code == 302 and response.url == reverse("ui:case-detail", args=[new_case.pk])
    new_case.refresh_from_db()
    assert new_case.status == CaseStatus.DISPATCHED and new_case.handling_unit == org.squad
    assert new_case.handler == org.handler
    event = CaseEvent.objects.get(case=new_case, action="dispatch")
    assert event.actor == org.dispatcher and event.payload["note"] == "请尽快核查"
    page = client.get(response.url).content.decode()
    assert "请尽快核查" in page and 'role="alert"' in page


def test_a_handler_accepts(client, org, new_case):
    services.dispatch_case(actor=org.dispatcher, case=new_case, unit=org.squad)
    new_case.refresh_from_db()
    client.force_login(org.handler)
    response = act(client, new_case, "accept", {"version": new_case.version, "note": ""})
    assert response.status_code == 302
    new_case.refresh_from_db()
    assert new_case.status == CaseStatus.IN_PROGRESS and new_case.handler == org.handler


def test_a_handler_gets_no_dispatch_form_and_403_on_posting_it(client, org, new_case):
    # Given an order the handler's unit returned (the dispatcher's to send on again)
    services.dispatch_case(actor=org.dispatcher, case=new_case, unit=org.squad)
    services.return_order(actor=org.handler, case=new_case, reason="不属于本单位")
    new_case.refresh_from_db()
    client.force_login(org.handler)
    response = client.get(reverse("ui:case-detail", args=[new_case.pk]))
    assert response.status_code == 200
    assert "dispatch" not in [form.action for form in response.context["action_forms"]]
    assert 'id="action-dispatch"' not in response.content.decode()
    # When they post the dispatch form anyway: refused, nothing changes
    response = act(client, new_case, "dispatch", {"version": new_case.version, "unit": org.squad.pk})
    assert response.status_code == 403
    new_case.refresh_from_db()
    assert new_case.status == CaseStatus.RETURNED


def test_a_missing_field_shows_its_error_and_keeps_the_input(client, org, new_case):
    client.force_login(org.dispatcher)
    response = act(client, new_case, "dispatch", {"version": new_case.version, "unit": "", "note": "夜间<重点>核查"})
    assert response.status_code == 400
    text = response.content.decode()
    form = next(form for form in response.context["action_forms"] if form.action == "dispatch")
    assert form.open
    unit = next(field for field in form.fields if field.name == "unit")
    assert unit.errors
    assert 'id="action-dispatch-unit-error"' in text and 'aria-invalid="true"' in text
    assert "夜间&lt;重点&gt;核查" in text  # what was typed, kept (and escaped)
    assert '<details class="border rounded mb-2 action-panel" id="action-dispatch" open>' in text
    new_case.refresh_from_db()
    assert new_case.status == CaseStatus.NEW


def test_a_service_rule_lands_on_its_field(client, org, new_case):
    # A street is not a handling unit: the service's RuleViolation(field="unit") shows by the unit field.
    client.force_login(org.dispatcher)
    response = act(client, new_case, "dispatch", {"version": new_case.version, "unit": org.street.pk})
    assert response.status_code == 400
    form = next(form for form in response.context["action_forms"] if form.action == "dispatch")
    assert next(field for field in form.fields if field.name == "unit").errors
    assert next(field for field in form.fields if field.name == "unit").value == str(org.street.pk)


def test_measurement_values_may_be_posted_as_a_json_object(client, org, working_case):
    # The desk's form sends values.<key> inputs (test_measurement_form); a script may post the API's object.
    client.force_login(org.handler)
    response = act(client, working_case, "record_measurement",
                   {"version": working_case.version, "kind": "noise", "values": "很吵"})
    assert response.status_code == 400
    form = next(form for form in response.context["action_forms"] if form.action == "record_measurement")
    assert len(form.errors) == 1 and "JSON" in form.errors[0]
    response = act(client, working_case, "record_measurement",
                   {"version": working_case.version, "kind": "noise",
                    "values": '{"standard": "GB22337", "zone": "2", "leq_db": 61.5}',
                    "measured_at": "2026-11-20T22:30"})
    assert response.status_code == 302
    measurement = Measurement.objects.get(case=working_case)
    assert measurement.values == {"standard": "GB22337", "zone": "2", "leq_db": 61.5}
    assert measurement.measured_at.isoformat().startswith("2026-11-20T14:30")  # 22:30 Beijing time in UTC
    assert measurement.verdict["period"] == "night" and measurement.verdict["verdict"] == "exceeds"


def test_a_stale_version_asks_to_reload(client, org, working_case):
    client.force_login(org.handler)
    old = working_case.version
    services.add_note(actor=org.unit_head, case=working_case, text="先到的备注")
    response = act(client, working_case, "add_note", {"version": old, "text": "我的备注"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "案件已被他人修改" in text and "重新加载案件" in text
    assert "我的备注" in text
    assert f'href="{reverse("ui:case-detail", args=[working_case.pk])}"' in text
    assert not CaseEvent.objects.filter(case=working_case, payload__text="我的备注").exists()
    # The page now carries the current version: sending again works.
    form = next(form for form in response.context["action_forms"] if form.action == "add_note")
    assert form.version == working_case.version + 1
    assert act(client, working_case, "add_note", {"version": form.version, "text": "我的备注"}).status_code == 302


def test_hostile_text_is_stored_as_typed_and_shown_escaped(client, org, working_case):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.force_login(org.handler)
    assert act(client, working_case, "add_note", {"version": working_case.version, "text": hostile}).status_code == 302
    assert CaseEvent.objects.get(case=working_case, action="add_note").payload["text"] == hostile
    text = client.get(reverse("ui:case-detail", args=[working_case.pk])).content.decode()
    assert hostile not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


def test_calling_units_in_and_an_interim_reply(client, org, working_case):
    client.force_login(org.handler)
    response = act(client, working_case, "call_joint_handling",
                   {"version": working_case.version, "units": [org.street.pk, org.department.pk], "reason": "需协同"})
    assert response.status_code == 302
    joint = JointHandling.objects.get(case=working_case)
    assert set(joint.units.values_list("pk", flat=True)) == {org.street.pk, org.department.pk}
    working_case.refresh_from_db()
    # "final" unticked (not sent): an interim reply keeps the case in progress
    response = act(client, working_case, "reply", {"version": working_case.version, "text": "已到现场核查"})
    assert response.status_code == 302
    working_case.refresh_from_db()
    assert working_case.status == CaseStatus.IN_PROGRESS and working_case.replied_at is not None


def test_a_dispatcher_merges_by_reference(client, org, new_case):
    target = make_case(street=org.street, external_id="2026112200001", title="同一餐馆")
    client.force_login(org.dispatcher)
    response = act(client, new_case, "merge_into", {"version": new_case.version, "into": "nope"})
    assert response.status_code == 400
    response = act(client, new_case, "merge_into", {"version": new_case.version, "into": "2026112200001"})
    assert response.status_code == 302
    new_case.refresh_from_db()
    assert new_case.status == CaseStatus.MERGED and new_case.parent_id == target.pk


def test_an_action_not_allowed_in_the_status_is_refused_with_a_message(client, org, new_case):
    force_status(new_case, CaseStatus.CLOSED)
    client.force_login(org.dispatcher)
    response = act(client, new_case, "dispatch", {"version": new_case.version, "unit": org.squad.pk})
    assert response.status_code == 302
    assert Case.objects.get(pk=new_case.pk).status == CaseStatus.CLOSED


def test_unknown_action_and_get_are_refused(client, org, new_case):
    client.force_login(org.dispatcher)
    assert act(client, new_case, "explode", {}).status_code == 404
    assert client.get(reverse("ui:case-action", args=[new_case.pk, "dispatch"])).status_code == 405


@pytest.fixture
def eco_case(org):
    """A 12369 case in progress: its policy allows up to 30 days' extension."""
    case = make_case(channel="eco_12369", street=org.street, title="工厂异味")
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, leader=org.leader)
    services.accept_case(actor=org.handler, case=case)
    case.refresh_from_db()
    assert case.policy is not None and case.policy.max_extension_days == 30
    return case


def test_extension_request_and_decision(client, org, eco_case):
    client.force_login(org.handler)
    response = act(client, eco_case, "request_extension", {"version": eco_case.version, "days": "45", "reason": "等"})
    assert response.status_code == 400  # the policy's limit (a RuleViolation on "days")
    form = next(form for form in response.context["action_forms"] if form.action == "request_extension")
    assert next(field for field in form.fields if field.name == "days").errors
    response = act(client, eco_case, "request_extension", {"version": eco_case.version, "days": "5",
                                                            "reason": "等待检测报告"})
    assert response.status_code == 302
    eco_case.refresh_from_db()
    due = eco_case.due_at
    client.force_login(org.leader)
    response = client.get(reverse("ui:case-detail", args=[eco_case.pk]))
    decide = next(form for form in response.context["action_forms"] if form.action == "decide_extension")
    extension = next(field for field in decide.fields if field.name == "extension")
    assert extension.value == extension.choices[0][0]  # the one request waiting, chosen already
    # No decision chosen: asked for, nothing decided
    response = act(client, eco_case, "decide_extension", {"version": eco_case.version,
                                                           "extension": extension.value, "approve": ""})
    assert response.status_code == 400
    response = act(client, eco_case, "decide_extension", {"version": eco_case.version,
                                                           "extension": extension.value, "approve": "true"})
    assert response.status_code == 302
    eco_case.refresh_from_db()
    assert eco_case.due_at > due


def test_joint_reply_by_a_street_liaison(client, org, working_case):
    joint = services.call_joint_handling(actor=org.handler, case=working_case, units=[org.street], reason="需街道协同")
    working_case.refresh_from_db()
    client.force_login(org.street_liaison)
    response = client.get(reverse("ui:case-detail", args=[working_case.pk]))
    form = next(form for form in response.context["action_forms"] if form.action == "record_joint_reply")
    unit = next(field for field in form.fields if field.name == "unit")
    assert [value for value, _label in unit.choices] == [str(org.street.pk)]
    response = act(client, working_case, "record_joint_reply", {"version": working_case.version, "joint": joint.pk,
                                                                "unit": org.street.pk, "text": "街道已到场"})
    assert response.status_code == 302
    assert joint.replies.get().text == "街道已到场"


def test_reply_then_return_visit_closes(client, org, working_case):
    client.force_login(org.handler)
    response = act(client, working_case, "reply", {"version": working_case.version, "text": "已责令整改",
                                                   "final": "true"})
    assert response.status_code == 302
    working_case.refresh_from_db()
    assert working_case.status == CaseStatus.REPLIED
    client.force_login(org.dispatcher)
    response = act(client, working_case, "record_return_visit",
                   {"version": working_case.version, "contacted": "true", "solved": "true",
                    "satisfaction": "satisfied", "source": "hotline", "valid": "true", "note": ""})
    assert response.status_code == 302
    working_case.refresh_from_db()
    assert working_case.status == CaseStatus.CLOSED


def test_set_category_from_the_list(client, org, new_case):
    client.force_login(org.dispatcher)
    response = act(client, new_case, "set_category", {"version": new_case.version, "sub_category": "noise.social"})
    assert response.status_code == 302
    new_case.refresh_from_db()
    assert new_case.sub_category == "noise.social" and new_case.category_confirmed
