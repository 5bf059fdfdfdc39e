"""Writes to the knowledge base: importing articles (from files or parsed data) and keeping the search index in
step with every change. The admin saves through its forms and then calls `reindex_article`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext as _

from ecohotline.cases.models import Category
from ecohotline.knowledge import search
from ecohotline.knowledge.importer import ArticleData, ImportProblem, parse_file
from ecohotline.knowledge.models import Article, ArticleVersion, Tag
from ecohotline.org.models import User


class KnowledgeImportError(ValueError):
    """One or more files could not be imported; nothing was written."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


class Outcome(StrEnum):
    CREATED = "created"  # a new article with its first version
    NEW_VERSION = "new_version"  # a version with a new effective date
    CORRECTED = "corrected"  # the text of the version of that date was changed
    UPDATED = "updated"  # only the article's details (title, tags...) changed
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ImportResult:
    file: str
    code: str
    outcome: Outcome


def can_edit_knowledge(user: User) -> bool:
    """Administrators maintain the knowledge base (every staff role reads it)."""
    return bool(user.is_superuser or user.has_role("admin"))


def _check(items: Sequence[ArticleData]) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    known = set(Category.objects.values_list("code", flat=True))
    seen: dict[tuple[str, object], str] = {}
    batch_codes = {item.code for item in items}
    existing = set(Article.objects.filter(code__in={i.supersedes for i in items if i.supersedes})
                   .values_list("code", flat=True))
    for item in items:
        unknown = [code for code in item.categories if code not in known]
        if unknown:
            problems.append(ImportProblem(item.file, item.lines.get("categories"), _(
                "Unknown category code(s): %(codes)s.") % {"codes": ", ".join(unknown)}))
        key = (item.code, item.effective_from)
        if key in seen:
            problems.append(ImportProblem(item.file, item.lines.get("code"), _(
                "Article %(code)s in force from %(date)s is also in %(other)s.") % {
                "code": item.code, "date": item.effective_from.isoformat(), "other": seen[key]}))
        seen[key] = item.file
        if item.supersedes and item.supersedes not in batch_codes | existing:
            problems.append(ImportProblem(item.file, item.lines.get("supersedes"), _(
                "The superseded article %(code)s does not exist.") % {"code": item.supersedes}))
        if item.supersedes == item.code:
            problems.append(ImportProblem(item.file, item.lines.get("supersedes"), _(
                "An article cannot supersede itself.")))
    return problems


def _save(item: ArticleData, actor: User | None) -> tuple[Article, Outcome]:
    article = Article.objects.filter(code=item.code).first()
    outcome = Outcome.UNCHANGED
    details = {"kind": item.kind, "title": item.title, "citation": item.citation, "source": item.source}
    if article is None:
        article = Article.objects.create(code=item.code, **details)
        outcome = Outcome.CREATED
    else:
        changed = [name for name, value in details.items() if getattr(article, name) != value]
        if changed:
            for name in changed:
                setattr(article, name, details[name])
            article.save(update_fields=[*changed, "updated_at"])
            outcome = Outcome.UPDATED
    categories = list(Category.objects.filter(code__in=item.categories))
    tags = [Tag.objects.get_or_create(name=name[:40])[0] for name in item.tags]
    if {c.pk for c in article.categories.all()} != {c.pk for c in categories}:
        article.categories.set(categories)
        outcome = outcome if outcome != Outcome.UNCHANGED else Outcome.UPDATED
    if {t.pk for t in article.tags.all()} != {t.pk for t in tags}:
        article.tags.set(tags)
        outcome = outcome if outcome != Outcome.UNCHANGED else Outcome.UPDATED
    version = ArticleVersion.objects.filter(article=article, effective_from=item.effective_from).first()
    if version is None:
        ArticleVersion.objects.create(article=article, effective_from=item.effective_from, body=item.body,
                                      note=item.note, source_file=item.file[:300], created_by=actor)
        outcome = outcome if outcome == Outcome.CREATED else Outcome.NEW_VERSION
    elif version.body != item.body or version.note != item.note:
        version.body, version.note, version.source_file = item.body, item.note, item.file[:300]
        version.save(update_fields=["body", "note", "source_file"])
        outcome = outcome if outcome == Outcome.CREATED else Outcome.CORRECTED
    return article, outcome


@transaction.atomic
def import_articles(*, actor: User | None, items: Sequence[ArticleData]) -> list[ImportResult]:
    """Creates or updates the articles read from files, all or nothing. The same file imported twice changes
    nothing; a changed text makes a new version if its effective date is new, or corrects the version of that
    date; `supersedes` marks the named article as superseded from this one's first effective date."""
    problems = _check(items)
    if problems:
        raise KnowledgeImportError(problems)
    results: list[ImportResult] = []
    saved: dict[str, Article] = {}
    for item in items:
        article, outcome = _save(item, actor)
        saved[item.code] = article
        results.append(ImportResult(item.file, item.code, outcome))
    for item in items:
        if not item.supersedes:
            continue
        successor = saved[item.code]
        first = successor.versions.order_by("effective_from").values_list("effective_from", flat=True).first()
        predecessor = Article.objects.get(code=item.supersedes)
        fields = []
        if predecessor.superseded_by_id != successor.pk:
            predecessor.superseded_by = successor
            fields.append("superseded_by")
        if predecessor.repealed_on is None:
            predecessor.repealed_on = first
            fields.append("repealed_on")
        if fields:
            predecessor.save(update_fields=[*fields, "updated_at"])
    for article in saved.values():
        search.index_article(article)
    return results


def import_files(*, actor: User | None, files: Iterable[tuple[str, bytes]]) -> list[ImportResult]:
    """Parses every file first and imports them together; any problem in any file imports nothing and raises
    `KnowledgeImportError` listing each file and line."""
    items: list[ArticleData] = []
    problems: list[ImportProblem] = []
    for name, content in files:
        try:
            items.append(parse_file(name, content))
        except ImportProblem as problem:
            problems.append(problem)
    if problems:
        raise KnowledgeImportError(problems)
    return import_articles(actor=actor, items=items)


@transaction.atomic
def reindex_article(*, article: Article) -> None:
    """Rebuilds one article's search index (after an edit in the admin)."""
    search.index_article(article)


@transaction.atomic
def reindex_all() -> int:
    count = 0
    for article in Article.objects.all():
        search.index_article(article)
        count += 1
    return count
