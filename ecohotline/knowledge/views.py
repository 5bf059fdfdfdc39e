"""Knowledge base pages (thin): the list with filters and Chinese search, an article with its versions and, for a
standard, its limit tables from the standards module, and the case page's fragment of relevant articles."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from ecohotline.cases.access import visible_cases
from ecohotline.knowledge import search, selectors
from ecohotline.knowledge.access import staff_required
from ecohotline.knowledge.forms import ArticleFilterForm
from ecohotline.knowledge.models import Article
from ecohotline.knowledge.rendering import render_markdown
from ecohotline.knowledge.services import can_edit_knowledge
from ecohotline.knowledge.standard_tables import tables_for
from ecohotline.org.models import User

PAGE_SIZE = 30


def _day(raw: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@staff_required
def article_list(request: HttpRequest) -> HttpResponse:
    """All articles, filtered by kind, category and tag; with a query, the search results best first."""
    form = ArticleFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    filtered = selectors.articles(kind=data.get("kind") or "", category=data.get("category") or "",
                                  tag=data.get("tag") or "")
    today = timezone.localdate()
    query = (data.get("q") or "").strip()
    if query:
        hits = search.search(query, filtered)
        details = selectors.with_details(Article.objects.filter(pk__in=[hit.article.pk for hit in hits]))
        by_pk = {article.pk: article for article in details}
        rows: list[tuple[Article, search.SearchHit | None]] = [(by_pk[hit.article.pk], hit) for hit in hits]
        page = None
    else:
        page = Paginator(selectors.with_details(filtered), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [(article, None) for article in page.object_list]
    items = [(article, hit, selectors.standing_on(article, today)) for article, hit in rows]
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "knowledge/article_list.html", {
        "form": form, "items": items, "page": page, "query": query, "params": params.urlencode(),
        "today": today, "can_edit": can_edit_knowledge(request.user),  # type: ignore[arg-type]
    })


@staff_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One article: the version in force on the chosen day (today by default), the versions' history, which
    article of its supersession chain applied when, and a standard's limit tables."""
    article = get_object_or_404(selectors.with_details(Article.objects.all()), pk=pk)
    today = timezone.localdate()
    day = _day(request.GET.get("on")) or today
    standing = selectors.standing_on(article, day)
    shown = standing.version or article.latest_version()
    chain = selectors.validity_chain(article)
    return render(request, "knowledge/article_detail.html", {
        "article": article, "day": day, "today": today, "standing": standing, "shown": shown,
        "body": render_markdown(shown.body) if shown else "",
        "periods": selectors.version_periods(article), "chain": chain if len(chain) > 1 else [],
        "tables": tables_for(article.code) if article.kind == "standard" else [],
        "can_edit": can_edit_knowledge(request.user),  # type: ignore[arg-type]
    })


@staff_required
def for_case(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's fragment (htmx): the articles relevant to the case's category in the version that
    applies to it (today for a case being handled, the day it was received for a closed one), each with a
    cite button that puts its reference (or, for approved wording, the wording) into the reply draft."""
    user: User = request.user  # type: ignore[assignment]
    case = get_object_or_404(visible_cases(user), pk=pk)
    day = selectors.reference_day(case)
    return render(request, "knowledge/_for_case.html", {
        "case": case, "day": day, "items": selectors.for_case(case, day=day), "today": timezone.localdate(),
    })
