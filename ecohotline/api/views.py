"""REST API v1 over the case services and selectors."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ecohotline.api.actions import ACTION_SPECS
from ecohotline.api.serializers import (
    ActionSerializer,
    CaseCreatedSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSerializer,
)
from ecohotline.cases import services
from ecohotline.cases.exceptions import ActionForbidden
from ecohotline.cases.filters import CaseFilter
from ecohotline.cases.models import Case
from ecohotline.cases.selectors import case_list_queryset
from ecohotline.cases.workflow import ACTIONS
from ecohotline.intake.models import ReceivedVia
from ecohotline.intake.services import Outcome, take_in_order
from ecohotline.org.models import Role, User

CREATE_DESCRIPTION = """An order taken at the desk or sent by a client system goes through the same intake as a
12345 order: triage places the address among the district's streets, classifies the pollution sub-category,
checks the remit, looks for duplicates and repeats, and suggests the handling unit (see the `triaged` entry of
the timeline). What the caller already knows is kept: `street` (an active street/town) and `sub_category` (an
active sub-category code; the case's category follows from it and is confirmed).

**Idempotent on (`channel`, `external_id`)** when `external_id` is given: the same order posted again creates
nothing and answers 200 with its case and `outcome` `unchanged`; posted with changed content it answers 200 with
`outcome` `updated`, and the case gets an `order_updated` timeline entry with what changed (the case's own
fields stay as they are). A number already used on this channel by a case that was not registered through the
intake (no order record) is refused: 400 `duplicate_order`.

Not accepted any more: `category` (it follows from `sub_category`) and `tags` (triage sets the tags); such keys
are ignored. Coordinates: both or neither, in `coordinate_system` (default `wgs84`).
"""


class CaseViewSet(viewsets.GenericViewSet[Case]):
    """Cases the caller may see; create; act on one through the lifecycle."""

    filterset_class = CaseFilter
    serializer_class = CaseSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        return case_list_queryset(self.request.user).order_by("-received_at", "-pk")  # type: ignore[arg-type]

    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = CaseSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(responses=CaseDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        case = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Register an order (manual entry: phone, letter, visit, 12369...)",
        description=CREATE_DESCRIPTION,
        request=CaseCreateSerializer,
        responses={
            201: OpenApiResponse(CaseCreatedSerializer, description="A new case, triaged; `outcome` is `created`."),
            200: OpenApiResponse(CaseCreatedSerializer, description="The order number was already registered on "
                                 "this channel: its case, with `outcome` `unchanged` or `updated` (a 补充)."),
            400: OpenApiResponse(description="`invalid` with field errors; `invalid_street`, `invalid_category` or "
                                 "`duplicate_order` with the field."),
            403: OpenApiResponse(description="`forbidden`: only dispatchers and administrators register cases."),
        },
    )
    def create(self, request: Request) -> Response:
        actor: User = request.user  # type: ignore[assignment]
        # The role first: a caller who may not register learns that, not what the input lacks.
        if not actor.has_role(Role.DISPATCHER, Role.ADMIN):
            raise ActionForbidden(_("Only dispatchers may register cases."))
        payload = CaseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = take_in_order(order=payload.order(), via=ReceivedVia.MANUAL, actor=actor)
        case = self.get_queryset().get(pk=result.case.pk)
        context = {**self.get_serializer_context(), "outcome": result.outcome}
        created = result.outcome == Outcome.CREATED
        return Response(CaseCreatedSerializer(case, context=context).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

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
