"""Fixtures of the knowledge base tests: files to import and a helper to build articles through the service."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client

from ecohotline.knowledge import services
from ecohotline.knowledge.importer import ArticleData
from ecohotline.knowledge.models import Article


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_article(code: str, *, kind: str = "procedure", title: str = "", body: str = "正文",
                 effective_from: datetime.date = datetime.date(2024, 1, 1), categories: tuple[str, ...] = (),
                 tags: tuple[str, ...] = (), citation: str = "", supersedes: str = "") -> Article:
    services.import_articles(actor=None, items=[ArticleData(
        file=f"{code}.md", kind=kind, code=code, title=title or code, effective_from=effective_from, body=body,
        citation=citation, categories=list(categories), tags=list(tags), supersedes=supersedes)])
    return Article.objects.get(code=code)


def markdown(*, code: str = "proc-test", kind: str = "procedure", title: str = "测试规程",
             effective_from: str = "2025-01-01", body: str = "第一段。\n\n第二段。", extra: str = "") -> bytes:
    return (f"---\nkind: {kind}\ncode: {code}\ntitle: {title}\ncategories: [noise.social]\n"
            f"tags: [测试, 噪声]\neffective_from: {effective_from}\n{extra}---\n{body}\n").encode()


def docx_bytes(*, heading: str | None = "夜间噪声监测要点", meta: tuple[str, ...] = (
        "kind: procedure", "code: proc-docx", "effective_from: 2025-03-01", "categories: noise",
        "tags: 测量、夜间"), paragraphs: tuple[str, ...] = ("夜间噪声须在夜间测量。", "测量前校准声级计。"),
        before: str | None = None) -> bytes:
    import docx

    document = docx.Document()
    if before:
        document.add_paragraph(before)
    if heading is not None:
        document.add_heading(heading, level=1)
    for line in meta:
        document.add_paragraph(line)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def empty_kb(db: None) -> None:
    """No seeded articles: the tests build exactly what they rank."""
    Article.objects.update(superseded_by=None)
    Article.objects.all().delete()
