"""答复口径 and the check before sending: which template a case gets, how its placeholders are filled from the
case (gaps where data is missing, unknown placeholders left and reported), the warnings of `check_reply`, and
that the complainant's full name never appears in a draft."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecohotline.cases import services
from ecohotline.cases.models import Case, ReplyTemplate, RequestType
from ecohotline.cases.replies import check_reply, render_template, templates_for, unknown_placeholders
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
SEEDED = {"餐饮油烟扰民", "社会生活噪声扰民", "建筑施工夜间噪声扰民", "异味（恶臭）扰民", "通用答复"}


def beijing(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


def handled_case(org: Any, **fields: Any) -> Case:
    """A 12345 order in the handler's hands (in progress), received at 01:00 Beijing time on 2026-11-20."""
    fields.setdefault("sub_category", "noise.social")
    fields.setdefault("category", fields["sub_category"].split(".")[0])
    case = make_case(received_at=beijing(2026, 11, 20, 1, 0), street=org.street, complainant_name="张三丰",
                     complainant_phone="13812345678", address="海淀区中关村大街1号底商", title="酒吧夜间噪声扰民",
                     **fields)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    services.accept_case(actor=org.handler, case=case)
    case.refresh_from_db()
    return case


def fully_handled_case(org: Any) -> Case:
    """Inspected, measured (night noise over the limit), a rectification ordered, the complainant reached."""
    case = handled_case(org)
    inspection = services.record_inspection(actor=org.handler, case=case, at=beijing(2026, 11, 21, 22, 40),
                                            findings="现场核查时该酒吧正在营业，室外音箱音量较大")
    services.record_measurement(
        actor=org.handler, case=case, kind="noise", inspection=inspection, measured_at=beijing(2026, 11, 21, 22, 50),
        values={"standard": "GB22337", "zone": "2", "leq_db": 52.3, "background_db": 41.0, "point": "敏感点窗外1米"},
    )
    services.add_rectification(actor=org.handler, case=case, requirement="拆除室外音箱并调低室内音量",
                               deadline=dt.date(2026, 11, 25))
    services.record_contact(actor=org.handler, case=case, reached=True, summary="已电话联系诉求人")
    case.refresh_from_db()
    return case


GOOD_REPLY = (
    "张先生/女士：您好！经现场核查，您反映的情况属实。我局已责令该酒吧拆除室外音箱，经复查已整改到位。"
    "联系人：王明，联系电话：010-62345678。"
)


# --- the seeded templates ---------------------------------------------------------------------------------


def test_the_seeded_templates_are_there_and_use_only_known_placeholders():
    templates = ReplyTemplate.objects.filter(name__in=SEEDED)
    assert {t.name for t in templates} == SEEDED
    for template in templates:
        assert unknown_placeholders(template.text) == [], template.name
        for part in ("{核查情况}", "{整改措施}", "{办理结果}", "{联系人}", "{联系电话}", "{法律依据}", "{核查结论}"):
            assert part in template.text, (template.name, part)


# --- choosing a template ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("sub_category", "expected"), [
    ("air.catering_fumes", "餐饮油烟扰民"),
    ("noise.social", "社会生活噪声扰民"),
    ("noise.construction", "建筑施工夜间噪声扰民"),
    ("air.odor", "异味（恶臭）扰民"),
    ("water.discharge", "通用答复"),
    ("", "通用答复"),
])
def test_the_most_specific_seeded_template_comes_first(org, sub_category, expected):
    case = make_case(sub_category=sub_category, category=sub_category.split(".")[0] if sub_category else "")
    chosen = templates_for(case)
    assert chosen[0].name == expected
    assert chosen[-1].name == "通用答复"


def test_sub_category_then_category_then_any_and_never_another_category_or_an_inactive_one(org):
    ReplyTemplate.objects.all().delete()
    anything = ReplyTemplate.objects.create(name="any", category="", text="x")
    family = ReplyTemplate.objects.create(name="noise", category="noise", text="x", sort_order=0)
    exact_late = ReplyTemplate.objects.create(name="social b", category="noise.social", text="x", sort_order=9)
    exact = ReplyTemplate.objects.create(name="social a", category="noise.social", text="x", sort_order=1)
    ReplyTemplate.objects.create(name="construction", category="noise.construction", text="x")
    ReplyTemplate.objects.create(name="air", category="air", text="x")
    ReplyTemplate.objects.create(name="retired", category="noise.social", text="x", is_active=False)
    case = make_case(sub_category="noise.social", category="noise")
    assert templates_for(case) == [exact, exact_late, family, anything]
    # a case that only has a sub-category still finds its family
    assert templates_for(make_case(sub_category="noise.social")) == [exact, exact_late, family, anything]
    assert templates_for(make_case()) == [anything]


# --- filling the placeholders -----------------------------------------------------------------------------


