"""REST API of the knowledge base (mounted at /api/v1/knowledge/ by `knowledge.api_urls`): list and search
articles, one article with its versions, and the articles relevant to a case."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.cases.access import visible_cases
from ecohotline.knowledge import search, selectors
from ecohotline.knowledge.access import is_staff_member
from ecohotline.knowledge.models import Article, ArticleKind
from ecohotline.knowledge.serializers import article_json, version_json

API_LIMIT = 200
_EXAMPLE = {
    "id": 3, "kind": "law", "code": "noise-law-43", "title": "噪声污染防治法 第四十三条（夜间建筑施工）",
    "citation": "《中华人民共和国噪声污染防治法》第四十三条", "source": "…", "categories": ["noise.construction"],
    "tags": ["夜间施工"], "standing": "in_force", "standing_on": "2026-11-23", "superseded_by": None,
    "no_longer_applies_from": None,
    "version": {"effective_from": "2022-06-05", "until": None, "note": "", "body": "在噪声敏感建筑物集中区域…"},
}


class IsStaffMember(BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return is_staff_member(request.user)


def _error(code: str, field: str, detail: str) -> Response:
    return Response({"code": code, "detail": detail, "errors": {field: [detail]}}, status=400)


class ArticleListApi(APIView):
    """`GET /api/v1/knowledge/articles`: articles filtered by kind, category, tag; with `q`, searched in Chinese
    (segmented, ranked title hits first, then BM25) and returned best first with their score."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    @extend_schema(
        operation_id="knowledge_articles_list", tags=["knowledge"], summary="List or search knowledge articles",
        parameters=[OpenApiParameter("q", str, required=False, description="Search words, e.g. 噪声 夜间 施工."),
                    OpenApiParameter("kind", str, enum=list(ArticleKind.values), required=False),
                    OpenApiParameter("category", str, required=False, description="Category code (with subs)."),
                    OpenApiParameter("tag", str, required=False),
                    OpenApiParameter("on", datetime.date, required=False,
                                     description="Report standing and version on this day (default today).")],
        responses={200: dict},
        examples=[OpenApiExample("search", value={"count": 1, "results": [{**_EXAMPLE, "score": 12.3}]})],
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        kind = params.get("kind", "")
        if kind and kind not in ArticleKind.values:
            return _error("invalid", "kind", "kind is one of " + ", ".join(ArticleKind.values))
        try:
            day = datetime.date.fromisoformat(params["on"]) if params.get("on") else timezone.localdate()
        except ValueError:
            return _error("invalid", "on", "on is a date, YYYY-MM-DD")
        filtered = selectors.articles(kind=kind, category=params.get("category", ""), tag=params.get("tag", ""))
        query = params.get("q", "").strip()
        if query:
            hits = search.search(query, filtered, limit=API_LIMIT)
            by_pk = {a.pk: a for a in selectors.with_details(Article.objects.filter(
                pk__in=[hit.article.pk for hit in hits]))}
            results = [{**article_json(by_pk[hit.article.pk], day), "score": hit.score} for hit in hits]
        else:
            results = [article_json(article, day) for article in selectors.with_details(filtered)[:API_LIMIT]]
        return Response({"count": len(results), "results": results})


class ArticleDetailApi(APIView):
    """`GET /api/v1/knowledge/articles/{id}`: one article with every version and which article of its
    supersession chain applied when."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    @extend_schema(operation_id="knowledge_article_retrieve", tags=["knowledge"], summary="One article, all versions",
                   responses={200: dict},
                   examples=[OpenApiExample("article", value={
        **_EXAMPLE, "versions": [_EXAMPLE["version"]],
        "applied": [{"code": "noise-law-43", "from": "2022-06-05", "until": None}]})])
    def get(self, request: Request, pk: int) -> Response:
        article = get_object_or_404(selectors.with_details(Article.objects.all()), pk=pk)
        return Response(article_json(article, timezone.localdate(), with_versions=True))


class CaseArticlesApi(APIView):
    """`GET /api/v1/knowledge/cases/{id}`: the articles relevant to a case in the version that applies to it
    (today while open, the day received once closed), with the text to cite."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    @extend_schema(operation_id="knowledge_case_articles", tags=["knowledge"], summary="Articles relevant to a case",
                   responses={200: dict},
                   examples=[OpenApiExample("case", value={
        "case": 42, "day": "2026-11-23", "results": [{
            "id": 3, "code": "noise-law-43", "kind": "law", "title": "…", "cite": _EXAMPLE["citation"],
            "version": _EXAMPLE["version"], "in_place_of": None}]})])
    def get(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(visible_cases(request.user), pk=pk)  # type: ignore[arg-type]
        day = selectors.reference_day(case)
        results = [{
            "id": item.article.pk, "code": item.article.code, "kind": item.article.kind, "title": item.article.title,
            "cite": item.version.body if item.article.kind == ArticleKind.REPLY_TEMPLATE else item.article.cite_text,
            "version": version_json(item.version),
            "in_place_of": item.via.code if item.via.pk != item.article.pk else None,
        } for item in selectors.for_case(case, day=day)]
        return Response({"case": case.pk, "day": day.isoformat(), "results": results})
