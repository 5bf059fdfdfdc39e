"""JSON of knowledge articles for the REST API."""

from __future__ import annotations

import datetime
from typing import Any

from ecohotline.knowledge import selectors
from ecohotline.knowledge.models import Article, ArticleVersion


def version_json(version: ArticleVersion, until: datetime.date | None = None) -> dict[str, Any]:
    return {"effective_from": version.effective_from.isoformat(), "until": until.isoformat() if until else None,
            "note": version.note, "body": version.body}


def article_json(article: Article, day: datetime.date, *, with_versions: bool = False) -> dict[str, Any]:
    standing = selectors.standing_on(article, day)
    data: dict[str, Any] = {
        "id": article.pk, "kind": article.kind, "code": article.code, "title": article.title,
        "citation": article.cite_text, "source": article.source,
        "categories": [category.code for category in article.categories.all()],
        "tags": [tag.name for tag in article.tags.all()],
        "standing": standing.state, "standing_on": day.isoformat(),
        "superseded_by": article.superseded_by.code if article.superseded_by else None,
        "no_longer_applies_from": article.repealed_on.isoformat() if article.repealed_on else None,
        "version": version_json(standing.version) if standing.version else None,
    }
    if with_versions:
        data["versions"] = [version_json(period.version, period.until)
                            for period in selectors.version_periods(article)]
        data["applied"] = [{"code": period.article.code, "from": period.start.isoformat() if period.start else None,
                            "until": period.until.isoformat() if period.until else None}
                           for period in selectors.validity_chain(article)]
    return data
