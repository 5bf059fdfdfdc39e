"""The reply-drafting partials of the case page: who gets them, what they return, and that hostile text from
the case, a template or the posted reply is escaped."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ecohotline.cases import services
from ecohotline.cases.models import Case, ReplyTemplate
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def case(org: Any) -> Case:
    """A social-noise order in progress with the handler, inspected and the complainant reached."""
    case = make_case(street=org.street, complainant_name="张三丰", complainant_phone="13812345678",
                     title="酒吧噪声扰民", address="中关村大街1号", sub_category="noise.social", category="noise")
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    services.accept_case(actor=org.handler, case=case)
    services.record_inspection(actor=org.handler, case=case, findings="酒吧室外音箱音量较大")
    services.record_contact(actor=org.handler, case=case, reached=True)
    case.refresh_from_db()
    return case


def draft_url(case: Case, **query: Any) -> str:
    url = reverse("ui:reply-draft", args=[case.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def check_url(case: Case) -> str:
    return reverse("ui:reply-check", args=[case.pk])


def textarea(html: str) -> str:
    match = re.search(r'<textarea id="reply-text" name="text"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, html
    return match.group(1)


# --- who gets them ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["handler", "unit_head"])
def test_the_handling_unit_gets_both_partials(client, org, case, who):
    client.force_login(getattr(org, who))
    assert client.get(draft_url(case)).status_code == 200
    assert client.post(check_url(case), {"text": "x"}).status_code == 200


@pytest.mark.parametrize("who", ["dispatcher", "leader", "analyst", "street_liaison", "admin", "other_handler",
                                 "other_unit_head"])
def test_everybody_else_is_refused(client, org, case, who):
    client.force_login(getattr(org, who))
    assert client.get(draft_url(case)).status_code == 403
    assert client.post(check_url(case), {"text": "x"}).status_code == 403


def test_not_before_the_case_is_accepted(client, org):
    dispatched = make_case(street=org.street, sub_category="noise.social", category="noise")
    services.dispatch_case(actor=org.dispatcher, case=dispatched, unit=org.squad, handler=org.handler)
    client.force_login(org.handler)
    assert client.get(draft_url(dispatched)).status_code == 403
    assert client.post(check_url(dispatched), {"text": "x"}).status_code == 403


def test_signed_out_is_sent_to_log_in_and_an_unknown_case_is_not_found(client, org, case):
    response = client.get(draft_url(case))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(org.handler)
    assert client.get(reverse("ui:reply-draft", args=[case.pk + 999])).status_code == 404


def test_the_check_only_answers_posts(client, org, case):
    client.force_login(org.handler)
    assert client.get(check_url(case)).status_code == 405
    assert client.post(draft_url(case)).status_code == 405


# --- the draft --------------------------------------------------------------------------------------------


def test_the_draft_is_a_partial_with_the_most_specific_template_rendered(client, org, case):
    client.force_login(org.handler)
    html = client.get(draft_url(case)).content.decode()
    assert "<html" not in html and "<form" not in html  # it goes inside the case page's own form
    assert 'id="reply-draft"' in html
    text = textarea(html)
    assert "社会生活噪声扰民的问题" in text and "酒吧室外音箱音量较大。" in text
    assert "【待填写：联系电话】" in text and "张三丰" not in html and "13812345678" not in html
    chosen = ReplyTemplate.objects.get(name="社会生活噪声扰民")
    assert f'<option value="{chosen.pk}" selected>' in html
    assert "data-reply-gaps" in html and "data-reply-unknown" not in html
    assert reverse("ui:reply-check", args=[case.pk]) in html


def test_another_fitting_template_can_be_chosen_but_not_one_for_another_category(client, org, case):
    client.force_login(org.handler)
    generic = ReplyTemplate.objects.get(name="通用答复")
    text = textarea(client.get(draft_url(case, template=generic.pk)).content.decode())
    assert "“酒吧噪声扰民”问题" in text
    fumes = ReplyTemplate.objects.get(name="餐饮油烟扰民")
    assert client.get(draft_url(case, template=fumes.pk)).status_code == 404
    assert client.get(draft_url(case, template="abc")).status_code == 404


def test_no_fitting_template_gives_an_empty_textarea(client, org, case):
    ReplyTemplate.objects.all().delete()
    client.force_login(org.handler)
    html = client.get(draft_url(case)).content.decode()
    assert textarea(html) == "" and "<select" not in html


def test_unknown_placeholders_are_shown(client, org, case):
    ReplyTemplate.objects.create(name="typo", category="noise.social", text="{核查情形}{地址}")
    client.force_login(org.handler)
    html = client.get(draft_url(case)).content.decode()
    assert textarea(html) == "{核查情形}中关村大街1号"
    assert "data-reply-unknown" in html and "{核查情形}" in html.split("data-reply-unknown")[1]


def test_the_check_button_can_post_through_csrf(org, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.handler)
    html = client.get(draft_url(case)).content.decode()
    headers = json.loads(re.search(r"hx-headers='([^']*)'", html).group(1))
    assert client.post(check_url(case), {"text": "x"}).status_code == 403
    response = client.post(check_url(case), {"text": "x"}, HTTP_X_CSRFTOKEN=headers["X-CSRFToken"])
    assert response.status_code == 200


# --- the check --------------------------------------------------------------------------------------------


def warning_codes(html: str) -> list[str]:
    return re.findall(r'data-code="([a-z_]+)"', html)


def test_the_check_lists_the_warnings(client, org, case):
    client.force_login(org.handler)
    html = client.post(check_url(case), {"text": "您好！【待填写：核查情况】"}).content.decode()
    assert "<html" not in html
    assert warning_codes(html) == ["no_findings", "no_measures", "no_result", "no_contact_details", "gaps_left"]


def test_a_good_reply_passes_and_an_empty_one_is_asked_for(client, org, case):
    client.force_login(org.handler)
    good = "经现场核查，情况属实。我局已责令其整改，经复查已整改到位。联系电话：62345678。"
    html = client.post(check_url(case), {"text": good}).content.decode()
    assert warning_codes(html) == [] and "text-success" in html
    html = client.post(check_url(case), {"text": "  "}).content.decode()
    assert warning_codes(html) == [] and "text-success" not in html


def test_the_check_speaks_the_users_language(client, org, case):
    client.force_login(org.handler)
    html = client.post(check_url(case) + "?lang=en", {"text": "x"}).content.decode()
    assert "The reply does not say what was found" in html


def test_an_overlong_reply_is_refused(client, org, case):
    client.force_login(org.handler)
    assert client.post(check_url(case), {"text": "字" * 20_001}).status_code == 413


# --- escaping ---------------------------------------------------------------------------------------------


def test_hostile_text_from_the_case_and_the_template_is_escaped_in_the_draft(client, org, case):
    services.record_inspection(actor=org.handler, case=case, findings=HOSTILE)
    ReplyTemplate.objects.create(name=HOSTILE, category="noise.social", text="{核查情况}</textarea>{<b>x</b>}",
                                 sort_order=0)
    client.force_login(org.handler)
    html = client.get(draft_url(case)).content.decode()
    assert "<script>" not in html and "<b>" not in html and html.count("</textarea>") == 1
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in textarea(html)
    assert "&lt;/textarea&gt;" in textarea(html)


def test_hostile_posted_text_is_escaped_in_the_check(client, org, case):
    client.force_login(org.handler)
    html = client.post(check_url(case), {"text": "{<img/onerror=x>}【待填写：<script>】"}
                       ).content.decode()
    assert "<img" not in html and "<script>" not in html
    assert "{&lt;img/onerror=x&gt;}" in html and "【待填写：&lt;script&gt;】" in html
