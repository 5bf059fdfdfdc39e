"""Versions with effective dates, repeal and supersession (HJ 633-2012 → HJ 633-2026 on 2026-03-01)."""

from __future__ import annotations

import datetime

import pytest

from ecohotline.knowledge import selectors
from ecohotline.knowledge.models import Article
from ecohotline.knowledge.tests.conftest import make_article

pytestmark = pytest.mark.django_db
D = datetime.date


def test_version_on_picks_the_latest_version_in_force(empty_kb: None) -> None:
    make_article("proc-a", body="第一版", effective_from=D(2024, 1, 1))
    article = make_article("proc-a", body="第二版", effective_from=D(2026, 1, 1))

    assert article.versions.count() == 2
    assert article.version_on(D(2023, 12, 31)) is None
    assert article.version_on(D(2024, 1, 1)).body == "第一版"
    assert article.version_on(D(2025, 12, 31)).body == "第一版"
    assert article.version_on(D(2026, 1, 1)).body == "第二版"
    assert selectors.version_on(article, D(2026, 6, 1)).body == "第二版"
    periods = selectors.version_periods(article)
    assert [(p.version.body, p.until) for p in periods] == [("第二版", None), ("第一版", D(2026, 1, 1))]


def test_supersession_tells_which_article_applied_when(empty_kb: None) -> None:
    old = make_article("HJ 633-2012", kind="standard", body="旧", effective_from=D(2016, 1, 1))
    new = make_article("HJ 633-2026", kind="standard", body="新", effective_from=D(2026, 3, 1), supersedes=old.code)
    old.refresh_from_db()

    assert old.superseded_by == new and old.repealed_on == D(2026, 3, 1)
    assert old.version_on(D(2026, 2, 28)).body == "旧"
    assert old.version_on(D(2026, 3, 1)) is None
    # From either end of the chain, the article in force on a day.
    assert selectors.applicable_on(old, D(2026, 2, 28))[0] == old
    assert selectors.applicable_on(old, D(2026, 3, 1))[0] == new
    assert selectors.applicable_on(new, D(2020, 5, 1))[0] == old
    assert selectors.applicable_on(new, D(2015, 5, 1)) is None
    chain = selectors.validity_chain(new)
    assert [(p.article.code, p.start, p.until) for p in chain] == [
        ("HJ 633-2012", D(2016, 1, 1), D(2026, 3, 1)), ("HJ 633-2026", D(2026, 3, 1), None)]
    standing = selectors.standing_on(old, D(2026, 11, 23))
    assert (standing.state, standing.successor, standing.until) == ("superseded", new, D(2026, 3, 1))
    assert selectors.standing_on(new, D(2026, 1, 1)).state == "not_yet"
    assert selectors.standing_on(new, D(2026, 3, 1)).state == "in_force"


def test_repealed_without_successor(empty_kb: None) -> None:
    article = make_article("proc-old", effective_from=D(2020, 1, 1))
    Article.objects.filter(pk=article.pk).update(repealed_on=D(2025, 1, 1))
    article.refresh_from_db()

    assert article.version_on(D(2024, 12, 31)) is not None
    assert article.version_on(D(2025, 1, 1)) is None
    assert selectors.standing_on(article, D(2025, 6, 1)).state == "repealed"
    assert selectors.applicable_on(article, D(2025, 6, 1)) is None


def test_seeded_hj633_chain() -> None:
    old = Article.objects.get(code="HJ 633-2012")
    new = Article.objects.get(code="HJ 633-2026")
    assert old.superseded_by == new
    assert old.repealed_on == D(2026, 3, 1)
    assert old.cite_text == "HJ 633-2012《环境空气质量指数（AQI）技术规定（试行）》"
