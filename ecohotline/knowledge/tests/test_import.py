"""Importing Markdown and DOCX: good files, bad files (file and line named, nothing written), idempotence, new
versions only for a changed text or date; through the service, the `ecohotline knowledge import` command and the
admin upload page."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from ecohotline.knowledge import search, services
from ecohotline.knowledge.models import Article, ArticleVersion, IndexedTerm
from ecohotline.knowledge.services import KnowledgeImportError, Outcome
from ecohotline.knowledge.tests.conftest import client_for, docx_bytes, markdown

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def counts() -> tuple[int, int, int]:
    return Article.objects.count(), ArticleVersion.objects.count(), IndexedTerm.objects.count()


def test_markdown_import_creates_article_version_links_and_index() -> None:
    [result] = services.import_files(actor=None, files=[("a.md", markdown(body="夜间噪声监测要点。"))])

    assert result.outcome == Outcome.CREATED
    article = Article.objects.get(code="proc-test")
    assert article.title == "测试规程" and article.kind == "procedure"
    assert [c.code for c in article.categories.all()] == ["noise.social"]
    assert sorted(t.name for t in article.tags.all()) == ["噪声", "测试"]
    assert article.version_on(datetime.date(2025, 1, 1)).body == "夜间噪声监测要点。"
    assert article.versions.get().source_file == "a.md"
    assert "proc-test" in [hit.article.code for hit in search.search("监测要点")]
    assert search.search("测试规程")[0].article.code == "proc-test"


def test_same_file_twice_makes_no_duplicate() -> None:
    services.import_files(actor=None, files=[("a.md", markdown())])
    before = counts()
    [result] = services.import_files(actor=None, files=[("a.md", markdown())])
    assert result.outcome == Outcome.UNCHANGED
    assert counts() == before


def test_new_date_makes_a_new_version_and_same_date_corrects() -> None:
    services.import_files(actor=None, files=[("a.md", markdown(body="旧文本"))])
    [changed_date] = services.import_files(actor=None, files=[
        ("a2.md", markdown(body="新文本", effective_from="2026-01-01"))])
    assert changed_date.outcome == Outcome.NEW_VERSION
    [corrected] = services.import_files(actor=None, files=[
        ("a2.md", markdown(body="新文本（更正）", effective_from="2026-01-01"))])
    assert corrected.outcome == Outcome.CORRECTED
    article = Article.objects.get(code="proc-test")
    assert [(v.effective_from.isoformat(), v.body) for v in article.versions.order_by("effective_from")] == [
        ("2025-01-01", "旧文本"), ("2026-01-01", "新文本（更正）")]


def test_docx_import_takes_title_from_first_heading() -> None:
    [result] = services.import_files(actor=None, files=[("监测.docx", docx_bytes())])

    assert result.outcome == Outcome.CREATED
    article = Article.objects.get(code="proc-docx")
    assert article.title == "夜间噪声监测要点"
    assert article.versions.get().body == "夜间噪声须在夜间测量。\n\n测量前校准声级计。"
    assert article.version_on(datetime.date(2025, 3, 1)) is not None
    assert sorted(t.name for t in article.tags.all()) == ["夜间", "测量"]
    # Idempotent too.
    [again] = services.import_files(actor=None, files=[("监测.docx", docx_bytes())])
    assert again.outcome == Outcome.UNCHANGED


def test_docx_without_code_uses_the_file_name() -> None:
    services.import_files(actor=None, files=[("proc-from-name.docx", docx_bytes(
        meta=("kind: faq", "effective_from: 2025-01-01")))])
    assert Article.objects.get(code="proc-from-name").kind == "faq"


@pytest.mark.parametrize(("name", "content", "line", "message"), [
    ("no-front.md", "正文".encode(), 1, "must start with a front matter block"),
    ("unclosed.md", b"---\nkind: faq\ncode: x\n", 3, "is not closed"),
    ("bad-kind.md", markdown(kind="poem"), 2, "Unknown kind"),
    ("bad-date.md", markdown(effective_from="2025-13-01"), 7, "is not a date"),
    ("missing.md", b"---\nkind: faq\ncode: x\ntitle: t\n---\nbody\n", 5, "effective_from"),
    ("bad-line.md", b"---\nkind: faq\nthis is not a key\n---\nbody\n", 3, "Expected"),
    ("unknown-key.md", markdown(extra="colour: red\n"), 8, "Unknown key"),
    ("empty-body.md", markdown(body=""), 8, "no text"),
    ("latin1.md", b"---\nkind: faq\n" + "é".encode("latin-1"), 3, "not UTF-8"),
    ("bad-category.md", markdown().replace(b"noise.social", b"noise.nowhere"), 5, "noise.nowhere"),
    ("no-heading.docx", docx_bytes(heading=None, meta=(), paragraphs=()), None, "No heading"),
    ("heading-later.docx", docx_bytes(heading=None), 1, "first paragraph must be a heading"),
    ("text-first.docx", docx_bytes(before="前言"), 1, "first paragraph must be a heading"),
    ("bad-meta.docx", docx_bytes(meta=("kind: procedure", "code: c", "effective_from: soon")), 4, "not a date"),
    ("broken.docx", b"PK\x03\x04 not really a zip", None, "Not a readable DOCX"),
    ("notes.pdf", b"%PDF-1.4", None, "Unsupported file type"),
])
def test_bad_files_name_file_and_line_and_write_nothing(name: str, content: bytes, line: int | None,
                                                        message: str) -> None:
    before = counts()
    with pytest.raises(KnowledgeImportError) as raised:
        services.import_files(actor=None, files=[("good.md", markdown(code="good")), (name, content)])
    [problem] = raised.value.problems
    assert problem.file == name and problem.line == line
    assert message in problem.message
    assert counts() == before
    assert not Article.objects.filter(code="good").exists()


def test_unknown_superseded_article_is_reported() -> None:
    with pytest.raises(KnowledgeImportError) as raised:
        services.import_files(actor=None, files=[("n.md", markdown(extra="supersedes: GB 0000-1999\n"))])
    assert raised.value.problems[0].line == 8


def test_command_imports_files_and_reports_problems(tmp_path: Path, capsys: Any) -> None:
    good = tmp_path / "good.md"
    good.write_bytes(markdown(code="cmd-good"))
    word = tmp_path / "word.docx"
    word.write_bytes(docx_bytes())
    call_command("knowledge", "import", str(good), str(word))
    assert Article.objects.filter(code__in=["cmd-good", "proc-docx"]).count() == 2
    assert "cmd-good created" in capsys.readouterr().out

    bad = tmp_path / "bad.md"
    bad.write_bytes(markdown(code="cmd-bad", effective_from="someday"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("knowledge", "import", str(good), str(bad))
    assert f"{bad}:7:" in capsys.readouterr().err
    with pytest.raises(CommandError, match=r"missing\.md"):
        call_command("knowledge", "import", str(tmp_path / "missing.md"))


def test_seed_files_import_as_unchanged() -> None:
    data = Path(__file__).resolve().parent.parent / "data"
    results = services.import_files(actor=None, files=[(p.name, p.read_bytes()) for p in sorted(data.glob("*.md"))])
    assert {result.outcome for result in results} == {Outcome.UNCHANGED}


def test_admin_upload_page(org: Any) -> None:
    org.admin.is_staff = True
    org.admin.is_superuser = True
    org.admin.language = "en"
    org.admin.save()
    client = client_for(org.admin)
    url = reverse("admin:knowledge_article_import")
    assert client.get(url).status_code == 200

    response = client.post(url, {"upload": [SimpleUploadedFile("up.md", markdown(code="up")),
                                            SimpleUploadedFile("up.docx", docx_bytes())]})
    assert response.status_code == 302
    assert Article.objects.filter(code__in=["up", "proc-docx"]).count() == 2

    response = client.post(url, {"upload": [SimpleUploadedFile("ok.md", markdown(code="ok")),
                                            SimpleUploadedFile("bad.md", markdown(kind="poem"))]})
    assert response.status_code == 400
    assert "bad.md, line 2" in response.content.decode()
    assert not Article.objects.filter(code="ok").exists()
