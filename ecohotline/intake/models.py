"""Intake: the orders as received from each channel, how files are read, and where pushes come from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ecohotline.cases.models import REAL_CHANNELS, Case, Channel


class ReceivedVia(models.TextChoices):
    FILE = "file", _("File import")
    PUSH = "push", _("Push API")
    MANUAL = "manual", _("Manual entry")
    OPEN311 = "open311", _("Open311")
    WEB = "web", _("Web form")


class OrderRecord(models.Model):
    """工单 as received: the raw order of a channel, linked to the case it became. One per (channel, number);
    its content hash tells a re-delivery (nothing to do) from a 补充 (the content changed)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="order_record")
    channel = models.CharField(_("channel"), max_length=20, choices=REAL_CHANNELS)
    external_id = models.CharField(_("order number"), max_length=64)
    content_hash = models.CharField(max_length=64)
    raw = models.JSONField(_("as received"), default=dict)
    received_via = models.CharField(_("received via"), max_length=10, choices=ReceivedVia.choices)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now=True)
    updates = models.PositiveIntegerField(_("supplements"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="intake_unique_order")]
        verbose_name = _("order as received")
        verbose_name_plural = _("orders as received")

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"


class CoordinateSystem(models.TextChoices):
    """What the 经度/纬度 of an order file are in; `place` converts them to WGS-84."""

    WGS84 = "wgs84", _("WGS-84 (GPS)")
    GCJ02 = "gcj02", _("GCJ-02 (Gaode and Tencent maps)")
    BD09 = "bd09", _("BD-09 (Baidu maps)")


class ImportProfile(models.Model):
    """How to read another layout of order file: which column holds each canonical field, date formats, and
    what its coordinates are in."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # {canonical column (工单编号, 受理时间...): the column header in this layout}
    column_map = models.JSONField(_("column mapping"), default=dict, blank=True)
    # strftime formats tried in order, before the built-in ones
    date_formats = models.JSONField(_("date formats"), default=list, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True,
                                help_text=_("Leave blank to detect it."))
    sheet = models.CharField(_("worksheet"), max_length=100, blank=True)
    header_row = models.PositiveSmallIntegerField(_("header row"), default=1)
    channel = models.CharField(_("channel"), max_length=20, choices=REAL_CHANNELS, default=Channel.HOTLINE_12345)
    # GCJ-02 like the standard layout: 12345 orders get their coordinates from the hotline's Gaode/Tencent maps.
    coordinate_system = models.CharField(
        _("coordinate system"), max_length=10, choices=CoordinateSystem.choices, default=CoordinateSystem.GCJ02,
        help_text=_("What the file's longitude and latitude (经度/纬度) are in. A 坐标系 column in the file, "
                    "where present, says it row by row instead."))

    class Meta:
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("import", "Running")
    DONE = "done", pgettext_lazy("import", "Done")
    FAILED = "failed", pgettext_lazy("import", "Failed")


class ImportRun(models.Model):
    """One file import (工单导入): progress while it runs, then what it took and what it rejected.

    `heartbeat_at` is when the worker last showed progress; a run still `running` without one for a while has
    lost its worker (see `tasks.fail_stale_runs`)."""

    file_name = models.CharField(_("file"), max_length=255)
    # The uploaded file as kept in the default storage (MEDIA_ROOT/imports/...); blank for command-line imports.
    stored_file = models.CharField(_("stored file"), max_length=255, blank=True)
    profile = models.ForeignKey(ImportProfile, null=True, blank=True, on_delete=models.SET_NULL,
                                verbose_name=_("profile"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("started by"))
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.RUNNING)
    error = models.TextField(_("error"), blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("new cases"), default=0)
    updated = models.PositiveIntegerField(_("supplements"), default=0)
    unchanged = models.PositiveIntegerField(_("already known"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class ImportRejection(models.Model):
    """A row that was not taken, with where and why."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=50, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    values = models.JSONField(_("row as read"), default=dict)

    class Meta:
        ordering = ["row_number", "pk"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")

    def __str__(self) -> str:
        return f"{self.run_id}:{self.row_number} {self.column}"


class HotlineSource(models.Model):
    """A system allowed to push orders (the 12345 platform, the 12369 platform...), with its shared secret, and
    where the results of its orders are pushed back (办理结果反馈), if it takes them."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=20, choices=REAL_CHANNELS, default=Channel.HOTLINE_12345)
    secret = models.CharField(_("shared secret"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    # Where the results of its orders go back (replies, returns, extensions, appeals): see `hooks.feedback`.
    feedback_url = models.URLField(
        _("feedback URL"), max_length=500, blank=True,
        help_text=_("Replies, returns, extensions and appeals on this source's orders are posted here, signed with "
                    "the shared secret like the pushes; blank: no feedback."))

    class Meta:
        verbose_name = _("push source")
        verbose_name_plural = _("push sources")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """分派规则: orders of a category (and optionally a street) go to a unit. The most specific rule wins."""

    category = models.CharField(_("category"), max_length=50, blank=True,
                                help_text=_("A category (noise) or sub-category (noise.social); blank for any."))
    street = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("street/town"))
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("handling unit"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category or '*'} / {self.street or '*'} → {self.unit}"


class KeyUnit(models.Model):
    """重点单位: a named polluter under closer watch; orders naming it go to its team."""

    name = models.CharField(_("name"), max_length=200)
    keywords = models.CharField(_("keywords"), max_length=300,
                                help_text=_("Words that identify it in an order, separated by commas."))
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("handling unit"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("key unit")
        verbose_name_plural = _("key units")

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.replace("，", ",").split(",") if word.strip()]


class Suggestion(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class TriageSuggestion(models.Model):
    """What triage proposes for a new case (unit, leader, remit), for a dispatcher to accept in one click."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="triage")
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("suggested unit"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("suggested leader"))
    confidence = models.FloatField(_("confidence"), default=0)
    remit = models.CharField(_("remit"), max_length=10, default="keep")
    department = models.CharField(_("likely department"), max_length=100, blank=True)
    repeat_count_90d = models.PositiveIntegerField(_("complaints about the place in 90 days"), default=0)
    reasons = models.JSONField(_("reasons"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Suggestion.choices, default=Suggestion.PENDING)

    class Meta:
        verbose_name = _("triage suggestion")
        verbose_name_plural = _("triage suggestions")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.unit_id}"


class DuplicateSuggestion(models.Model):
    """A possible duplicate (重复件) of a case, scored, for a dispatcher to confirm (merge) or dismiss."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="duplicate_suggestions")
    candidate = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Suggestion.choices, default=Suggestion.PENDING)

    class Meta:
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["case", "candidate"], name="intake_unique_duplicate")]
        verbose_name = _("duplicate suggestion")
        verbose_name_plural = _("duplicate suggestions")

    def __str__(self) -> str:
        return f"{self.case_id} ~ {self.candidate_id} ({self.score:.2f})"
