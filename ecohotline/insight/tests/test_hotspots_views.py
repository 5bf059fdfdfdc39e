"""The hotspots and sources pages, their API and the `ecohotline insight hotspots|emerging|sources` commands:
who may see them, what they answer for a planted cluster and source, clear errors, and no complainant data."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ecohotline.cases.models import Case, Channel
from ecohotline.cases.services import CaseDraft, create_cases
from ecohotline.core.geo import CELL_DEGREES
from ecohotline.core.workdays import BEIJING
from ecohotline.insight.hotspots import cell_id

pytestmark = pytest.mark.django_db

ROW0, COL0 = 7983, 23260
SIZE = 12
START, END = "2026-10-01", "2026-10-31"
CLUSTER = [(4, 4), (4, 5), (5, 4), (5, 5)]
SECRETS = ("张三丰", "13812345678", "李四光", "13987654321")


def draft(row: int, col: int, day: dt.date, *, k: int, **fields: Any) -> CaseDraft:
    fields.setdefault("description", "噪声扰民")
    return CaseDraft(channel=Channel.HOTLINE_12345, latitude=(ROW0 + row + 0.5) * CELL_DEGREES,
                     longitude=(COL0 + col + 0.5) * CELL_DEGREES, category="noise", sub_category="noise.social",
                     received_at=dt.datetime.combine(day, dt.time(k % 24), tzinfo=BEIJING), **fields)


@pytest.fixture
def district() -> list[Case]:
    """A Poisson background with a planted cluster of 20 complaints a cell, whose complainants put their names
    and phones in the texts; the cluster's cases are about one restaurant."""
    rng = np.random.default_rng(3)
    day = dt.date(2026, 10, 10)
    drafts = [draft(row, col, day, k=k) for row in range(SIZE) for col in range(SIZE)
              for k in range(int(rng.poisson(2)))]
    for row, col in CLUSTER:
        for k in range(20):
            who, phone = (SECRETS[0], SECRETS[1]) if k % 2 else (SECRETS[2], SECRETS[3])
            drafts.append(draft(row, col, day, k=k, polluter="老王烧烤", address="海淀区中关村大街1号",
                                title=f"{who}投诉烧烤油烟{phone}", description=f"我是{who}，电话{phone}，烧烤油烟扰民",
                                complainant_name=who, complainant_phone=phone))
    return create_cases(actor=None, drafts=drafts)


def pages() -> list[str]:
    query = f"?start={START}&end={END}"
    return [reverse("insight:hotspots") + query, reverse("insight:sources") + query]


def apis() -> list[str]:
    return [reverse("api:insight-hotspots") + f"?start={START}&end={END}",
            reverse("api:insight-emerging") + f"?end={END}&weeks=8",
            reverse("api:insight-sources") + f"?start={START}&end={END}"]


def test_a_handler_gets_403_and_a_stranger_the_login(client: Client, org: Any) -> None:
    for url in pages() + apis():
        assert client.get(url).status_code in (302, 401, 403)
    client.force_login(org.handler)
    for url in pages() + apis():
        assert client.get(url).status_code == 403, url