def test_placeholders_are_filled_from_inspection_measurement_and_rectification(org):
    case = fully_handled_case(org)
    template = ReplyTemplate.objects.get(name="社会生活噪声扰民")
    draft = render_template(template, case)
    text = draft.text
    assert "张先生/女士：" in text
    assert "您于2026年11月20日反映海淀区中关村大街1号底商社会生活噪声扰民的问题" in text  # local date, not UTC
    assert f"工单编号：{case.reference}" in text
    assert "执法一中队执法人员于2026年11月21日到现场核查" in text
    assert "经核查，您反映的情况属实。现场核查时该酒吧正在营业，室外音箱音量较大。" in text
    assert "2026年11月21日监测（夜间，测点位于敏感点窗外1米），等效声级52.3dB(A)，背景噪声41dB(A)" in text
    assert ("执行《社会生活环境噪声排放标准》（GB 22337-2008），2类区夜间限值为50dB(A)，"
            "监测结果超标（超标2.3dB(A)）") in text
    assert "依据《中华人民共和国噪声污染防治法》、《社会生活环境噪声排放标准》（GB 22337-2008），" in text
    assert "责令当事方拆除室外音箱并调低室内音量，限于2026年11月25日前完成（目前正在整改）" in text
    assert "当事方正在整改，我局将跟踪督促并复查整改情况。" in text
    assert f"联系人：{org.handler.display_name}" in text
    # the handling unit has no public number on record: the handler fills it in
    assert "联系电话：【待填写：联系电话】" in text
    assert draft.gaps == ["联系电话"] and draft.unknown == []


def test_the_contact_phone_is_the_handling_units_public_number(org):
    case = fully_handled_case(org)
    org.squad.phone = "010-62345678"
    org.squad.save()
    case.refresh_from_db()
    draft = render_template(ReplyTemplate.objects.get(name="社会生活噪声扰民"), case)
    assert "联系电话：010-62345678" in draft.text and draft.gaps == []


def test_the_result_follows_the_rectifications(org):
    case = fully_handled_case(org)
    case.rectifications.update(status="verified")
    assert "经复查，相关问题已整改到位。" in render_template("{办理结果}", case).text
    case.rectifications.update(status="done")
    assert "当事方已完成整改，我局将复查整改效果。" in render_template("{办理结果}", case).text


def test_measurements_in_words_for_fumes_and_odour(org):
    case = handled_case(org, sub_category="air.catering_fumes")
    services.record_measurement(actor=org.handler, case=case, kind="catering_fumes",
                                measured_at=beijing(2026, 11, 21, 12, 0),
                                values={"fumes_mg_m3": 0.62})
    draft = render_template("{监测结果}|{法律依据}|{核查结论}", case)
    assert draft.text.startswith("2026年11月21日监测，油烟排放浓度0.62mg/m³。执行北京市《餐饮业大气污染物排放标准》"
                                 "（DB11/1488-2018），限值为1mg/m³，监测结果达标。|")
    assert "|《中华人民共和国大气污染防治法》、北京市《餐饮业大气污染物排放标准》（DB11/1488-2018）|" in draft.text
    # compliant and nothing ordered: whether the complaint is true is the handler's call
    assert draft.text.endswith("【待填写：核查结论（属实/部分属实/不属实）】")


def test_missing_data_leaves_visible_gaps_not_empty_strings(org):
    case = handled_case(org, sub_category="air.odor", category="air")
    draft = render_template(ReplyTemplate.objects.get(name="异味（恶臭）扰民"), case)
    for name in ("核查时间", "核查情况", "监测结果", "整改措施", "办理结果", "联系电话"):
        assert f"【待填写：{name}】" in draft.text, name
    assert "【待填写：核查结论（属实/部分属实/不属实）】" in draft.text
    assert draft.gaps == ["核查时间", "核查结论", "核查情况", "监测结果", "整改措施", "办理结果", "联系电话"]
    # what the case does hold is filled in
    assert "《恶臭污染物排放标准》（GB 14554-93）" in draft.text and "执法一中队" in draft.text


def test_unknown_placeholders_are_left_as_they_are_and_reported(org):
    case = handled_case(org)
    draft = render_template("{核查情形}：{地址}，{0.__class__}，{核查情形}，{ 空格 }", case)
    assert draft.text == "{核查情形}：海淀区中关村大街1号底商，{0.__class__}，{核查情形}，{ 空格 }"
    assert draft.unknown == ["核查情形", "0.__class__"]


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_no_draft_carries_the_complainants_full_name_or_phone(org, name):
    case = fully_handled_case(org)
    text = render_template(ReplyTemplate.objects.get(name=name), case).text
    assert "张三丰" not in text and "13812345678" not in text
    assert "张先生/女士" in text


@pytest.mark.parametrize("fields", [{"complainant_anonymous": True}, {"complainant_confidential": True}])
def test_anonymous_and_confidential_complainants_are_not_named_at_all(org, fields):
    case = handled_case(org, **fields)
    assert render_template("{诉求人称呼}", case).text == "尊敬的市民"


