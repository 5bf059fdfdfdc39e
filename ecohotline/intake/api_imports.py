"""`/api/v1/imports`: upload a 12345 export (工单导入), follow its run, read and download what it rejected.

The same rules as the desk's import page (`intake.views`): dispatchers and administrators only; the file as
uploaded goes back only to whom uploaded it and to administrators."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.files import ERROR, FILE_RENDERERS, binary
from ecohotline.cases.exceptions import ActionForbidden
from ecohotline.intake.forms import MAX_UPLOAD_BYTES, SUFFIXES
from ecohotline.intake.importing import start_upload, write_rejections
from ecohotline.intake.models import ImportProfile, ImportRejection, ImportRun
from ecohotline.intake.views import XLSX, can_download_file, can_import


class CanImport(BasePermission):
    message = gettext_lazy("Only dispatchers and administrators import order files.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return can_import(request.user)


class ImportRunSerializer(serializers.ModelSerializer[ImportRun]):
    profile_name = serializers.CharField(source="profile.name", default=None, read_only=True)
    started_by_name = serializers.CharField(source="started_by.__str__", default=None, read_only=True)
    percent = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="running, done or failed")

    class Meta:
        model = ImportRun
        fields = ["id", "file_name", "profile", "profile_name", "started_by", "started_by_name", "dry_run",
                  "status", "error", "rows_total", "rows_done", "percent", "created", "updated", "unchanged",
                  "rejected", "started_at", "finished_at"]
        read_only_fields = fields

    def get_percent(self, run: ImportRun) -> int:
        return int(100 * run.rows_done / run.rows_total) if run.rows_total else 0


class ImportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="The 12345 export, CSV or XLSX, up to 50 MB.")
    profile = serializers.PrimaryKeyRelatedField(queryset=ImportProfile.objects.all(), required=False,
                                                 allow_null=True, default=None,
                                                 help_text="Another layout; none: the standard 12345 export.")
    dry_run = serializers.BooleanField(default=False, help_text="Check every row, write nothing.")

    def validate_file(self, upload: Any) -> Any:
        if Path(upload.name or "").suffix.lower() not in SUFFIXES:
            raise serializers.ValidationError(_("Choose a CSV or XLSX file."))
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(_("The file is larger than %(size)d MB.")
                                              % {"size": MAX_UPLOAD_BYTES // 2**20})
        return upload


class ImportRejectionSerializer(serializers.ModelSerializer[ImportRejection]):
    class Meta:
        model = ImportRejection
        fields = ["id", "row_number", "column", "reason", "values"]
        read_only_fields = fields


_RUN_EXAMPLE = {"id": 8, "file_name": "12345-0503.xlsx", "profile": None, "profile_name": None, "started_by": 2,
                "started_by_name": "调度员", "dry_run": False, "status": "running", "error": "", "rows_total": 1200,
                "rows_done": 600, "percent": 50, "created": 580, "updated": 3, "unchanged": 10, "rejected": 7,
                "started_at": "2026-05-03T09:00:00+08:00", "finished_at": None}


class ImportListView(generics.ListCreateAPIView[ImportRun]):
    permission_classes = [IsAuthenticated, CanImport]
    serializer_class = ImportRunSerializer

    def get_queryset(self) -> Any:
        return ImportRun.objects.select_related("profile", "started_by").order_by("-started_at", "-pk")

    @extend_schema(operation_id="imports_list", summary="Recent order file imports",
                   responses={200: ImportRunSerializer(many=True), 403: ERROR},
                   examples=[OpenApiExample("A running import", response_only=True, value={
                       "count": 1, "next": None, "previous": None, "results": [_RUN_EXAMPLE]})])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="imports_upload",
        summary="Upload a 12345 export to import",
        description="multipart/form-data with `file` (CSV or XLSX), optional `profile` and `dry_run`. The worker "
        "imports it; follow the run at `GET /api/v1/imports/{id}` (`status` running → done or failed).",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportRunSerializer, 400: ERROR, 403: ERROR},
        examples=[OpenApiExample("Accepted", response_only=True, status_codes=["202"], value=_RUN_EXAMPLE)],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ImportUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = start_upload(upload=payload.validated_data["file"], profile=payload.validated_data["profile"],
                           dry_run=payload.validated_data["dry_run"], actor=request.user)  # type: ignore[arg-type]
        run = self.get_queryset().get(pk=run.pk)
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    def get_parsers(self) -> list[Any]:
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return [MultiPartParser()]
        return super().get_parsers()


class ImportRunView(generics.RetrieveAPIView[ImportRun]):
    permission_classes = [IsAuthenticated, CanImport]
    serializer_class = ImportRunSerializer
    queryset = ImportRun.objects.select_related("profile", "started_by")

    @extend_schema(operation_id="imports_retrieve", summary="One import: its progress and what it took",
                   responses={200: ImportRunSerializer, 403: ERROR, 404: ERROR},
                   examples=[OpenApiExample("Half way", response_only=True, value=_RUN_EXAMPLE)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ImportRejectionListView(generics.ListAPIView[ImportRejection]):
    permission_classes = [IsAuthenticated, CanImport]
    serializer_class = ImportRejectionSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ImportRejection.objects.none()
        run = get_object_or_404(ImportRun, pk=self.kwargs["pk"])
        return run.rejections.order_by("row_number", "pk")

    @extend_schema(operation_id="imports_rejections", summary="The rows an import rejected, and why",
                   responses={200: ImportRejectionSerializer(many=True), 403: ERROR, 404: ERROR},
                   examples=[OpenApiExample("A row without a time", response_only=True, value={
                       "count": 1, "next": None, "previous": None, "results": [{
                           "id": 3, "row_number": 17, "column": "受理时间", "reason": "不是日期时间：昨天",
                           "values": {"工单编号": "2605030017", "受理时间": "昨天"}}]})])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ImportRejectionsXlsxView(APIView):
    permission_classes = [IsAuthenticated, CanImport]
    renderer_classes = FILE_RENDERERS

    @extend_schema(operation_id="imports_rejections_xlsx", summary="The rejected rows as an XLSX workbook",
                   responses=binary("The rows as read, with the reason, to correct and import again.", XLSX))
    def get(self, request: Request, pk: int) -> HttpResponse:
        run = get_object_or_404(ImportRun.objects.select_related("profile"), pk=pk)
        buffer = io.BytesIO()
        write_rejections(run, buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="rejected-rows-{run.pk}.xlsx"'
        return response


class ImportFileView(APIView):
    permission_classes = [IsAuthenticated, CanImport]
    renderer_classes = FILE_RENDERERS

    @extend_schema(operation_id="imports_file", summary="The file of an import as it was uploaded",
                   description="Only to whom uploaded it (while they may import) and to administrators: it holds "
                   "complainants' names and phone numbers.",
                   responses=binary("The uploaded file, under its original name."))
    def get(self, request: Request, pk: int) -> FileResponse:
        run = get_object_or_404(ImportRun, pk=pk)
        if not can_download_file(request.user, run):
            raise ActionForbidden(_("Only whom uploaded the file, and administrators, may download it."))
        if not run.stored_file:
            raise Http404
        try:
            handle = default_storage.open(run.stored_file, "rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=run.file_name)