def test_the_hotspots_page_shows_the_planted_cluster_without_complainant_data(
        client: Client, org: Any, district: list[Case]) -> None:
    client.force_login(org.analyst)
    response = client.get(pages()[0] + "&category=noise&lang=en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="hotspot-1"' in html and 'id="hotspot-2"' not in html
    assert 'id="hotspots-map"' in html and "insight/hotspots.js" in html
    cluster_cases = [case for case in district if case.polluter]
    latest = max(cluster_cases, key=lambda case: (case.received_at, case.pk))
    assert reverse("ui:case-detail", args=[latest.pk]) in html
    for secret in SECRETS:
        assert secret not in html
    data = response.context["data"]
    assert {cell["kind"] for cell in data["cells"]} == {"hot"}
    assert len(data["cells"]) == len(response.context["result"].hot_cells) >= 4
    assert all(len(cell["polygon"]) == 4 for cell in data["cells"])


def test_the_sources_page_ranks_the_restaurant(client: Client, org: Any, district: list[Case]) -> None:
    client.force_login(org.leader)
    response = client.get(pages()[1])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="source-1"' in html and "老王烧烤" in html
    assert response.context["found"].sources[0].complaints == 80
    assert response.context["found"].sources[0].complainants == 2
    for secret in SECRETS:
        assert secret not in html


def test_a_bad_form_falls_back_to_the_defaults_with_the_error(client: Client, org: Any) -> None:
    client.force_login(org.analyst)
    response = client.get(reverse("insight:hotspots") + "?start=2026-10-31&end=2026-10-01&lang=en")
    assert response.status_code == 200
    assert "The end must be on or after the start." in response.content.decode()
    assert response.context["end"] - response.context["start"] == dt.timedelta(days=89)  # the default period


@pytest.mark.parametrize("name", ["insight:index", "insight:hotspots", "insight:sources", "insight:hot-issues"])
def test_the_date_fields_show_the_period_the_page_applies(client: Client, org: Any, name: str) -> None:
    """An HTML date input shows only an ISO date (YYYY-MM-DD): the default period is filled in as one."""
    client.force_login(org.analyst)
    page = client.get(reverse(name)).content.decode()
    end = re.search(r'<input type="date" name="end" value="(\d{4}-\d{2}-\d{2})"', page)
    start = re.search(r'<input type="date" name="start" value="(\d{4}-\d{2}-\d{2})"', page)
    assert start and end and dt.date.fromisoformat(start.group(1)) < dt.date.fromisoformat(end.group(1))


def test_the_api_answers_for_an_analyst(client: Client, org: Any, district: list[Case]) -> None:
    client.force_login(org.analyst)
    hot = client.get(apis()[0]).json()
    assert hot["method"] == "getis_ord_gi_star" and hot["fdr"] == "benjamini_hochberg"
    assert len(hot["hotspots"]) == 1
    area = hot["hotspots"][0]
    cells = {cell["cell"] for cell in area["cells"]}
    assert {cell_id(ROW0 + r, COL0 + c) for r, c in CLUSTER} <= cells
    in_cells = Case.objects.filter(geo_cell__in=cells)
    assert area["case_count"] == in_cells.count() == area["count"]
    assert set(area["case_ids"]) <= set(in_cells.values_list("pk", flat=True))
    assert all(cell["q"] <= 0.05 and cell["z"] > 0 for cell in area["cells"])
    first = area["cells"][0]
    assert first["bounds"]["north"] - first["bounds"]["south"] == pytest.approx(CELL_DEGREES)

    emerging = client.get(apis()[1])
    assert emerging.status_code == 200 and emerging.json()["weeks"] == 8

    found = client.get(apis()[2]).json()
    assert found["sources"][0]["name"] == "老王烧烤" and found["sources"][0]["complaints"] == 80
    body = json.dumps([hot, emerging.json(), found], ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in body


@pytest.mark.parametrize(("url", "field"), [
    ("api:insight-hotspots", "start"), ("api:insight-hotspots", "end"), ("api:insight-hotspots", "category"),
    ("api:insight-emerging", "weeks"), ("api:insight-sources", "top"),
])
def test_bad_api_parameters_get_a_400_naming_them(client: Client, org: Any, url: str, field: str) -> None:
    client.force_login(org.analyst)
    bad = {"start": "start=2026-13-01", "end": "start=2026-10-31&end=2026-10-01", "category": "category=nope",
           "weeks": "weeks=2", "top": "top=abc"}[field]
    response = client.get(f"{reverse(url)}?{bad}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["errors"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("insight", *args, stdout=out)
    return out.getvalue()


def test_the_commands(district: list[Case]) -> None:
    hot = json.loads(run("hotspots", "--start", START, "--end", END, "--format", "json"))
    assert len(hot["hotspots"]) == 1 and len(hot["hotspots"][0]["case_ids"]) == hot["hotspots"][0]["count"]
    with translation.override("en"):
        table = run("hotspots", "--start", START, "--end", END, "--category", "noise.social")
    assert "  1 " in table and "hot" in table

    found = json.loads(run("sources", "--start", START, "--end", END, "--top", "1", "--format", "json"))
    assert [source["name"] for source in found["sources"]] == ["老王烧烤"]
    text = run("sources", "--start", START, "--end", END) + run("emerging", "--end", END, "--weeks", "6")
    assert "老王烧烤" in text
    for secret in SECRETS:
        assert secret not in text + json.dumps(found, ensure_ascii=False)


@pytest.mark.parametrize("args", [
    ("hotspots", "--start", "2026-10-32"), ("hotspots", "--start", END, "--end", START),
    ("emerging", "--weeks", "1"), ("sources", "--category", "nope"), ("sources", "--top", "0"),
])
def test_bad_command_input_is_a_clear_error(db: None, args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError):
        run(*args)
