"""The case page: triage's reasons, related cases, labelled forms, phone-width markup, bounded queries."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from ecohotline.cases import services
from ecohotline.factories import make_case
from ecohotline.intake.models import DuplicateSuggestion, Suggestion, TriageSuggestion

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
SPOT = {"latitude": 39.9833, "longitude": 116.3100}


def page(client, case, **params):
    return client.get(reverse("ui:case-detail", args=[case.pk]), params)


@pytest.fixture
def case(org):
    return make_case(street=org.street, title="餐馆油烟扰民", complainant_phone=PHONE,
                     sub_category="air.catering_fumes", category="air", **SPOT)


@pytest.fixture
def triaged(org, case):
    earlier = make_case(street=org.street, title="同一餐馆油烟", external_id="2026110100001")
    TriageSuggestion.objects.create(
        case=case, unit=org.squad, leader=org.leader, confidence=0.82, remit="keep", repeat_count_90d=4,
        reasons={
            "place": {"placed": True, "reason": "地址匹配：中关村大街", "street_name": "中关村街道",
                      "community": "海淀南路社区", "decided_by": "gazetteer"},
            "classify": {"code": "air.catering_fumes", "confidence": 0.91, "words": ["油烟", "餐馆"],
                         "reason": "关键词：油烟、餐馆", "source": "rules"},
            "remit": {"decision": "keep", "confidence": 0.9, "department": "", "reason": "属生态环境部门职责"},
            "hints": ["night"],
            "duplicates": [{"case": earlier.pk, "score": 0.74, "reasons": {"same_street": True}}],
            "repeat_count_90d": 4, "repeated": True,
            "route": {"unit": org.squad.pk, "unit_name": org.squad.name, "leader": org.leader.pk,
                      "confidence": 0.82, "reason": "分派规则：大气/中关村街道 → 执法一中队"},
        })
    return earlier


def test_the_triage_panel_shows_the_reasons(client, org, case, triaged):
    client.force_login(org.analyst)
    text = page(client, case).content.decode()
    for reason in ("地址匹配：中关村大街", "海淀南路社区", "关键词：油烟、餐馆", "属生态环境部门职责",
                   "分派规则：大气/中关村街道 → 执法一中队", "0.82", "0.91", "油烟"):
        assert reason in text
    assert 'id="triage"' in text and "text-bg-danger" in text  # the 重复投诉 flag
    assert f'href="/cases/{triaged.pk}/"' in text and triaged.reference in text


def test_the_dispatch_form_starts_with_the_suggested_unit_and_leader(client, org, case, triaged):
    client.force_login(org.dispatcher)
    response = page(client, case)
    dispatch = next(form for form in response.context["action_forms"] if form.action == "dispatch")
    values = {field.name: field.value for field in dispatch.fields}
    assert values["unit"] == str(org.squad.pk) and values["leader"] == str(org.leader.pk)
    assert f'<option value="{org.squad.pk}" selected>' in response.content.decode()


def test_related_cases_duplicates_both_ways_same_phone_same_place(client, org, case):
    suggested_by_us = make_case(street=org.street, title="候选重复件")
    suggesting_us = make_case(street=org.street, title="反向重复件")
    dismissed = make_case(street=org.street, title="已排除的重复件")
    DuplicateSuggestion.objects.create(case=case, candidate=suggested_by_us, score=0.8)
    DuplicateSuggestion.objects.create(case=suggesting_us, candidate=case, score=0.7)
    DuplicateSuggestion.objects.create(case=case, candidate=dismissed, score=0.9, status=Suggestion.DISMISSED)
    same_phone = make_case(street=org.other_street, title="同一来电", complainant_phone=PHONE)
    same_place = make_case(street=org.street, title="同一地点油烟", sub_category="air.catering_fumes", category="air",
                           **SPOT)
    long_ago = make_case(street=org.street, title="很久以前", complainant_phone=PHONE,
                         received_at=timezone.now() - dt.timedelta(days=200))
    client.force_login(org.dispatcher)
    response = page(client, case)
    related = response.context["related"]
    assert [c.pk for c in related.duplicates.cases] == sorted([suggested_by_us.pk, suggesting_us.pk], reverse=True)
    assert [c.pk for c in related.same_phone.cases] == [same_phone.pk]
    assert [c.pk for c in related.same_place.cases] == [same_place.pk]
    text = response.content.decode()
    assert 'id="related"' in text and "同一来电" in text and "同一地点油烟" in text
    assert "已排除的重复件" not in text and "很久以前" not in text and long_ago.reference not in text


def test_same_phone_is_not_shown_to_those_who_may_not_see_the_complainant(client, org, case):
    make_case(street=org.other_street, title="同一来电", complainant_phone=PHONE)
    client.force_login(org.analyst)
    response = page(client, case)
    assert not response.context["related"].same_phone
    assert "同一来电" not in response.content.decode()


def test_related_lists_are_capped(client, org, case):
    for _ in range(12):
        make_case(street=org.street, title="又一次来电", complainant_phone=PHONE)
    client.force_login(org.dispatcher)
    related = page(client, case).context["related"]
    assert len(related.same_phone.cases) == 10 and related.same_phone.more


class _Labels(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str | None] = []
        self.labels: set[str] = set()
        self.in_actions = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and (values.get("action") or "").find("/actions/") >= 0:
            self.in_actions = True
        if tag == "label" and values.get("for"):
            self.labels.add(values["for"] or "")
        if self.in_actions and tag in ("input", "select", "textarea") and values.get("type") != "hidden":
            self.controls.append(values.get("id"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_actions = False


@pytest.mark.parametrize("role", ["dispatcher", "handler"])
def test_every_action_field_has_a_label_and_the_page_fits_a_phone(client, org, case, role):
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    if role == "handler":
        services.accept_case(actor=org.handler, case=case)
    client.force_login(getattr(org, role))
    text = page(client, case).content.decode()
    parser = _Labels()
    parser.feed(text)
    assert parser.controls and all(control in parser.labels for control in parser.controls)
    # 375 px: the viewport is the device's, the columns stack (col-12 below lg), no fixed widths on the forms
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in text
    assert 'class="col-12 col-lg-7"' in text and 'class="col-12 col-lg-5"' in text
    assert "form-control-sm" in text and "style=\"width" not in text
    # the panels are <details>: open and shut by keyboard, without script
    assert "<details" in text and "<summary" in text


def test_query_count_does_not_grow_with_the_timeline_or_related_cases(client, org, case,
                                                                      django_assert_max_num_queries):
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    services.accept_case(actor=org.handler, case=case)
    client.force_login(org.handler)
    page(client, case)  # warm the caches (category names)
    with django_assert_max_num_queries(25) as few:
        assert page(client, case).status_code == 200
    for number in range(25):
        services.add_note(actor=org.handler, case=case, text=f"备注{number}")
        other = make_case(street=org.street, title=f"同一来电{number}", complainant_phone=PHONE,
                          sub_category="air.catering_fumes", category="air", **SPOT)
        services.dispatch_case(actor=org.dispatcher, case=other, unit=org.squad)
        DuplicateSuggestion.objects.create(case=case, candidate=other, score=0.7)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = page(client, case)
    assert "备注24" in response.content.decode()
    assert len(response.context["related"].same_phone.cases) == 10


def test_the_reply_form_starts_from_a_reply_template_when_opened(client, org, case):
    from ecohotline.factories import force_status

    force_status(case, "in_progress", handling_unit=org.squad, handler=org.handler)
    client.force_login(org.handler)
    html = page(client, case).content.decode()
    draft = reverse("ui:reply-draft", args=[case.pk])
    assert f'hx-get="{draft}"' in html and 'hx-trigger="toggle once from:closest details"' in html
    assert 'name="text"' in html  # without script, the plain reply field is there
    partial = client.get(draft).content.decode()
    assert 'name="text"' in partial and reverse("ui:reply-check", args=[case.pk]) in partial
