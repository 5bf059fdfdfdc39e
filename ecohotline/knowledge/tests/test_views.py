"""The knowledge pages: who may read them, the list with filters and search, an article page with its versions,
supersession and a standard's tables from the standards module, the case fragment and its cite text, the admin
editing with inline versions, and the API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ecohotline.cases.models import CaseStatus
from ecohotline.factories import UserFactory, force_status, make_case
from ecohotline.knowledge import search
from ecohotline.knowledge.models import Article, ArticleVersion
from ecohotline.knowledge.tests.conftest import client_for
from ecohotline.org.models import Role
from ecohotline.standards import noise

pytestmark = pytest.mark.django_db
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING)


def english(user: Any) -> Client:
    user.language = "en"
    user.save(update_fields=["language"])
    return client_for(user)


def article(code: str) -> Article:
    return Article.objects.get(code=code)


def test_anonymous_is_sent_to_login() -> None:
    law = article("noise-law-43")
    for url in [reverse("knowledge:article-list"), reverse("knowledge:article-detail", args=[law.pk]),
                reverse("knowledge:for-case", args=[1])]:
        response = Client().get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_staff_role_reads_the_knowledge_base(org: Any, role: str) -> None:
    client = client_for(org.by_role(role))
    listing = client.get(reverse("knowledge:article-list"))
    assert listing.status_code == 200
    assert "噪声污染防治法 第四十三条" in listing.content.decode()
    page = client.get(reverse("knowledge:article-detail", args=[article("noise-law-43").pk]))
    assert page.status_code == 200
    assert "禁止夜间进行产生噪声的建筑施工作业" in page.content.decode()


def test_a_user_without_any_role_is_refused() -> None:
    nobody = UserFactory(username="nobody", roles=[])
    assert client_for(nobody).get(reverse("knowledge:article-list")).status_code == 403


def test_list_filters_and_search(org: Any) -> None:
    client = english(org.handler)
    body = client.get(reverse("knowledge:article-list"), {"kind": "standard"}).content.decode()
    assert "GB 22337-2008" in body and "noise-law-43" not in body
    body = client.get(reverse("knowledge:article-list"), {"category": "air"}).content.decode()
    assert "air-law-81" in body and "GB 12523-2011" not in body
    body = client.get(reverse("knowledge:article-list"), {"tag": "夜间施工"}).content.decode()
    assert "noise-law-43" in body and "air-law-81" not in body

    response = client.get(reverse("knowledge:article-list"), {"q": "油烟"})
    body = response.content.decode()
    assert "articles found for “油烟”" in body
    first = body.index('data-code="')
    assert body[first + len('data-code="'):].split('"')[0] == search.search("油烟")[0].article.code
    assert "noise-law-43" not in body


def test_list_and_search_take_a_fixed_number_of_queries(org: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(org.handler)
    client.get(reverse("knowledge:article-list"))  # warm the session and the user's roles
    with django_assert_max_num_queries(14):
        assert client.get(reverse("knowledge:article-list")).status_code == 200
    with django_assert_max_num_queries(19):
        assert client.get(reverse("knowledge:article-list"), {"q": "噪声 夜间 施工 油烟"}).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_superseded_standard_shows_which_applied_when(org: Any) -> None:
    client = english(org.handler)
    old = article("HJ 633-2012")
    body = client.get(reverse("knowledge:article-list"), {"q": "空气质量指数"}).content.decode()
    assert "Superseded by HJ 633-2026 on 2026-03-01" in body
    page = client.get(reverse("knowledge:article-detail", args=[old.pk])).content.decode()
    assert "Which applied when" in page
    assert "2016-01-01 to 2026-03-01 (exclusive)" in page and "from 2026-03-01" in page
    assert "No version was in force on 2026-11-23" in page
    on_day = client.get(reverse("knowledge:article-detail", args=[old.pk]), {"on": "2025-05-01"}).content.decode()
    assert "Text in force on 2025-05-01 (version of 2016-01-01)" in on_day


def test_article_versions_history(org: Any) -> None:
    client = english(org.handler)
    proc = article("proc-noise-measurement")
    page = client.get(reverse("knowledge:article-detail", args=[proc.pk]), {"on": "2025-06-01"}).content.decode()
    assert "Text in force on 2025-06-01 (version of 2024-01-01)" in page
    assert "结构传播" not in page.split('id="article-body"')[1].split("</div>")[0]
    assert "2024-01-01 to 2026-01-01 (exclusive)" in page and "第二版" in page
    today = client.get(reverse("knowledge:article-detail", args=[proc.pk]), {"on": "2026-06-01"}).content.decode()
    assert "结构传播" in today.split('id="article-body"')[1].split("</div>")[0]


def test_standard_page_renders_the_limits_table_from_the_standards_module(org: Any, monkeypatch: Any) -> None:
    client = english(org.handler)
    url = reverse("knowledge:article-detail", args=[article("GB 22337-2008").pk])
    page = client.get(url).content.decode()
    assert "GB 22337-2008 表1 社会生活噪声排放源边界噪声排放限值" in page
    row = "<tr><td>2</td><td>60</td><td>50</td></tr>"
    assert row in page.replace("\n", "")
    # Not a copy: change the module's table and the page follows.
    changed = dict(noise.GB22337_TABLE_1)
    changed["2"] = noise.DayNight(61, 49)
    monkeypatch.setattr(noise, "GB22337_TABLE_1", changed)
    page = client.get(url).content.decode().replace("\n", "")
    assert "<tr><td>2</td><td>61</td><td>49</td></tr>" in page and row not in page
    # Every seeded standard has tables; a law article has none.
    for code in ["GB 3096-2008", "GB 12348-2008", "GB 12523-2011", "HJ 633-2012", "HJ 633-2026", "GB 18483-2001",
                 "DB11/1488-2018", "GB 3838-2002"]:
        page = client.get(reverse("knowledge:article-detail", args=[article(code).pk])).content.decode()
        assert "standard-table" in page, code
    law = client.get(reverse("knowledge:article-detail", args=[article("noise-law-43").pk])).content.decode()
    assert "standard-table" not in law


def test_article_text_is_escaped(org: Any) -> None:
    proc = article("proc-noise-measurement")
    ArticleVersion.objects.filter(article=proc).update(body="<script>alert(1)</script> **要点**")
    page = client_for(org.handler).get(reverse("knowledge:article-detail", args=[proc.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page and "<strong>要点</strong>" in page


@time_machine.travel(NOW, tick=False)
def test_case_fragment_lists_relevant_articles_with_cite_text(org: Any) -> None:
    case = make_case(category="noise", sub_category="noise.construction", description="工地夜间施工噪声扰民")
    response = english(org.dispatcher).get(reverse("knowledge:for-case", args=[case.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-code="noise-law-43"' in body
    assert 'data-cite="《中华人民共和国噪声污染防治法》第四十三条"' in body
    assert 'data-cite="GB 12523-2011《建筑施工场界环境噪声排放标准》"' in body
    assert 'data-code="faq-night-construction"' in body
    assert 'data-code="noise-law-88"' in body  # linked to the parent category: relevant to every noise case
    assert 'data-code="air-law-81"' not in body and 'data-code="GB 22337-2008"' not in body
    assert "As in force today (2026-11-23)" in body
    assert "knowledge/cite.js" in body


def test_case_fragment_reply_wording_is_inserted_whole(org: Any) -> None:
    case = make_case(category="air", sub_category="air.catering_fumes")
    body = english(org.dispatcher).get(reverse("knowledge:for-case", args=[case.pk])).content.decode()
    assert 'data-code="reply-fumes-exceeds"' in body
    assert "Use wording" in body
    assert 'data-cite="您好！关于您反映的【商户名称】餐饮油烟扰民问题' in body


@time_machine.travel(NOW, tick=False)
def test_closed_case_gets_the_version_in_force_when_received(org: Any) -> None:
    received = datetime.datetime(2025, 6, 1, 9, 0, tzinfo=BEIJING)
    open_case = make_case(category="air", received_at=received)
    closed_case = force_status(make_case(category="air", received_at=received), CaseStatus.CLOSED,
                               closed_at=timezone.now())
    client = english(org.dispatcher)
    open_body = client.get(reverse("knowledge:for-case", args=[open_case.pk])).content.decode()
    assert 'data-code="HJ 633-2026"' in open_body and 'data-code="HJ 633-2012"' not in open_body
    closed_body = client.get(reverse("knowledge:for-case", args=[closed_case.pk])).content.decode()
    assert 'data-code="HJ 633-2012"' in closed_body and 'data-code="HJ 633-2026"' not in closed_body
    assert "As in force when the case was received (2025-06-01)" in closed_body
    # A case received before the procedure's second version, closed: the first version's date is shown.
    noise_case = force_status(make_case(category="noise", sub_category="noise.social", received_at=received),
                              CaseStatus.CLOSED, closed_at=timezone.now())
    body = client.get(reverse("knowledge:for-case", args=[noise_case.pk])).content.decode()
    assert "version of 2024-01-01" in body and "version of 2026-01-01" not in body


def test_case_fragment_respects_case_visibility(org: Any) -> None:
    case = make_case(category="noise")
    assert client_for(org.other_handler).get(reverse("knowledge:for-case", args=[case.pk])).status_code == 404


def test_admin_edits_article_with_inline_versions_and_reindexes(org: Any) -> None:
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save()
    client = client_for(org.admin)
    proc = article("proc-noise-measurement")
    assert client.get(reverse("admin:knowledge_article_change", args=[proc.pk])).status_code == 200
    response = client.post(reverse("admin:knowledge_article_add"), {
        "kind": "faq", "code": "faq-admin", "title": "扬尘问答", "citation": "", "source": "",
        "categories": [], "tags": [], "superseded_by": "", "repealed_on": "",
        "versions-TOTAL_FORMS": "1", "versions-INITIAL_FORMS": "0", "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-effective_from": "2026-01-01", "versions-0-body": "工地扬尘如何处理", "versions-0-note": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    created = article("faq-admin")
    assert created.versions.get().created_by == org.admin
    assert search.search("扬尘")[0].article.code == "faq-admin"


@pytest.mark.urls("ecohotline.knowledge.tests.urls_with_api")
@time_machine.travel(NOW, tick=False)
def test_api(org: Any) -> None:
    client = client_for(org.handler)
    assert Client().get("/api/v1/knowledge/articles").status_code in (401, 403)
    data = client.get("/api/v1/knowledge/articles", {"q": "噪声 夜间 施工"})
    results = data.json()["results"]
    assert {results[0]["code"], results[1]["code"]} == {"noise-law-43", "faq-night-construction"}
    assert results[0]["score"] > 0
    assert client.get("/api/v1/knowledge/articles", {"kind": "poem"}).status_code == 400
    old = client.get(f"/api/v1/knowledge/articles/{article('HJ 633-2012').pk}").json()
    assert old["standing"] == "superseded" and old["superseded_by"] == "HJ 633-2026"
    assert old["applied"] == [{"code": "HJ 633-2012", "from": "2016-01-01", "until": "2026-03-01"},
                              {"code": "HJ 633-2026", "from": "2026-03-01", "until": None}]
    case = make_case(category="noise", sub_category="noise.construction")
    assert client_for(org.other_handler).get(f"/api/v1/knowledge/cases/{case.pk}").status_code == 404
    cited = client_for(org.dispatcher).get(f"/api/v1/knowledge/cases/{case.pk}").json()
    assert {"code": "noise-law-43", "cite": "《中华人民共和国噪声污染防治法》第四十三条"}.items() <= next(
        item for item in cited["results"] if item["code"] == "noise-law-43").items()
