"""The case page's timeline shows what each event recorded, with the complainant masked where required."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from ecohotline.cases import services
from ecohotline.cases.measurements import describe_values, describe_verdict, judge
from ecohotline.cases.models import AppealReason, Satisfaction
from ecohotline.cases.timeline import timeline_entries
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db

NAME = "张三丰"
PHONE = "13812345678"
HOSTILE = '<script>alert("x")</script>'
NIGHT = dt.datetime(2026, 11, 21, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def page(client, case) -> str:
    return client.get(reverse("ui:case-detail", args=[case.pk]), {"lang": "en"}).content.decode()


@pytest.fixture
def case(org):
    case = make_case(street=org.street, title="夜间施工噪声", complainant_name=NAME, complainant_phone=PHONE)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    services.accept_case(actor=org.handler, case=case)
    return case


def handle_once(org, case, number: int = 0) -> None:
    """One round of handling: two calls, an inspection, a measurement, a final reply, a 不满意 return visit."""
    services.record_contact(actor=org.handler, case=case, reached=False, summary=f"无人接听{number}")
    services.record_contact(
        actor=org.handler, case=case, reached=True, summary=f"已联系{NAME}（{PHONE}），约定明早核查{number}"
    )
    services.record_inspection(
        actor=org.handler, case=case, people="王五、赵六", findings=f"工地夜间仍在浇筑混凝土{number}"
    )
    services.record_measurement(
        actor=org.handler,
        case=case,
        kind="noise",
        values={"standard": "GB12523", "leq_db": 58.2}, measured_at=NIGHT,
    )
    services.reply_to_complainant(
        actor=org.handler, case=case, text=f"{NAME}您好：经核查，工地夜间施工超标，已责令停止。第{number}次答复"
    )
    services.record_return_visit(
        actor=org.dispatcher,
        case=case,
        contacted=True,
        solved=False,
        satisfaction=Satisfaction.DISSATISFIED,
        note=f"{NAME}说晚上还在施工{number}",
    )


def test_the_page_shows_what_each_event_recorded(client, org, case):
    handle_once(org, case)
    client.force_login(org.handler)
    html = page(client, case)
    for shown in (
        "无人接听0",
        "Not reached",
        "Reached",
        f"已联系{NAME}（{PHONE}），约定明早核查0",
        "王五、赵六",
        "工地夜间仍在浇筑混凝土0",
        "Equivalent sound level 58.2 dB(A)",
        "night-time",
        "Exceeds the limit by 3.2 dB(A)",
        "GB 12523-2011",
        "limit 55 dB(A)",
        "经核查，工地夜间施工超标，已责令停止。",
        "Final reply",
        "Dissatisfied",
        f"{NAME}说晚上还在施工0",
        "执法一中队",
        str(org.handler),
    ):
        assert shown in html, shown
    assert '<details class="timeline-text"><summary>Reply text</summary>' in html


def test_those_who_may_not_see_the_complainant_do_not_see_what_may_name_them(client, org, case):
    handle_once(org, case)
    client.force_login(org.analyst)
    html = page(client, case)
    assert "无人接听0" not in html and "约定明早核查" not in html and "说晚上还在施工" not in html
    assert "The summary is shown only to those who may see the complainant." in html
    assert "The note is shown only to those who may see the complainant." in html
    # the reply is shown, with the complainant's name masked
    assert "张**您好：经核查" in html and NAME not in html and PHONE not in html
    assert "Reached" in html and "Dissatisfied" in html and "工地夜间仍在浇筑混凝土0" in html


def test_hostile_text_is_escaped(client, org, case):
    services.record_contact(actor=org.handler, case=case, reached=True, summary=HOSTILE)
    services.record_inspection(actor=org.handler, case=case, findings=HOSTILE, people=HOSTILE)
    services.reply_to_complainant(actor=org.handler, case=case, text=HOSTILE, final=False)
    services.add_note(actor=org.handler, case=case, text=HOSTILE)
    client.force_login(org.handler)
    html = page(client, case)
    assert HOSTILE not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Interim reply" in html


def test_rectification_appeal_and_joint_handling_are_described(org, case):
    services.add_rectification(actor=org.handler, case=case, requirement="加装隔声屏障")
    joint = services.call_joint_handling(actor=org.handler, case=case, units=[org.street], reason="需街道协调")
    services.record_joint_reply(
        actor=org.street_liaison, case=case, joint=joint, unit=org.street, text="街道已约谈施工方"
    )
    services.file_appeal(actor=org.handler, case=case, reason=AppealReason.UNREASONABLE, evidence="诉求超出职责")
    services.set_category(actor=org.dispatcher, case=case, sub_category="noise.construction")
    extension = services.request_extension(actor=org.handler, case=case, days=5, reason="需等待第三方监测")
    services.decide_extension(actor=org.leader, case=case, extension=extension, approve=True, note="同意")
    with translation.override("en"):
        entries = {entry.event.action: entry for entry in timeline_entries(case, org.handler)}
    facts = {
        action: (
            [f"{line.label}={line.value}" for line in entry.lines],
            [f"{block.label}={block.text}" for block in entry.blocks],
        )
        for action, entry in entries.items()
    }
    assert "Status=Ordered" in facts["add_rectification"][0]
    assert "Requirement=加装隔声屏障" in facts["add_rectification"][1]
    assert f"Units called in={org.street.name}" in facts["call_joint_handling"][0]
    assert "Reason=需街道协调" in facts["call_joint_handling"][1]
    assert f"{org.street.name}=街道已约谈施工方" in facts["record_joint_reply"][1]
    assert "Reason=Unreasonable demand" in facts["file_appeal"][0] and "Decision=Pending" in facts["file_appeal"][0]
    assert "Evidence=诉求超出职责" in facts["file_appeal"][1]
    assert "→" in facts["set_category"][0][0]
    assert (
        "Days requested=5" in facts["request_extension"][0]
        and "Reason=需等待第三方监测" in facts["request_extension"][1]
    )
    assert "Decision=Approved" in facts["decide_extension"][0] and "Decision note=同意" in facts["decide_extension"][1]


@translation.override("en")
def test_values_and_verdicts_read_as_words():
    assert describe_values("catering_fumes", {"fumes_mg_m3": 1.8, "no_purifier": True}) == (
        "Cooking fumes concentration 1.8 mg/m³ · No purifier installed")
    assert describe_values("noise", {"standard": "GB22337", "zone": "2", "leq_db": 52.3}).startswith(
        "Standard GB 22337-2008 social-life noise (boundary) · Zone class Class 2 · Equivalent sound level 52.3 dB(A)")
    _, verdict = judge("noise", {"standard": "GB22337", "zone": "2", "leq_db": 52.3, "background_db": 47},
                       NIGHT)
    assert describe_verdict(verdict) == (
        "Exceeds the limit by 0.3 dB(A) (GB 22337-2008 4.1 表1, night-time, class 2, limit 50 dB(A), "
        "corrected 50.3 dB(A))")
    _, verdict = judge("catering_fumes", {"fumes_mg_m3": 0.62}, NIGHT)
    assert describe_verdict(verdict) == "Within the limit (DB11/1488-2018, limit 1 mg/m³)"
    assert describe_verdict({"standard": "GB 14554-93", "limit": 20, "exceeds": False}) == (
        "Within the limit (GB 14554-93, limit 20)")  # as older records stored it
    assert describe_verdict({}) == ""


def test_query_count_does_not_grow_with_the_records(client, org, case, django_assert_max_num_queries):
    joint = services.call_joint_handling(actor=org.handler, case=case, units=[org.street], reason="需街道协调")
    services.record_joint_reply(actor=org.street_liaison, case=case, joint=joint, unit=org.street, text="已到场")
    services.add_rectification(actor=org.handler, case=case, requirement="加装隔声屏障")
    services.file_appeal(actor=org.handler, case=case, reason=AppealReason.OTHER, evidence="证据")
    handle_once(org, case)
    client.force_login(org.handler)
    page(client, case)  # warm the caches (category names)
    with django_assert_max_num_queries(40) as few:
        page(client, case)
    for number in range(1, 6):
        handle_once(org, case, number)
        services.add_rectification(actor=org.handler, case=case, requirement=f"整改{number}")
        services.record_joint_reply(
            actor=org.street_liaison, case=case, joint=joint, unit=org.street, text=f"报到{number}"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(client, case)
    assert "约定明早核查5" in html and "报到5" in html and "整改5" in html


def test_an_inspection_lists_its_photos(org, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", content_type="image/jpeg")
    services.record_inspection(actor=org.handler, case=case, findings="油烟直排", photos=[photo])
    with translation.override("en"):
        (entry,) = [e for e in timeline_entries(case, org.handler) if e.event.action == "record_inspection"]
    assert [photo.original_name for photo in entry.photos] == ["现场.jpg"]
