"""The analysis, forecast and alerts pages and their API: who may see them, what they show, bad input."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from ecohotline.cases.models import Channel
from ecohotline.cases.services import CaseDraft, create_cases
from ecohotline.core.workdays import BEIJING
from ecohotline.insight.models import AlertStatus, InsightAlert

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def cases(org: Any) -> None:
    create_cases(actor=None, drafts=[
        CaseDraft(channel=Channel.HOTLINE_12345, received_at=dt.datetime(2026, 11, 4, 15, 30, tzinfo=UTC),
                  description="烧烤油烟，联系人张三13812345678", category="air", sub_category="air.catering_fumes",
                  polluter="老王烧烤", street=org.street, complainant_name="张三", complainant_phone="13812345678"),
        CaseDraft(channel=Channel.HOTLINE_12345, received_at=dt.datetime(2026, 11, 5, 10, tzinfo=BEIJING),
                  description="工地噪声", category="noise", sub_category="noise.construction", street=org.other_street),
    ])


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_analysis_page_for_an_analyst(client: Any, org: Any, cases: None) -> None:
    client.force_login(org.analyst)
    page = client.get(reverse("insight:index"), {"start": "2026-11-01", "end": "2026-11-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="table-category"' in html and 'id="table-industry"' in html and 'id="table-heatmap"' in html
    assert "H62 餐饮业" in html and "E47 房屋建筑业" in html and org.street.name in html
    assert "/insight/hot-issues/" in html and reverse("insight:forecast") in html
    assert "张三" not in html and "13812345678" not in html  # counts only, never the complainant
    data = page.context["data"]
    assert data["heatmap"]["values"][2 * 24 + 23] == [23, 2, 1]  # Wednesday 23:30 Beijing (15:30 UTC)
    assert dict((row[0], row[1]) for row in data["category"]) == {"大气": 1, "噪声": 1}


def test_a_bad_period_says_what_is_wrong(client: Any, org: Any) -> None:
    client.force_login(org.leader)
    page = client.get(reverse("insight:index"), {"start": "2026-11-30", "end": "2026-11-01"})
    assert page.status_code == 200
    errors = page.context["form"].non_field_errors()
    assert len(errors) == 1 and str(errors[0]) in page.content.decode()
    assert "alert-danger" in page.content.decode()


@pytest.mark.parametrize("name", ["insight:index", "insight:forecast", "insight:alerts"])
def test_a_handler_may_not_see_the_pages(client: Any, org: Any, name: str) -> None:
    client.force_login(org.handler)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["api:insight-breakdown", "api:insight-forecast", "api:insight-alerts"])
def test_a_handler_may_not_use_the_api(org: Any, name: str) -> None:
    assert api(org.handler).get(reverse(name), {"start": "2026-11-01", "end": "2026-11-30",
                                                "by": "hour"}).status_code == 403
    assert APIClient().get(reverse(name)).status_code in (401, 403)


def test_the_breakdown_api(org: Any, cases: None) -> None:
    client = api(org.analyst)
    body = client.get(reverse("api:insight-breakdown"), {"start": "2026-11-01", "end": "2026-11-30",
                                                        "by": "hour"}).json()
    hours = {row["key"]: row["current"] for row in body["rows"]}
    assert hours["23"] == 1 and hours["10"] == 1 and hours["15"] == 0
    assert body["previous_period"] == {"start": "2026-10-02", "end": "2026-10-31"}
    industry = client.get(reverse("api:insight-breakdown"), {"start": "2026-11-01", "end": "2026-11-30",
                                                            "by": "industry"}).json()
    assert {row["key"]: row["current"] for row in industry["rows"]} == {"H62": 1, "E47": 1}
    bad = client.get(reverse("api:insight-breakdown"), {"start": "2026-11-01", "end": "2026-11-30", "by": "colour"})
    assert bad.status_code == 400 and "by" in bad.json()["errors"]
    bad = client.get(reverse("api:insight-breakdown"), {"start": "1 Nov", "end": "2026-11-30", "by": "hour"})
    assert bad.status_code == 400 and "start" in bad.json()["errors"]


def test_the_forecast_page_and_api(client: Any, org: Any, cases: None) -> None:
    client.force_login(org.analyst)
    assert client.get(reverse("insight:forecast")).status_code == 200
    body = api(org.analyst).get(reverse("api:insight-forecast"), {"weeks": "4"}).json()
    assert body["horizon"] == 4 and body["forecasts"][0]["category"] == "total"
    assert len(body["forecasts"][0]["forecast"]) == 4
    assert api(org.analyst).get(reverse("api:insight-forecast"), {"weeks": "99"}).status_code == 400


def test_alerts_are_listed_and_acknowledged(client: Any, org: Any) -> None:
    alert = InsightAlert.objects.create(category="air.catering_fumes", street=org.street,
                                        week_start=dt.date(2026, 11, 9), observed=12, expected=2.0, p_value=1e-6)
    body = api(org.leader).get(reverse("api:insight-alerts")).json()
    assert body["results"][0]["street"] == org.street.name and body["results"][0]["ratio"] == 6.0
    client.force_login(org.analyst)
    page = client.get(reverse("insight:alerts"))
    assert page.status_code == 200 and f'id="alert-{alert.pk}"' in page.content.decode()
    answer = client.post(reverse("insight:alert-handle", args=[alert.pk]), {"status": "dismissed"})
    assert answer.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED and alert.handled_by == org.analyst
    assert client.get(reverse("insight:alert-handle", args=[alert.pk])).status_code == 405
    client.force_login(org.handler)
    assert client.post(reverse("insight:alert-handle", args=[alert.pk]), {"status": "open"}).status_code == 403


def test_the_commands(org: Any, cases: None) -> None:
    out = io.StringIO()
    call_command("insight", "breakdown", "--start", "2026-11-01", "--end", "2026-11-30", "--by", "street",
                 "--format", "json", stdout=out)
    body = json.loads(out.getvalue())
    assert {row["label"]: row["current"] for row in body["rows"]} == {org.street.name: 1, org.other_street.name: 1}
    out = io.StringIO()
    call_command("insight", "rises", "--week", "2026-11-02", stdout=out)
    assert "0 significant" in out.getvalue()
    out = io.StringIO()
    call_command("insight", "forecast", "--weeks", "2", "--until", "2026-11-18", stdout=out)
    assert "2026-11-16" in out.getvalue() and "2026-11-23" in out.getvalue()
    out = io.StringIO()
    call_command("insight", "backtest", stdout=out)
    assert out.getvalue().strip()
    with pytest.raises(CommandError):
        call_command("insight", "breakdown", "--start", "2026-11-30", "--end", "2026-11-01", stdout=io.StringIO())