# --- the check before sending -----------------------------------------------------------------------------


def codes(case: Case, text: str) -> list[str]:
    return [warning.code for warning in check_reply(case, text)]


def test_a_good_reply_to_a_reached_complainant_draws_no_warning(org):
    case = fully_handled_case(org)
    assert check_reply(case, GOOD_REPLY) == []


def test_a_filled_in_seeded_draft_passes_the_check(org):
    case = fully_handled_case(org)
    draft = render_template(ReplyTemplate.objects.get(name="社会生活噪声扰民"), case)
    assert codes(case, draft.text) == ["no_contact_details", "gaps_left"]
    assert codes(case, draft.text.replace("【待填写：联系电话】", "62345678")) == []


@pytest.mark.parametrize(("text", "code"), [
    ("您好！我局已责令其整改，目前已整改到位。联系电话：62345678。", "no_findings"),
    ("您好！经现场核查，情况属实，现已恢复正常。联系电话：62345678。", "no_measures"),
    ("您好！经现场核查，情况属实，我局已责令当事方拆除设备。联系电话：62345678。", "no_result"),
    ("您好！经现场核查，情况属实，我局已责令整改，现已整改到位。", "no_contact_details"),
    # a number is not a contact unless a contact word goes with it (the order number is not one)
    ("工单12345678：经现场核查，情况属实，我局已责令整改，现已整改到位。", "no_contact_details"),
])
def test_each_missing_part_draws_its_warning_and_only_that_one(org, text, code):
    case = fully_handled_case(org)
    assert codes(case, text) == [code]
    assert codes(case, text + FIXES[code]) == []


FIXES = {"no_findings": "经核查属实。", "no_measures": "已督促其整改。", "no_result": "已整改到位。",
         "no_contact_details": "如有疑问请拨打010-62345678咨询。"}


def test_a_gap_does_not_count_as_the_part_it_stands_for(org):
    case = fully_handled_case(org)
    text = "经现场核查，情况属实，我局已责令整改，现已整改到位。联系电话：【待填写：联系电话】"
    assert codes(case, text) == ["no_contact_details", "gaps_left"]
    assert codes(case, "【待填写：核查情况】我局已责令整改，现已整改到位。联系电话：62345678")[0] == "no_findings"


def test_gaps_placeholders_and_the_complainants_identity_are_warned_about(org):
    case = fully_handled_case(org)
    warnings = check_reply(case, GOOD_REPLY + "【待填写：核查情况】{核查情形}{核查情形}张三丰，138 1234 5678")
    assert [w.code for w in warnings] == ["gaps_left", "placeholders_left", "complainant_identity"]
    assert "【待填写：核查情况】" in warnings[0].message
    assert "{核查情形}" in warnings[1].message and warnings[1].message.count("{核查情形}") == 1


def test_no_contact_on_record_and_never_reached_are_told_apart(org):
    case = handled_case(org)
    assert codes(case, GOOD_REPLY) == ["no_contact_attempt"]
    services.record_contact(actor=org.handler, case=case, reached=False, summary="电话无人接听")
    services.record_contact(actor=org.handler, case=case, reached=False, summary="电话关机")
    warnings = check_reply(case, GOOD_REPLY)
    assert [w.code for w in warnings] == ["complainant_not_reached"]
    assert "2" in warnings[0].message
    services.record_contact(actor=org.handler, case=case, reached=True)
    assert codes(case, GOOD_REPLY) == []


def test_an_answer_to_an_enquiry_is_not_asked_for_findings_or_measures(org):
    case = handled_case(org, request_type=RequestType.ENQUIRY)
    services.record_contact(actor=org.handler, case=case, reached=True)
    assert codes(case, "您好！相关政策已向您解释。如有疑问请来电：62345678。") == []
    assert codes(case, "您好！相关政策已向您解释。") == ["no_contact_details"]


def test_drafting_and_checking_only_read(org):
    case = fully_handled_case(org)
    with CaptureQueriesContext(connection) as queries:
        templates = templates_for(case)
        check_reply(case, render_template(templates[0], case).text)
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)


# --- admin ------------------------------------------------------------------------------------------------


def test_admin_refuses_unknown_placeholders_and_category_codes():
    from ecohotline.cases.admin import ReplyTemplateForm

    form = ReplyTemplateForm(data={"name": "x", "category": "noise.socail", "text": "{核查情形}{地址}",
                                   "is_active": True, "sort_order": 0})
    assert not form.is_valid()
    assert set(form.errors) == {"category", "text"}
    assert "{核查情形}" in form.errors["text"][0]
    assert "{核查情况}" in form.fields["text"].help_text
    form = ReplyTemplateForm(data={"name": "x", "category": "noise.social", "text": "{核查情况}", "sort_order": 0})
    assert form.is_valid(), form.errors
