"""GET requests and GET requests/{id}: the status, notes and expected time of filed requests flow back from the
desk; the window and filters of the specification; nothing of the complainant ever shows."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from ecohotline.cases import services as case_services
from ecohotline.cases.models import Case, CaseKind, Channel, Reply
from ecohotline.cases.services import CaseDraft, create_cases
from ecohotline.factories import make_case
from ecohotline.open311.tests.conftest import noise_request, post_request

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=BEIJING)
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")


@pytest.fixture(autouse=True)
def _frozen(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)


def _filed(client: Client, key: str, **overrides) -> Case:
    response = post_request(client, "json", **noise_request(key, **overrides))
    assert response.status_code == 200, response.content
    return Case.objects.get(pk=int(response.json()[0]["service_request_id"]))


def test_status_notes_and_expected_time_flow_back_from_the_desk(client: Client, org, api_key) -> None:
    case = _filed(client, api_key.plain)
    [opened] = client.get(f"/open311/v2/requests/{case.pk}.json").json()
    assert opened["status"] == "open"
    assert opened["requested_datetime"] == "2026-11-20T10:00:00+08:00"
    assert opened["expected_datetime"] == case.reply_due_at.astimezone(BEIJING).isoformat()
    assert W3C.match(opened["expected_datetime"])

    case = case_services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    [dispatched] = client.get(f"/open311/v2/requests/{case.pk}.json?locale=en").json()
    assert dispatched["status"] == "open"
    assert dispatched["status_notes"] == "Assigned to the handling unit"
    assert dispatched["agency_responsible"] == "执法一中队"

    case = case_services.accept_case(actor=org.handler, case=case)
    case_services.add_note(actor=org.handler, case=case, text="内部备注：老板是区里某领导亲戚")
    case.refresh_from_db()
    case_services.reply_to_complainant(actor=org.handler, case=case, text="经现场核查，已责令商铺停止使用外放音响。")
    case.refresh_from_db()

    response = client.get(f"/open311/v2/requests/{case.pk}.xml")
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request"
    assert request.findtext("status") == "closed"
    assert request.findtext("status_notes") == "经现场核查，已责令商铺停止使用外放音响。"
    assert request.findtext("expected_datetime") == case.reply_due_at.astimezone(BEIJING).isoformat()
    assert W3C.match(request.findtext("updated_datetime") or "")
    assert request.findtext("agency_responsible") == "执法一中队"
    assert request.findtext("media_url") == "https://img.example.cn/p/1.jpg"
    assert request.findtext("service_code") == "noise.social"
    assert float(request.findtext("lat") or 0) == pytest.approx(39.9834)
    assert "内部备注" not in response.content.decode()


def test_request_xml_has_the_specifications_fields_in_order(client: Client, org, api_key) -> None:
    case = _filed(client, api_key.plain)
    root = ET.fromstring(client.get("/open311/v2/requests.xml").content)
    [request] = root.findall("request")
    assert [child.tag for child in request] == [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url"]
    assert request.findtext("service_request_id") == str(case.pk)
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(request.findtext(field) or ""), field


def test_no_complainant_details_in_any_get_output(client: Client, org, api_key) -> None:
    filed = _filed(client, api_key.plain, description="王小明反映：楼下噪声，回电13912345678或 wang@example.cn")
    hotline = make_case(complainant_name="张三丰", complainant_phone="010-62345678",
                        description="张三丰来电反映餐馆油烟扰民，联系电话 010 6234 5678。", received_at=NOW,
                        sub_category="air.catering_fumes", category="air")
    hotline = case_services.dispatch_case(actor=org.dispatcher, case=hotline, unit=org.squad)
    hotline = case_services.accept_case(actor=org.handler, case=hotline)
    case_services.reply_to_complainant(actor=org.handler, case=hotline, text="张三丰您好，已核查，电话13800001111。")

    outputs = b""
    for fmt in ("xml", "json"):
        outputs += client.get(f"/open311/v2/requests.{fmt}").content
        for case in (filed, hotline):
            outputs += client.get(f"/open311/v2/requests/{case.pk}.{fmt}").content
            outputs += client.get(f"/open311/v2/requests.{fmt}?service_request_id={case.pk}").content
    text = outputs.decode()
    assert "楼下噪声" in text  # the description sent to Open311 is there...
    for secret in ("王小明", "小明", "13912345678", "wang@example.cn", "张三丰", "62345678", "6234 5678",
                   "13800001111", "acct-7", "dev-9"):
        assert secret not in text, secret  # ...but not who complained
    # A 12345 order was not given for publication: neither its text nor its reply is shown.
    assert "餐馆油烟扰民" not in text and "已核查" not in text


def test_a_request_from_another_channel_shows_only_its_category_area_and_rounded_point(client: Client, org) -> None:
    case = make_case(received_at=NOW, description="我住万寿山庄23号楼302，对面酒吧音乐扰民",
                     sub_category="noise.social", category="noise", address="海淀区万寿山庄社区23号楼",
                     street=org.street, community="万寿山庄社区", latitude=39.9512345, longitude=116.3098765)

    request = client.get(f"/open311/v2/requests/{case.pk}.json").json()[0]

    assert (request["description"], request["address"]) == ("", f"{org.street.name}万寿山庄社区")
    assert (request["lat"], request["long"]) == (39.951, 116.31)
    assert request["service_code"] == "noise.social"


def test_proactive_tasks_alert_verifications_and_confidential_complaints_are_not_shown(client: Client, org) -> None:
    public = make_case(received_at=NOW)
    task = make_case(received_at=NOW, kind=CaseKind.PROACTIVE_TASK, channel=Channel.PROACTIVE)
    alert = make_case(received_at=NOW, kind=CaseKind.ALERT_VERIFICATION, channel=Channel.MONITORING)
    secret = make_case(received_at=NOW, complainant_confidential=True)

    ids = {r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()}
    assert ids == {str(public.pk)}
    for hidden in (task, alert, secret):
        assert client.get(f"/open311/v2/requests/{hidden.pk}.json").status_code == 404


def test_the_default_window_is_the_last_90_days(client: Client, org) -> None:
    recent = make_case(received_at=NOW - dt.timedelta(days=89))
    old = make_case(received_at=NOW - dt.timedelta(days=91))

    ids = [r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()]
    assert ids == [str(recent.pk)]
    # ids override the window
    listed = client.get(f"/open311/v2/requests.json?service_request_id={old.pk},{recent.pk},99999,abc").json()
    assert {r["service_request_id"] for r in listed} == {str(old.pk), str(recent.pk)}


def test_start_and_end_date_select_by_requested_time(client: Client, org) -> None:
    inside = make_case(received_at=dt.datetime(2026, 3, 10, 12, tzinfo=BEIJING))
    make_case(received_at=dt.datetime(2026, 6, 10, 12, tzinfo=BEIJING))  # more than 90 days after March 1

    response = client.get("/open311/v2/requests.json",
                          {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-04-01T00:00:00Z"})
    assert [r["service_request_id"] for r in response.json()] == [str(inside.pk)]
    # only a start: the 90 days from it
    response = client.get("/open311/v2/requests.json", {"start_date": "2026-03-01T00:00:00+08:00"})
    assert [r["service_request_id"] for r in response.json()] == [str(inside.pk)]


@pytest.mark.parametrize("query", [
    "start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-05-01T00:00:00%2B08:00",  # 120 days
    "start_date=yesterday",
    "start_date=2026-05-01T00:00:00Z&end_date=2026-04-01T00:00:00Z",
    "status=pending",
])
def test_bad_windows_and_statuses_are_400(client: Client, org, query: str) -> None:
    for fmt in ("json", "xml"):
        response = client.get(f"/open311/v2/requests.{fmt}?{query}")
        assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.findtext("error/code") == "400"


def test_status_and_service_code_filters(client: Client, org) -> None:
    noise = make_case(received_at=NOW, sub_category="noise.social", category="noise")
    fumes = make_case(received_at=NOW, sub_category="air.catering_fumes", category="air")
    fumes = case_services.dispatch_case(actor=org.dispatcher, case=fumes, unit=org.squad)
    fumes = case_services.accept_case(actor=org.handler, case=fumes)
    case_services.reply_to_complainant(actor=org.handler, case=fumes, text="已处理")

    def ids(query: str) -> set[str]:
        return {r["service_request_id"] for r in client.get(f"/open311/v2/requests.json?{query}").json()}

    assert ids("status=open") == {str(noise.pk)}
    assert ids("status=closed") == {str(fumes.pk)}
    assert ids("status=open,closed") == {str(noise.pk), str(fumes.pk)}
    assert ids("service_code=air.catering_fumes,water.quality") == {str(fumes.pk)}


def test_an_unknown_request_is_404(client: Client, org) -> None:
    for path in ("requests/424242.json", "requests/abc.xml", "tokens/nope.json"):
        response = client.get(f"/open311/v2/{path}")
        assert response.status_code == 404, path


def test_the_token_gives_the_service_request_id(client: Client, org, api_key) -> None:
    case = _filed(client, api_key.plain)
    token = case.open311_request.token
    assert client.get(f"/open311/v2/tokens/{token}.json").json() == [
        {"service_request_id": str(case.pk), "token": token}]
    root = ET.fromstring(client.get(f"/open311/v2/tokens/{token}.xml").content)
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == str(case.pk)


def test_a_thousand_requests_in_a_bounded_number_of_queries(client: Client, org,
                                                            django_assert_max_num_queries) -> None:
    drafts = [CaseDraft(channel=Channel.OPEN311, received_at=NOW - dt.timedelta(minutes=i),
                        description=f"第{i}号投诉", sub_category="noise.social", category="noise",
                        external_id=f"H{i:05d}") for i in range(1005)]
    cases = create_cases(actor=None, drafts=drafts)
    Case.objects.filter(pk__in=[c.pk for c in cases[:300]]).update(handling_unit=org.squad, status="replied")
    Reply.objects.bulk_create([Reply(case=c, at=NOW, text=f"答复{c.pk}", final=True) for c in cases[:300]])
    client.get("/open311/v2/services.json")  # warms the category names' cache, as any earlier request does

    with django_assert_max_num_queries(3):
        response = client.get("/open311/v2/requests.json")

    body = response.json()
    assert len(body) == 1000  # at most 1,000
    assert body[0]["service_request_id"] == str(cases[0].pk)  # newest first
    assert {r["status_notes"] for r in body if r["status"] == "closed"} >= {f"答复{cases[0].pk}"}


def test_get_requests_are_limited_per_address(client: Client, org, settings) -> None:
    settings.OPEN311_GETS_PER_IP_PER_HOUR = 3
    for _ in range(3):
        assert client.get("/open311/v2/services.json").status_code == 200
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 429
    assert response.json()[0]["code"] == 429


def test_xml_stays_well_formed_with_control_characters_from_imported_orders(client: Client, org) -> None:
    case = make_case(received_at=NOW, channel=Channel.OPEN311, description="油烟\x0b扰民\x1f，<严重> & 持续")

    root = ET.fromstring(client.get(f"/open311/v2/requests/{case.pk}.xml").content)
    assert root.findtext("request/description") == "油烟扰民，<严重> & 持续"


@pytest.mark.parametrize(("text", "shown"), [
    ("电话13912345678", "电话***"),
    ("call 13912345678.", "call ***."),
    ("读数 1234567.5 与 0.1234567", "读数 1234567.5 与 0.1234567"),
    ("电话 010-6234 5678 或 +86 139 1234 5678", "电话 *** 或 ***"),
    ("邮箱 a.b+c@example.com.cn。", "邮箱 ***。"),
    ("2026-11-20 夜里 22:30 噪声 65.5 分贝，持续 3 小时", "2026-11-20 夜里 22:30 噪声 65.5 分贝，持续 3 小时"),
    ("张三丰反映", "***反映"),
])
def test_personal_details_are_masked_in_texts(org, text: str, shown: str) -> None:
    from ecohotline.open311.selectors import mask_personal

    assert mask_personal(text, Case(complainant_name="张三丰")) == shown
