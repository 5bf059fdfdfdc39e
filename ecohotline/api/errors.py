"""Stable error bodies: `{"code": ..., "detail": ..., "errors": {field: [...]}}`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ecohotline.cases.exceptions import CaseError


def field_error(field: str, detail: str) -> Response:
    """400 with the stable body for one bad parameter (a view's own check, outside a serializer)."""
    return Response({"code": "invalid", "detail": detail, "errors": {field: [detail]}},
                    status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, CaseError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.detail}
        extra = dict(exc.extra)
        field = extra.pop("field", None)
        if field:
            body["errors"] = {field: [exc.detail]}
        body.update(extra)
        return Response(body, status=exc.http_status)
    if isinstance(exc, ObjectDoesNotExist | Http404):
        # get_object_or_404 raises Http404, which DRF turns into a body without our `code`.
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"code": "invalid", "detail": "Invalid input.", "errors": errors}
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {"code": codes if isinstance(codes, str) else exc.default_code, "detail": str(exc.detail)}
    return response


def form_errors(errors: Any) -> Response:
    """400 with the stable body for a Django form's (or filter's) errors: the API checks input with the same forms
    as the desk's pages."""
    by_field = {name: [str(message) for message in messages] for name, messages in dict(errors).items()}
    return Response({"code": "invalid", "detail": "Invalid input.", "errors": by_field},
                    status=status.HTTP_400_BAD_REQUEST)
