"""Similar past cases (相似案例) of a case: the case page's htmx fragment and
`GET /api/v1/knowledge/cases/{id}/similar`. Both read `knowledge.similar`; a viewer sees only cases they may open,
with the complainant masked as on the case page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.cases.access import visible_cases
from ecohotline.knowledge.access import staff_required
from ecohotline.knowledge.api import IsStaffMember
from ecohotline.knowledge.similar import SimilarCase, reasons_in_words, similar_cases
from ecohotline.org.models import User


@staff_required
def similar_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's card of similar closed cases, each with why it is similar and what worked."""
    user: User = request.user  # type: ignore[assignment]
    case = get_object_or_404(visible_cases(user), pk=pk)
    items = [(item, reasons_in_words(item.reasons)) for item in similar_cases(case, user)]
    return render(request, "knowledge/_similar_cases.html", {"case": case, "items": items})


def similar_json(item: SimilarCase) -> dict[str, Any]:
    case = item.case
    return {
        "id": case.pk, "reference": case.reference, "score": item.score, "reasons": item.reasons,
        "received_at": case.received_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "category": case.sub_category or case.category, "category_name": item.category,
        "street": case.street.name if case.street else "", "community": case.community,
        "handling_unit": case.handling_unit.name if case.handling_unit else "",
        "title": item.title, "description": item.description, "findings": item.findings,
        "measurements": [{"kind": m.kind, "measured_at": m.measured_at.isoformat(), "values": m.values,
                          "verdict": m.verdict, "outcome": m.outcome} for m in item.measurements],
        "rectifications": item.rectifications, "reply": item.reply,
        "return_visit": {"at": case.visit_at.isoformat() if case.visit_at else None,
                         "contacted": case.visit_contacted, "solved": case.visit_solved,
                         "satisfaction": case.visit_satisfaction},
    }


_EXAMPLE = {
    "case": 42, "results": [{
        "id": 17, "reference": "2026110300123", "score": 0.87,
        "reasons": {"distance_m": 35, "text_similarity": 0.81, "same_polluter": True, "same_sub_category": True,
                    "same_channel": True},
        "received_at": "2026-11-03T21:40:00+08:00", "closed_at": "2026-11-08T10:00:00+08:00",
        "category": "air.catering_fumes", "category_name": "餐饮油烟", "street": "中关村街道", "community": "黄庄社区",
        "handling_unit": "执法一中队", "title": "餐馆油烟扰民",
        "description": "小区楼下餐馆油烟扰民，联系电话138****5678。",
        "findings": ["现场检查，油烟净化器未开启。"],
        "measurements": [{"kind": "catering_fumes", "measured_at": "2026-11-04T19:30:00+08:00",
                          "values": "Fumes concentration 2.4 mg/m³", "verdict": "Exceeds the limit 1.2 times over "
                          "(GB 18483-2001, limit 2 mg/m³)", "outcome": "exceeds"}],
        "rectifications": ["清洗并常开油烟净化设施"],
        "reply": "经核查，该餐馆油烟超标，已责令整改并复测达标。",
        "return_visit": {"at": "2026-11-10T09:00:00+08:00", "contacted": True, "solved": True,
                         "satisfaction": "satisfied"},
    }],
}


class SimilarCasesApi(APIView):
    """`GET /api/v1/knowledge/cases/{id}/similar`: the closed cases most similar to a case (text, category, place,
    source), best first, with the reasons, the handling, the measurements, the reply and the return visit."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    @extend_schema(operation_id="knowledge_case_similar", tags=["knowledge"], summary="Similar past cases of a case",
                   description="Up to five closed cases received before this one, of its (sub-)category, near it or "
                               "about the same polluter or address, ranked by text similarity, distance and source; "
                               "only cases the caller may open; complainant details masked as on the case page.",
                   responses={200: dict}, examples=[OpenApiExample("similar", value=_EXAMPLE)])
    def get(self, request: Request, pk: int) -> Response:
        user: User = request.user  # type: ignore[assignment]
        case = get_object_or_404(visible_cases(user), pk=pk)
        return Response({"case": case.pk, "results": [similar_json(item) for item in similar_cases(case, user)]})
