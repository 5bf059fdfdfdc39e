"""`/api/v1/account`: what the desk keeps for its user — the account and its interface language, the password,
and the saved case-list filters (常用筛选). Each caller reaches only their own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.errors import field_error
from ecohotline.api.files import ERROR
from ecohotline.core.middleware import normalise_language
from ecohotline.org.models import Role, User
from ecohotline.org.services import set_language_preference
from ecohotline.ui.models import SavedFilter
from ecohotline.ui.services import delete_filter, save_filter
from ecohotline.ui.views import list_query


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


# --- the account and its language -------------------------------------------------------------------------

class AccountSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    unit = serializers.IntegerField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())
    role_labels = serializers.ListField(child=serializers.CharField())
    language = serializers.CharField(help_text="The interface language: zh-hans or en (empty: the default).")
    languages = serializers.ListField(child=serializers.CharField(), help_text="The languages offered.")


def _account(user: User) -> dict[str, Any]:
    labels = dict(Role.choices)
    codes = sorted(code for code in user.role_codes if code in labels)
    return {"id": user.pk, "username": user.username, "display_name": str(user), "unit": user.unit_id,
            "roles": codes, "role_labels": [str(labels[code]) for code in codes], "language": user.language or "",
            "languages": [code for code, _name in settings.LANGUAGES]}


_ACCOUNT_EXAMPLE = {"id": 5, "username": "handler", "display_name": "王明", "unit": 4, "roles": ["handler"],
                    "role_labels": ["承办人"], "language": "zh-hans", "languages": ["zh-hans", "en"]}


class AccountView(APIView):
    @extend_schema(
        operation_id="account_read",
        summary="My account: name, unit, roles and interface language (我的设置)",
        responses={200: AccountSerializer},
        examples=[OpenApiExample("A handler", response_only=True, value=_ACCOUNT_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        return Response(_account(_user(request)))


class LanguageView(APIView):
    @extend_schema(
        operation_id="account_language",
        summary="Set my interface language",
        description="`zh-hans` or `en` (also `zh`, `zh-cn`). Remembered on the account: the desk, e-mails and the "
        "API's texts follow it. Another value: 400 `invalid`, nothing changed.",
        request=inline_serializer("LanguageInput", {"language": serializers.CharField()}),
        responses={200: AccountSerializer, 400: ERROR},
        examples=[OpenApiExample("English", request_only=True, value={"language": "en"}),
                  OpenApiExample("Saved", response_only=True, value={**_ACCOUNT_EXAMPLE, "language": "en"})],
    )
    def post(self, request: Request) -> Response:
        raw = request.data.get("language") if isinstance(request.data, dict) else None
        language = normalise_language(raw if isinstance(raw, str) else None)
        if language is None or language not in dict(settings.LANGUAGES):
            return field_error("language", _("Choose one of the languages offered."))
        user = _user(request)
        set_language_preference(user=user, language=language)
        return Response(_account(user))


class PasswordInput(serializers.Serializer[Any]):
    old_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False)


class PasswordView(APIView):
    @extend_schema(
        operation_id="account_password",
        summary="Change my password",
        description="Django's password change: the current password, and a new one that passes the site's "
        "password validators (length, not common, not all digits, not like the account). A wrong current password "
        "or a weak new one: 400 with the reasons by field, nothing changed. The caller's session stays signed in; "
        "API tokens stay valid.",
        request=PasswordInput,
        responses={204: OpenApiResponse(description="Changed."), 400: ERROR},
        examples=[OpenApiExample("Change", request_only=True,
                                 value={"old_password": "…", "new_password": "a long new passphrase"}),
                  OpenApiExample("Too weak", response_only=True, status_codes=["400"], value={
                      "code": "invalid", "detail": "Invalid input.",
                      "errors": {"new_password": ["This password is too common."]}})],
    )
    def post(self, request: Request) -> Response:
        payload = PasswordInput(data=request.data)
        payload.is_valid(raise_exception=True)
        new = payload.validated_data["new_password"]
        form = PasswordChangeForm(_user(request), data={
            "old_password": payload.validated_data["old_password"], "new_password1": new, "new_password2": new})
        if not form.is_valid():
            names = {"new_password1": "new_password", "new_password2": "new_password"}
            errors: dict[str, list[str]] = {}
            for name, messages in form.errors.items():
                errors.setdefault(names.get(name, name), []).extend(str(message) for message in messages)
            return Response({"code": "invalid", "detail": _("The password is not changed."), "errors": errors},
                            status=status.HTTP_400_BAD_REQUEST)
        user = form.save()
        if hasattr(request._request, "session"):
            update_session_auth_hash(request._request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- saved filters --------------------------------------------------------------------------------------

class SavedFilterSerializer(serializers.ModelSerializer[SavedFilter]):
    query = serializers.CharField(
        max_length=1000, allow_blank=True, required=False, default="",
        help_text="The case list's filters and sort as a query string (`status=in_progress&street=6&sort=due`); "
        "anything else (page, page_size) is dropped.")

    class Meta:
        model = SavedFilter
        fields = ["id", "name", "query", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"name": {"max_length": 80}}
        validators: list[Any] = []  # the same name replaces the filter: no unique-together check

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("Give the filter a name to save it."))
        return value


class SavedFilterListView(generics.ListCreateAPIView[SavedFilter]):
    serializer_class = SavedFilterSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return SavedFilter.objects.none()
        return SavedFilter.objects.filter(user=_user(self.request)).order_by("name", "pk")

    @extend_schema(
        operation_id="saved_filters_list",
        summary="My saved case-list filters (常用筛选)",
        description="Use one as `GET /api/v1/cases?{query}` (or the exports). Paginated.",
        examples=[OpenApiExample("One filter", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [{
                "id": 3, "name": "本周超期", "query": "overdue=1&status=in_progress",
                "created_at": "2026-05-03T09:00:00+08:00"}]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="saved_filters_save",
        summary="Save a case-list filter under a name",
        description="The same name again replaces that filter's query (200); a new name creates one (201). The "
        "query keeps only the list's filters and sort, as on the desk.",
        responses={201: SavedFilterSerializer, 200: SavedFilterSerializer, 400: ERROR},
        examples=[OpenApiExample("Save", request_only=True,
                                 value={"name": "本周超期", "query": "overdue=1&status=in_progress&page=3"}),
                  OpenApiExample("Saved", response_only=True, status_codes=["201"], value={
                      "id": 3, "name": "本周超期", "query": "overdue=1&status=in_progress",
                      "created_at": "2026-05-03T09:00:00+08:00"})],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = SavedFilterSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        query = list_query(QueryDict(payload.validated_data.get("query") or ""))[:1000]
        saved, created = save_filter(actor=_user(request), name=payload.validated_data["name"], query=query)
        return Response(SavedFilterSerializer(saved).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SavedFilterView(APIView):
    @extend_schema(
        operation_id="saved_filters_delete",
        summary="Delete one of my saved filters",
        responses={204: OpenApiResponse(description="Deleted."),
                   404: OpenApiResponse(description="`not_found`: no such filter of the caller's.")},
    )
    def delete(self, request: Request, pk: int) -> Response:
        saved = get_object_or_404(SavedFilter, pk=pk, user=_user(request))
        delete_filter(actor=_user(request), saved_filter=saved)
        return Response(status=status.HTTP_204_NO_CONTENT)
