"""REST API v1 over the case services and selectors."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ecohotline.api.actions import ACTION_SPECS
from ecohotline.api.serializers import (
    ActionSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSerializer,
)
from ecohotline.cases import services
from ecohotline.cases.access import visible_cases
from ecohotline.cases.filters import CaseFilter
from ecohotline.cases.models import Case
from ecohotline.cases.workflow import ACTIONS


class CaseViewSet(viewsets.GenericViewSet[Case]):
    """Cases the caller may see; create; act on one through the lifecycle."""

    filterset_class = CaseFilter
    serializer_class = CaseSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        base = Case.objects.select_related("street", "handling_unit", "policy").order_by("-received_at", "-pk")
        return visible_cases(self.request.user, base)  # type: ignore[arg-type]

    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = CaseSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(responses=CaseDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        case = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseDetailSerializer})
    def create(self, request: Request) -> Response:
        payload = CaseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case = services.create_case(actor=request.user, **payload.validated_data)  # type: ignore[arg-type]
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ActionSerializer,
        responses={200: CaseDetailSerializer},
        parameters=[OpenApiParameter("action_name", str, OpenApiParameter.PATH, enum=[*ACTIONS])],
        description="Take one lifecycle action. The body depends on the action (see the desk's forms); "
        "400 with field errors, 403 when the role may not, 409 transition_not_allowed or stale_version.",
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[^/.]+)")
    def act(self, request: Request, pk: str, action_name: str) -> Response:
        spec = ACTION_SPECS.get(action_name)
        case = get_object_or_404(self.get_queryset(), pk=pk)
        if spec is None:
            return Response({"code": "unknown_action", "detail": f"Unknown action: {action_name}"},
                            status=status.HTTP_404_NOT_FOUND)
        # Role and status first: a caller who may not act learns that (403/409), not what the input lacks.
        services.authorise(request.user, case, action_name)  # type: ignore[arg-type]
        payload = spec.serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        spec.run(request.user, case, {**data, "version": version})  # type: ignore[arg-type]
        case.refresh_from_db()
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)
