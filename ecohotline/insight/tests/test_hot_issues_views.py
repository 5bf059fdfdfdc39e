"""The hot-issues page and API: only the overview roles see them; an analyst sees the planted issue with its heat,
time range and links to its cases; the complainant's name and phone are never in the response."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from ecohotline.cases.models import Case
from ecohotline.conftest import Org
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db

NAME, PHONES = "欧阳修远", ["13911112222", "13911113333", "13911114444"]
NOW = dt.datetime(2026, 6, 30, 12, 0)


@pytest.fixture
def planted(org: Org) -> list[Case]:
    """Four complaints about the mixing plant at 丽景花园小区 from three people in June, one unrelated complaint, and
    an old one about the same plant outside the default 90 days."""
    zone = timezone.get_default_timezone()
    base = dt.datetime(2026, 6, 1, 9, 0, tzinfo=zone)
    cases = [make_case(received_at=base + dt.timedelta(days=k), title=title, description=text,
                       complainant_name=NAME, complainant_phone=PHONES[k % 3])
             for k, (title, text) in enumerate([
                 ("丽景花园小区搅拌站噪音扰民", f"丽景花园小区旁搅拌站噪音很大，我是{NAME}，电话{PHONES[0]}"),
                 ("丽景花园小区旁边搅拌站噪音太大", "搅拌站噪音吵得丽景花园小区居民无法休息"),
                 ("投诉丽景花园小区搅拌站夜间噪音", "每天夜里搅拌站还在作业，噪音很大"),
                 ("丽景花园小区附近搅拌站噪音影响休息", "搅拌站噪音太大，老人孩子休息不好")])]
    make_case(received_at=base, title="西山公园厕所太少", description="厕所太少，排队很长",
              complainant_phone="13900000000")
    make_case(received_at=base - dt.timedelta(days=120), title="丽景花园小区搅拌站噪音扰民", description="搅拌站噪音")
    return cases


def signed_in(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture(autouse=True)
def now() -> object:
    with time_machine.travel(timezone.make_aware(NOW), tick=False), translation.override("en"):
        yield


def test_a_handler_may_not_see_the_page_or_the_api(client: Client, org: Org, planted: list[Case]) -> None:
    signed_in(client, org.handler)
    assert client.get(reverse("insight:hot-issues")).status_code == 403
    url = reverse("api:insight-hot-issues")
    assert client.get(url, {"start": "2026-06-01", "end": "2026-06-30"}).status_code == 403


def test_anonymous_is_sent_to_sign_in_and_refused_by_the_api(client: Client, planted: list[Case]) -> None:
    assert client.get(reverse("insight:hot-issues")).status_code == 302
    assert client.get(reverse("api:insight-hot-issues"), {"start": "2026-06-01", "end": "2026-06-30"}
                      ).status_code in (401, 403)


def test_an_analyst_sees_the_issue_of_the_last_90_days_with_links_to_its_cases(
        client: Client, org: Org, planted: list[Case]) -> None:
    response = signed_in(client, org.analyst).get(reverse("insight:hot-issues"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('id="issue-') == 1
    assert "丽景花园" in html and "搅拌站" in html
    assert "2026-04-02 – 2026-06-30" in html  # the default period: 90 days up to today
    assert "2026-06-01 – 2026-06-04" in html  # the issue's time range
    for case in planted:
        assert reverse("ui:case-detail", args=[case.pk]) in html
    assert NAME not in html and not any(phone in html for phone in PHONES)


def test_the_page_takes_a_period_and_says_what_is_wrong_with_a_bad_one(
        client: Client, org: Org, planted: list[Case]) -> None:
    org.leader.language = "en"  # the messages checked in the source language
    org.leader.save(update_fields=["language"])
    signed_in(client, org.leader)
    html = client.get(reverse("insight:hot-issues"), {"start": "2026-06-05", "end": "2026-06-30", "top": "5"}
                      ).content.decode()
    assert 'id="issue-' not in html and "No hot issue in this period." in html
    html = client.get(reverse("insight:hot-issues"), {"start": "2026-06-30", "end": "2026-06-01", "top": "5"}
                      ).content.decode()
    assert "The end must be on or after the start" in html


def test_the_api_gives_the_figures_to_an_analyst(client: Client, org: Org, planted: list[Case]) -> None:
    response = signed_in(client, org.analyst).get(reverse("api:insight-hot-issues"),
                                                  {"start": "2026-06-01", "end": "2026-06-30", "top": "3"})
    assert response.status_code == 200
    data = response.json()
    assert (data["start"], data["end"], data["cases"]) == ("2026-06-01", "2026-06-30", 5)
    [issue] = data["issues"]
    assert sorted(issue["member_ids"]) == sorted(case.reference for case in planted)
    assert (issue["rank"], issue["messages"], issue["complainants"]) == (1, 4, 3)
    # 3 people + 3 + 0.1 (the first phone again within 30 days) over 3 days, ending 26.5 days before the period's end.
    last = planted[-1].received_at
    age = (timezone.make_aware(dt.datetime(2026, 7, 1)) - last).total_seconds() / 86400
    assert issue["heat"] == pytest.approx(6.1 * (1 + 0.5 * 3 / 365) * 0.5 ** (age / 180), abs=0.01)
    assert "丽景花园" in issue["place"] and "搅拌站" in issue["problem"]
    assert NAME not in response.content.decode() and not any(p in response.content.decode() for p in PHONES)


@pytest.mark.parametrize(("query", "field"), [
    ({"start": "June", "end": "2026-06-30"}, "start"),
    ({"start": "2026-06-01"}, "end"),
    ({"start": "2026-06-30", "end": "2026-06-01"}, "end"),
    ({"start": "2024-01-01", "end": "2026-06-30"}, "end"),
    ({"start": "2026-06-01", "end": "2026-06-30", "top": "0"}, "top"),
    ({"start": "2026-06-01", "end": "2026-06-30", "top": "many"}, "top"),
])
def test_the_api_names_a_bad_parameter(client: Client, org: Org, query: dict[str, str], field: str) -> None:
    response = signed_in(client, org.analyst).get(reverse("api:insight-hot-issues"), query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["errors"]
