"""Reads of the knowledge base: filtered lists, which article and version applied on a date, validity periods
along a chain of superseded articles, and the articles relevant to a case."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from ecohotline.cases.models import Case, CaseStatus, Category
from ecohotline.core import clock
from ecohotline.knowledge.models import Article, ArticleKind, ArticleVersion, Tag

# Laws first, then standards, approved wording, procedures and FAQ (lists and the case page).
_KIND_ORDER: dict[str, int] = {kind: index for index, kind in enumerate(
    [ArticleKind.LAW, ArticleKind.STANDARD, ArticleKind.REPLY_TEMPLATE, ArticleKind.PROCEDURE, ArticleKind.FAQ])}


def articles(*, kind: str = "", category: str = "", tag: str = "") -> QuerySet[Article]:
    """Articles filtered by kind, category code (the category and its sub-categories) and tag name."""
    queryset = Article.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    if category:
        queryset = queryset.filter(Q(categories__code=category) | Q(categories__code__startswith=f"{category}."))
    if tag:
        queryset = queryset.filter(tags__name=tag)
    order = SqlCase(*(When(kind=kind, then=Value(index)) for kind, index in _KIND_ORDER.items()),
                  default=Value(9), output_field=IntegerField())
    return queryset.distinct().annotate(kind_order=order).order_by("kind_order", "code")


def with_details(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return queryset.select_related("superseded_by").prefetch_related(
        "tags", "categories", Prefetch("versions", queryset=ArticleVersion.objects.order_by("effective_from")),
        "supersedes")


def tags_in_use() -> QuerySet[Tag]:
    return Tag.objects.filter(articles__isnull=False).distinct().order_by("name")


def _versions(article: Article) -> list[ArticleVersion]:
    return sorted(article.versions.all(), key=lambda version: version.effective_from)


def version_on(article: Article, day: datetime.date) -> ArticleVersion | None:
    """`Article.version_on` over the prefetched versions (no query when they are prefetched)."""
    if article.repealed_on is not None and day >= article.repealed_on:
        return None
    chosen = None
    for version in _versions(article):
        if version.effective_from <= day:
            chosen = version
    return chosen


def applicable_on(article: Article, day: datetime.date) -> tuple[Article, ArticleVersion] | None:
    """The article of this one's supersession chain that applied on `day`, with its version: the article itself,
    a successor (after it was superseded) or a predecessor (before it took effect); None if none applied."""
    seen: set[int] = set()
    current: Article | None = article
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        version = version_on(current, day)
        if version is not None:
            return current, version
        if current.repealed_on is not None and day >= current.repealed_on:
            current = current.superseded_by
            continue
        current = next(iter(current.supersedes.all()), None)  # before its first version: what it replaced
    return None


@dataclass(frozen=True)
class Period:
    """One article of a supersession chain and the days it applied (`until` exclusive; None = still in force)."""

    article: Article
    start: datetime.date | None
    until: datetime.date | None

    def contains(self, day: datetime.date) -> bool:
        return (self.start is None or self.start <= day) and (self.until is None or day < self.until)


def validity_chain(article: Article) -> list[Period]:
    """Every article of the chain this one belongs to (what it replaced, what replaced it), oldest first, with
    the period each applied: "HJ 633-2012 until 2026-03-01, HJ 633-2026 from then on"."""
    first = article
    seen = {first.pk}
    while True:
        previous = next(iter(first.supersedes.all()), None)
        if previous is None or previous.pk in seen:
            break
        seen.add(previous.pk)
        first = previous
    periods: list[Period] = []
    current: Article | None = first
    visited: set[int] = set()
    while current is not None and current.pk not in visited:
        visited.add(current.pk)
        versions = _versions(current)
        periods.append(Period(current, versions[0].effective_from if versions else None, current.repealed_on))
        current = current.superseded_by
    return periods


@dataclass(frozen=True)
class VersionPeriod:
    version: ArticleVersion
    until: datetime.date | None  # exclusive: the next version's first day, or the article's repeal

    def contains(self, day: datetime.date) -> bool:
        return self.version.effective_from <= day and (self.until is None or day < self.until)


def version_periods(article: Article) -> list[VersionPeriod]:
    """The versions of an article, newest first, each with the day the next one (or the repeal) ended it."""
    versions = _versions(article)
    periods = []
    for index, version in enumerate(versions):
        until = versions[index + 1].effective_from if index + 1 < len(versions) else article.repealed_on
        periods.append(VersionPeriod(version, until))
    return list(reversed(periods))


def reference_day(case: Case) -> datetime.date:
    """The day whose rules apply to a case: today while it is being handled; for a closed case, the day it was
    received (the rules its handling was judged by). "Today" is the training run's day inside one (`core.clock`)."""
    if case.status == CaseStatus.CLOSED:
        return timezone.localdate(case.received_at)
    return timezone.localdate(clock.now())


@dataclass(frozen=True)
class CaseArticle:
    """An article relevant to a case, in the version that applies to it."""

    article: Article
    version: ArticleVersion
    via: Article  # the article linked to the category (differs when a predecessor or successor applies)




def for_case(case: Case, *, day: datetime.date | None = None) -> list[CaseArticle]:
    """The articles linked to the case's sub-category or category (or, with no sub-category, to any of the
    category's sub-categories), each resolved to the article and version that applied on `reference_day`."""
    day = day or reference_day(case)
    codes = {code for code in (case.sub_category, case.category) if code}
    if not codes:
        return []
    query = Q(categories__code__in=codes)
    if case.category and not case.sub_category:
        query |= Q(categories__code__startswith=f"{case.category}.")
    linked = with_details(Article.objects.filter(query).distinct())
    found: dict[int, CaseArticle] = {}
    for article in linked:
        applied = applicable_on(article, day)
        if applied is None or applied[0].pk in found:
            continue
        target, version = applied
        found[target.pk] = CaseArticle(target, version, article)
    return sorted(found.values(), key=lambda item: (_KIND_ORDER.get(item.article.kind, 9), item.article.code))


def category_names() -> dict[str, str]:
    return {category.code: category.name_zh for category in Category.objects.all()}


@dataclass(frozen=True)
class Standing:
    """Where an article stands on a day: in force (with its version), not yet in force, repealed, or superseded
    (by `successor`, from `until`)."""

    state: str  # "in_force", "not_yet", "repealed", "superseded"
    version: ArticleVersion | None
    start: datetime.date | None
    until: datetime.date | None
    successor: Article | None

    @property
    def last_day(self) -> datetime.date | None:
        """The last day it applied (`until` is the first day it no longer did)."""
        return self.until - datetime.timedelta(days=1) if self.until else None


def standing_on(article: Article, day: datetime.date) -> Standing:
    versions = _versions(article)
    start = versions[0].effective_from if versions else None
    if article.repealed_on is not None and day >= article.repealed_on:
        state = "superseded" if article.superseded_by_id else "repealed"
        return Standing(state, None, start, article.repealed_on, article.superseded_by)
    version = version_on(article, day)
    if version is None:
        return Standing("not_yet", None, start, article.repealed_on, article.superseded_by)
    return Standing("in_force", version, start, article.repealed_on, article.superseded_by)
