"""What the case page shows besides the case, through the API: the timeline in words (masked for those who may not
see the complainant), attachments (upload through `record_inspection`, list, download with the desk's access),
contact attempts, inspections and measurements; each list's query count stays flat."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecohotline.api.tests.test_cases_api import client_for, squad_case
from ecohotline.cases import services
from ecohotline.cases.models import Attachment, Case, CaseStatus, ReplyTemplate
from ecohotline.factories import OrgUnitFactory, UserFactory, make_case
from ecohotline.hooks.models import WebhookSubscription
from ecohotline.notify import outbox
from ecohotline.notify.models import OutboxMessage, OutboxStatus
from ecohotline.org.models import Role

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def url(case: Case, tail: str) -> str:
    return f"/api/v1/cases/{case.pk}/{tail}"


@pytest.fixture
def worked(org: Any) -> Case:
    """A case of the squad with a contact (naming the complainant's phone), an inspection with a photo and a
    measurement; joint handling called in the other squad."""
    case = squad_case(org, handler=org.handler)
    services.record_contact(actor=org.handler, case=case, reached=True,
                            summary="已电话联系张三丰 13812345678，约定明日核查")
    services.record_inspection(actor=org.handler, case=case, findings="张三丰反映的排风机未加装消声设施",
                               photos=[SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg")])
    services.record_measurement(actor=org.handler, case=case, kind="catering_fumes", values={"fumes_mg_m3": 0.62})
    services.call_joint_handling(actor=org.handler, case=case, units=[org.other_squad], reason="需协同")
    case.refresh_from_db()
    return case


def test_the_timeline_in_words_is_masked_for_a_unit_only_called_in(org: Any, worked: Case) -> None:
    own = client_for(org.handler).get(url(worked, "timeline"))
    assert own.status_code == 200, own.content
    entries = own.json()["results"]
    contact = next(entry for entry in entries if entry["action"] == "record_contact")
    assert any("13812345678" in block["text"] for block in contact["blocks"])
    assert {"id", "at", "action_label", "actor_name", "lines", "blocks", "photos"} <= set(contact)
    inspection = next(entry for entry in entries if entry["action"] == "record_inspection")
    assert inspection["photos"] == [Attachment.objects.get(case=worked).pk]

    called_in = client_for(org.other_handler).get(url(worked, "timeline")).json()["results"]
    contact = next(entry for entry in called_in if entry["action"] == "record_contact")
    assert contact["blocks"] == [] and contact["notices"]  # the summary is withheld, as on the case page
    inspection = next(entry for entry in called_in if entry["action"] == "record_inspection")
    text = " ".join(block["text"] for block in inspection["blocks"])
    assert "张三丰" not in text and "张" in text


def test_records_of_a_case_are_masked_the_same_way(org: Any, worked: Case) -> None:
    own = client_for(org.handler)
    assert "13812345678" in own.get(url(worked, "contacts")).json()["results"][0]["summary"]
    called_in = client_for(org.other_handler)
    contact = called_in.get(url(worked, "contacts")).json()["results"][0]
    assert contact["reached"] is True and contact["summary"] == "" and contact["summary_withheld"] is True
    inspection = called_in.get(url(worked, "inspections")).json()["results"][0]
    assert "张三丰" not in inspection["findings"] and len(inspection["photos"]) == 1
    measurement = own.get(url(worked, "measurements")).json()["results"][0]
    assert measurement["kind"] == "catering_fumes" and measurement["values"]["fumes_mg_m3"] == 0.62


@pytest.mark.parametrize("tail", ["timeline", "attachments", "contacts", "inspections", "measurements", "outgoing"])
def test_a_case_the_caller_may_not_see_is_404(org: Any, worked: Case, tail: str) -> None:
    stranger = UserFactory(username="stranger", unit=OrgUnitFactory(code="squad-3", parent=org.brigade),
                           roles=[Role.HANDLER])
    response = client_for(stranger).get(url(worked, tail))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client_for(org.dispatcher).get(url(worked, tail)).status_code == 200


def test_a_photo_uploaded_with_an_inspection_is_listed_and_downloaded(org: Any) -> None:
    case = squad_case(org, handler=org.handler)
    client = client_for(org.handler)
    posted = client.post(url(case, "actions/record_inspection"), {
        "findings": "现场核查", "photos": [SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg")],
    }, format="multipart")
    assert posted.status_code == 200, posted.content
    listed = client.get(url(case, "attachments")).json()["results"]
    assert len(listed) == 1 and listed[0]["name"] == "a.jpg" and listed[0]["size"] == len(JPEG)
    download = client.get(listed[0]["download_url"], HTTP_ACCEPT="image/jpeg")
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content) == JPEG
    assert download["X-Content-Type-Options"] == "nosniff"
    # The same file is not to be had by whom may not see the case, nor through another case.
    stranger = UserFactory(username="stranger", unit=org.other_squad, roles=[Role.HANDLER])
    assert client_for(stranger).get(listed[0]["download_url"]).status_code == 404
    other = squad_case(org)
    assert client.get(f"/api/v1/cases/{other.pk}/attachments/{listed[0]['id']}").status_code == 404


def test_a_file_that_is_not_a_photo_is_refused_on_upload(org: Any) -> None:
    case = squad_case(org, handler=org.handler)
    response = client_for(org.handler).post(url(case, "actions/record_inspection"), {
        "findings": "现场核查", "photos": [SimpleUploadedFile("x.jpg", b"#!/bin/sh\necho", content_type="image/jpeg")],
    }, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "not_a_photo"
    assert not Attachment.objects.filter(case=case).exists()


@pytest.mark.parametrize("tail", ["timeline", "attachments", "contacts", "inspections", "measurements"])
def test_record_lists_have_a_flat_query_count(org: Any, tail: str, django_assert_max_num_queries: Any) -> None:
    case = squad_case(org, handler=org.handler)
    for number in range(6):
        services.record_contact(actor=org.handler, case=case, reached=False, summary=f"第{number}次未接通")
        services.record_inspection(actor=org.handler, case=case, findings=f"第{number}次核查",
                                   photos=[SimpleUploadedFile(f"{number}.jpg", JPEG, content_type="image/jpeg")])
        services.record_measurement(actor=org.handler, case=case, kind="catering_fumes",
                                    values={"fumes_mg_m3": 0.5 + number / 10})
    client = client_for(org.handler)
    with django_assert_max_num_queries(16):
        response = client.get(url(case, tail))
    assert response.status_code == 200 and response.json()["count"] >= 6


def test_closed_case_keeps_its_records_readable(org: Any) -> None:
    case = squad_case(org, status=CaseStatus.CLOSED, handler=org.handler)
    assert client_for(org.handler).get(url(case, "timeline")).status_code == 200


def test_the_detail_timeline_masks_payloads_for_those_who_may_not_see_the_complainant(org: Any) -> None:
    case = squad_case(org, handler=org.handler)
    services.add_note(actor=org.handler, case=case, text="诉求人张三丰来电 13812345678")
    services.record_order_update(case=case, via="push", changes={
        "complainant_phone": {"old": "13900001111", "new": "13812345678"},
        "complainant_name": {"old": "李四", "new": "张三丰"}})
    services.call_joint_handling(actor=org.handler, case=case, units=[org.other_squad], reason="需协同")
    own = json.dumps(client_for(org.handler).get(f"/api/v1/cases/{case.pk}").json(), ensure_ascii=False)
    assert "13812345678" in own and "13900001111" in own and "李四" in own
    called_in = client_for(org.other_handler).get(f"/api/v1/cases/{case.pk}")
    assert called_in.status_code == 200
    text = json.dumps(called_in.json()["timeline"], ensure_ascii=False)
    for secret in ("13812345678", "13900001111", "张三丰", "李四"):
        assert secret not in text
    assert "139****1111" in text and "李*" in text


# --- reply drafting -----------------------------------------------------------------------------------------


@pytest.fixture
def replying(org: Any) -> Case:
    """A social-noise order in progress with the handler, inspected and the complainant reached."""
    case = make_case(street=org.street, complainant_name="张三丰", complainant_phone="13812345678",
                     title="酒吧噪声扰民", address="中关村大街1号", sub_category="noise.social", category="noise")
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    services.accept_case(actor=org.handler, case=case)
    services.record_inspection(actor=org.handler, case=case, findings="酒吧室外音箱音量较大")
    services.record_contact(actor=org.handler, case=case, reached=True)
    case.refresh_from_db()
    return case


def test_the_handler_drafts_and_checks_a_reply(org: Any, replying: Case) -> None:
    template = ReplyTemplate.objects.create(name="噪声", category="noise", text="您好！关于{诉求内容}，{核查结论}")
    client = client_for(org.handler)
    draft = client.get(url(replying, "reply-draft"), {"template": template.pk})
    assert draft.status_code == 200, draft.content
    assert draft.json()["template"] == template.pk and draft.json()["text"].startswith("您好！")
    assert client.get(url(replying, "reply-draft"), {"template": 999999}).status_code == 404
    checked = client.post(url(replying, "reply-check"), {"text": "您好。"}, format="json")
    assert checked.status_code == 200 and checked.json()["warnings"]
    assert all({"code", "message"} == set(item) for item in checked.json()["warnings"])
    assert client.post(url(replying, "reply-check"), {}, format="json").status_code == 400


@pytest.mark.parametrize("who", ["dispatcher", "leader", "analyst"])
def test_only_who_may_reply_drafts(org: Any, replying: Case, who: str) -> None:
    client = client_for(getattr(org, who))
    assert client.get(url(replying, "reply-draft")).status_code == 403
    assert client.post(url(replying, "reply-check"), {"text": "x"}, format="json").status_code == 403


def test_what_the_case_sent_out_and_how_it_went(org: Any, worked: Case, django_assert_max_num_queries) -> None:
    subscription = WebhookSubscription.objects.create(name="区网格化平台", url="https://grid.example/hook", secret="s")
    failing = outbox.enqueue(transport="webhook", payload={"secret_body": "not shown"}, address=subscription.url,
                             target_id=subscription.pk, event="reply", case_id=worked.pk)
    assert failing is not None
    OutboxMessage.objects.filter(pk=failing.pk).update(status=OutboxStatus.DEAD, attempts=10, last_error="HTTP 500")
    outbox.enqueue(transport="webhook", payload={}, address="https://other.example", event="reply",
                   case_id=make_case().pk)  # another case's

    with django_assert_max_num_queries(8):
        response = client_for(org.handler).get(url(worked, "outgoing"))

    assert response.status_code == 200
    assert [(m["target"], m["kind"], m["status"], m["attempts"], m["last_error"]) for m in response.json()] == [
        ("区网格化平台", "webhook", "dead", 10, "HTTP 500")]
    assert "not shown" not in response.content.decode()
