"""Search in Chinese: segmented queries, title hits first, BM25 within; on the seeded articles and on a planted set."""

from __future__ import annotations

import pytest

from ecohotline.knowledge import search, selectors
from ecohotline.knowledge.models import Article, IndexedTerm
from ecohotline.knowledge.tests.conftest import make_article

pytestmark = pytest.mark.django_db


def codes(query: str, articles=None) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit.article.code for hit in search.search(query, articles)]


def test_tokenize_segments_chinese() -> None:
    assert search.tokenize("噪声 夜间 施工") == ["噪声", "夜间", "施工"]
    assert "油烟" in search.tokenize("排放油烟的餐饮服务业经营者")
    assert "的" not in search.tokenize("排放油烟的餐饮服务业经营者")


def test_seeded_night_construction_noise() -> None:
    found = codes("噪声 夜间 施工")
    # The law article and the FAQ hold all three words in their titles; the construction noise standard two.
    assert set(found[:2]) == {"noise-law-43", "faq-night-construction"}
    assert found[2] == "GB 12523-2011"
    hits = search.search("噪声 夜间 施工")
    assert [hit.title_terms for hit in hits[:3]] == [3, 3, 2]


def test_seeded_fumes_query_finds_fumes_articles_first() -> None:
    found = codes("油烟")
    fumes = {"air-law-81", "GB 18483-2001", "DB11/1488-2018", "faq-catering-fumes", "reply-fumes-exceeds"}
    assert set(found[:5]) == fumes
    assert found[0] in {"air-law-81", "GB 18483-2001", "faq-catering-fumes", "reply-fumes-exceeds"}
    # Every hit really holds the word, and none of the noise articles is among them.
    assert not any(code.startswith("noise-law") for code in found)


def test_search_with_unsegmented_sentence() -> None:
    assert codes("工地晚上夜间施工噪声扰民怎么处理")[0] in {"noise-law-43", "faq-night-construction"}


def test_title_hits_rank_first_then_bm25(empty_kb: None) -> None:
    make_article("body-many", title="施工管理办法", body="夜间 噪声 " * 20 + "噪声监测。")
    make_article("title-hit", title="夜间噪声", body="正文与主题无关。")
    make_article("body-once", title="其他规定", body="偶尔提到噪声。" + "无关内容。" * 30)
    make_article("unrelated", title="水质标准", body="地表水。")

    found = codes("夜间 噪声")
    assert found[0] == "title-hit"  # both words in the title
    assert found[1:] == ["body-many", "body-once"]  # BM25: more occurrences, shorter text rank higher
    hits = search.search("夜间 噪声")
    assert hits[0].title_terms == 2 and hits[0].matched == ["夜间", "噪声"]
    assert hits[1].score > hits[2].score


def test_tags_are_searched_and_filters_narrow(empty_kb: None) -> None:
    make_article("tagged", title="一号规程", body="内容", tags=("油烟",), categories=("air.catering_fumes",))
    make_article("faq-1", kind="faq", title="油烟问答", body="油烟", categories=("air.catering_fumes",))
    assert set(codes("油烟")) == {"tagged", "faq-1"}
    assert codes("油烟", selectors.articles(kind="faq")) == ["faq-1"]
    assert codes("油烟", selectors.articles(category="air")) == ["faq-1", "tagged"]
    assert codes("油烟", selectors.articles(tag="油烟")) == ["tagged"]
    assert codes("的 了") == []


def test_index_follows_new_versions(empty_kb: None) -> None:
    import datetime

    make_article("proc-x", title="规程", body="旧的做法")
    assert codes("油烟") == []
    make_article("proc-x", title="规程", body="新增油烟检查", effective_from=datetime.date(2026, 1, 1))
    assert codes("油烟") == ["proc-x"]
    article = Article.objects.get(code="proc-x")
    assert IndexedTerm.objects.filter(article=article, term="油烟").exists()
