"""CAPTCHA-free abuse control: reports per IP and per phone, lookups per IP; over the limit, a 429 page in the
user's language."""

from __future__ import annotations

import pytest

from ecohotline.cases.models import Case
from ecohotline.public import limits
from ecohotline.public.models import PublicReport
from ecohotline.public.tests.conftest import REPORT_URL, TRACK_URL, report_data

pytestmark = pytest.mark.django_db


def test_five_reports_per_ip_and_hour_then_429(english, org, post_report) -> None:
    for n in range(5):
        assert post_report(description=f"第{n}次反映：夜间施工噪声扰民。").status_code == 302
    response = post_report(description="第六次反映：夜间施工噪声扰民。")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in response.content.decode()
    assert Case.objects.count() == 5
    # Another address is not affected.
    assert post_report(ip="203.0.113.99", description="另一人反映：夜间施工噪声扰民。").status_code == 302


def test_three_reports_per_phone_and_day_then_429(english, org, post_report) -> None:
    for n in range(3):
        response = post_report(ip=f"203.0.113.{n + 10}", phone="13800138000", consent="on",
                               description=f"第{n}次反映：餐馆油烟直排。")
        assert response.status_code == 302
    response = post_report(ip="203.0.113.50", phone="+86 138-0013-8000", consent="on",
                           description="第四次反映：餐馆油烟直排。")
    assert response.status_code == 429
    assert PublicReport.objects.count() == 3


def test_refused_forms_do_not_use_up_the_limit_but_bots_do(english, org, post_report) -> None:
    for _ in range(6):
        assert post_report(address="").status_code == 400  # a person correcting mistakes
    assert post_report().status_code == 302
    for _ in range(4):
        assert post_report(website="spam").status_code == 400  # a bot: 1 filed + 4 trapped = 5
    assert post_report(description="再反映一次：施工噪声很大。").status_code == 429


def test_twenty_lookups_per_ip_and_hour_then_429(english) -> None:
    for _ in range(20):
        response = english.post(TRACK_URL, {"tracking_number": "ABCDEFGHJKLM", "digits": "1234"},
                                REMOTE_ADDR="198.51.100.9")
        assert response.status_code == 404
    response = english.post(TRACK_URL, {"tracking_number": "ABCDEFGHJKLM", "digits": "1234"},
                            REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()


def test_the_429_page_is_in_chinese_by_default(client) -> None:
    limit = limits.LOOKUPS_PER_IP
    for _ in range(limit.count):
        limit.hit("198.51.100.20")
    response = client.post(TRACK_URL, {"tracking_number": "X"}, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 429
    assert 'lang="zh-hans"' in response.content.decode()


def test_a_limit_counts_per_window() -> None:
    limit = limits.Limit("test", 2, 60)
    assert not limit.exceeded("a", now=1000.0)
    limit.hit("a", now=1000.0)
    limit.hit("a", now=1001.0)
    assert limit.exceeded("a", now=1002.0)
    assert not limit.exceeded("b", now=1002.0)
    assert not limit.exceeded("a", now=1000.0 + 60)  # the next window


def test_the_client_address_behind_trusted_proxies(rf, settings) -> None:
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert limits.client_ip(request) == "10.0.0.2"  # no proxies declared: the header is not trusted
    settings.TRUSTED_PROXIES = 1
    assert limits.client_ip(request) == "203.0.113.5"


def test_the_over_sized_request_check_comes_before_the_rate_limit(english, org) -> None:
    response = english.post(REPORT_URL, report_data(), CONTENT_LENGTH="999999999")
    assert response.status_code == 413
