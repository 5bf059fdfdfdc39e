"""`POST /api/v1/hotline/orders`: HMAC-signed pushes, idempotent like files, per-order results."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from ecohotline.cases.models import Case, CaseEvent, Channel
from ecohotline.intake.models import HotlineSource, OrderRecord
from ecohotline.intake.push import MAX_BODY_BYTES, signature_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/hotline/orders"
SECRET = "s3cret-of-the-12345-platform"


@pytest.fixture
def source(org: Any) -> HotlineSource:
    return HotlineSource.objects.create(code="bj12345", name="北京12345平台", secret=SECRET)


def order(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "order_number": "2026050300001", "received_at": "2026-05-03T14:05:00+08:00",
        "complainant_name": "张三", "complainant_phone": "13812345678",
        "address": "北京市海淀区中关村大街12号", "description": "楼下烧烤店油烟直排，晚上十一点还在营业。",
        "request_type": "投诉", "urgency": "一般", "district": "海淀区", "street": "中关村街道",
        "due_at": "2026-05-10T14:05:00+08:00", "longitude": 116.3162, "latitude": 39.9834,
    }
    data.update(fields)
    return data


def push(payload: Any, *, source: str = "bj12345", secret: str = SECRET, timestamp: int | None = None,
         signature: str | None = None, body: bytes | None = None) -> Any:
    raw = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {"HTTP_X_SOURCE": source, "HTTP_X_TIMESTAMP": stamp,
               "HTTP_X_SIGNATURE": signature if signature is not None else signature_for(secret, stamp, raw)}
    return APIClient().generic("POST", URL, raw, content_type="application/json", **headers)


def nothing_written() -> bool:
    return not Case.objects.exists() and not OrderRecord.objects.exists() and not CaseEvent.objects.exists()


def test_a_signed_order_becomes_a_case(source):
    response = push(order())
    assert response.status_code == 200, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["results"] == [{"index": 0, "order_number": "2026050300001", "outcome": "created", "case": case.pk,
                                "errors": {}}]
    assert body["summary"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    assert case.channel == Channel.HOTLINE_12345 and case.street is not None and case.street.name == "中关村街道"
    record = OrderRecord.objects.get()
    assert record.received_via == "push" and record.raw["as_received"]["order_number"] == "2026050300001"


def test_pushing_again_creates_nothing_and_a_change_is_a_supplement(source):
    first = push(order()).json()["results"][0]
    again = push(order()).json()["results"][0]
    assert again["outcome"] == "unchanged" and again["case"] == first["case"]
    changed = push(order(description="补充：烧烤店凌晨一点仍在排放油烟。")).json()["results"][0]
    assert changed["outcome"] == "updated" and changed["case"] == first["case"]
    assert Case.objects.count() == 1
    event = CaseEvent.objects.get(action="order_updated")
    assert event.payload["via"] == "push"
    assert event.payload["changes"]["description"]["new"] == "补充：烧烤店凌晨一点仍在排放油烟。"


def test_a_file_row_and_a_push_of_the_same_order_are_one_case(source, tmp_path):
    from django.core.management import call_command

    from ecohotline.intake.tests.builders import order_row, write_csv

    call_command("import-orders", str(write_csv(tmp_path / "o.csv", [order_row()])), "--quiet",
                 stdout=io.StringIO(), stderr=io.StringIO())
    result = push(order(received_at="2026-05-03 14:05", due_at="2026/5/10 14:05",
                        longitude="116.3162", latitude="39.9834")).json()["results"][0]
    assert result["outcome"] == "unchanged" and Case.objects.count() == 1


def test_a_batch_gets_one_result_per_order_and_a_bad_order_loses_none_of_the_others(source):
    orders = [
        order(order_number="B1"),
        order(order_number="B2", received_at="2026-13-45", urgency="特急"),
        order(order_number="B3", request_type="report", urgency="urgent", longitude=None, latitude=None),
        "not an object",
        order(order_number="B4", longitude=116.3, latitude=None),
        order(order_number="B1", description="内容不同"),
        order(order_number="B5", description={"text": "an object"}),
    ]
    response = push({"orders": orders})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["index"], r["order_number"], r["outcome"]) for r in results] == [
        (0, "B1", "created"), (1, "B2", "rejected"), (2, "B3", "created"), (3, "", "rejected"),
        (4, "B4", "rejected"), (5, "B1", "rejected"), (6, "B5", "rejected"),
    ]
    assert results[1]["errors"] == {"received_at": ["无法识别的日期“2026-13-45”"],
                                    "urgency": ["未知的紧急程度“特急”（可填：紧急、一般、普通、复杂、复杂疑难）"]}
    assert results[1]["case"] is None
    assert results[3]["errors"] == {"non_field_errors": ["工单须为 JSON 对象"]}
    assert results[4]["errors"] == {"latitude": ["经度和纬度须同时填写或同时留空"]}
    assert results[5]["errors"] == {"order_number": ["与本批 index 0 的工单工单编号相同但内容不同"]}
    assert results[6]["errors"] == {"description": ["类型不正确，应为文字或数字"]}
    assert response.json()["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 5}
    assert set(Case.objects.values_list("external_id", flat=True)) == {"B1", "B3"}
    b3 = Case.objects.get(external_id="B3")
    assert (b3.request_type, b3.urgency) == ("report", "urgent")


def test_the_sources_channel_decides_the_orders_channel(org):
    HotlineSource.objects.create(code="eco12369", name="12369", secret="other", channel=Channel.ECO_12369)
    response = push(order(), source="eco12369", secret="other")
    assert response.status_code == 200 and Case.objects.get().channel == Channel.ECO_12369


def test_a_bad_signature_is_refused_and_nothing_written(source):
    for signature in ("sha256=" + "0" * 64, "", "md5=abc", signature_for("wrong secret", int(time.time()), b"{}")):
        response = push(order(), signature=signature)
        assert response.status_code == 401
        assert response.json()["code"] == "bad_signature"
    # the body changed after signing
    stamp = int(time.time())
    good = json.dumps(order()).encode()
    response = push(None, body=good.replace(b"2026050300001", b"2026050300009"), timestamp=stamp,
                    signature=signature_for(SECRET, stamp, good))
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    assert nothing_written()


def test_a_replayed_request_is_refused(source):
    old = int(time.time()) - 301
    response = push(order(), timestamp=old)  # correctly signed, but five minutes ago
    assert response.status_code == 401 and response.json()["code"] == "stale_timestamp"
    future = int(time.time()) + 301
    assert push(order(), timestamp=future).json()["code"] == "stale_timestamp"
    # the timestamp is signed: a replay cannot simply put a fresh one on the old signature
    body = json.dumps(order()).encode()
    response = push(None, body=body, timestamp=int(time.time()), signature=signature_for(SECRET, old, body))
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    assert push(order(), timestamp=int(time.time()) - 250).status_code == 200  # within the clock skew allowed


def test_a_timestamp_that_is_not_unix_seconds(source):
    body = json.dumps(order()).encode()
    response = APIClient().generic("POST", URL, body, content_type="application/json", HTTP_X_SOURCE="bj12345",
                                   HTTP_X_TIMESTAMP="yesterday",
                                   HTTP_X_SIGNATURE=signature_for(SECRET, "yesterday", body))
    assert response.status_code == 401 and response.json()["code"] == "stale_timestamp"


def test_an_unknown_or_inactive_source_is_refused(source):
    assert push(order(), source="someone").json()["code"] == "unknown_source"
    assert push(order(), source="").status_code == 401
    source.is_active = False
    source.save()
    response = push(order())
    assert response.status_code == 401 and response.json()["code"] == "unknown_source"
    assert nothing_written()


def test_no_session_or_token_is_needed_and_none_is_enough(source, org):
    client = APIClient()
    client.force_authenticate(user=org.admin)
    response = client.post(URL, order(), format="json")  # signed in, but not signed
    assert response.status_code == 401 and response.json()["code"] == "unknown_source"
    assert nothing_written()


def test_the_signature_is_checked_before_the_body_is_parsed(source):
    response = push(None, body=b"{not json", signature="sha256=00")
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    response = push(None, body=b"{not json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"


def test_a_batch_over_500_is_refused(source):
    response = push({"orders": [order(order_number=f"N{n}") for n in range(501)]})
    assert response.status_code == 400 and response.json()["code"] == "batch_too_large"
    assert nothing_written()
    assert push({"orders": []}).status_code == 400
    assert push([order()]).status_code == 400


def test_a_body_over_5_mb_is_refused(source):
    big = json.dumps({"orders": [order(description="吵" * 1000)]}).encode() + b" " * MAX_BODY_BYTES
    response = push(None, body=big)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert nothing_written()


def test_a_body_between_djangos_limit_and_5_mb_is_read(source, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # the push endpoint reads the stream, not request.body
    body = json.dumps({"orders": [order(order_number=f"L{n}") for n in range(10)]}).encode()
    assert len(body) > 1024
    assert push(None, body=body).status_code == 200 and Case.objects.count() == 10


def test_the_endpoint_is_documented(org):
    client = APIClient()
    client.force_authenticate(user=org.analyst)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/hotline/orders"]["post"]
    assert "X-Timestamp" in operation["description"] and "replay" in operation["description"]
    assert {p["name"] for p in operation["parameters"]} >= {"X-Source", "X-Timestamp", "X-Signature"}
    assert {"200", "400", "401", "413"} <= set(operation["responses"])

