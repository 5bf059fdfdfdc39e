"""Cases: every order, task and alert the bureau handles, on one lifecycle with an append-only timeline."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecohotline.cases import workspace
from ecohotline.core.workdays import LimitUnit
from ecohotline.org.models import OrgUnit


class CaseKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    PROACTIVE_TASK = "proactive_task", _("Proactive task")
    ALERT_VERIFICATION = "alert_verification", _("Alert verification")


class Channel(models.TextChoices):
    HOTLINE_12345 = "hotline_12345", _("12345 hotline")
    ECO_12369 = "eco_12369", _("12369 environmental report")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web form")
    OPEN311 = "open311", _("Open311")
    PROACTIVE = "proactive", _("Proactive")
    MONITORING = "monitoring", _("Monitoring alert")
    # 情景模拟: a scenario of the training sandbox. Never a real case (`CaseManager`), never assessed.
    TRAINING = "training", _("Training scenario")


# The channels of real orders (what a form, a filter or an assessment scheme may offer).
REAL_CHANNELS = tuple((value, label) for value, label in Channel.choices if value != Channel.TRAINING)


class RequestType(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")
    ENQUIRY = "enquiry", _("Enquiry")
    SUGGESTION = "suggestion", _("Suggestion")
    HELP = "help", _("Request for help")
    PRAISE = "praise", _("Praise")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")
    COMPLEX = "complex", _("Complex")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    MERGED = "merged", _("Merged")


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.RETURNED)
# The statuses in which a case's own deadlines run: the open ones, and a duplicate merged into another case
# (并案) until it is replied to. Each 12345 order keeps its own time limit, whoever handles it.
DEADLINE_STATUSES = (*OPEN_STATUSES, CaseStatus.MERGED)


class Category(models.Model):
    """A pollution category (大气/噪声/水...) or sub-category (`noise.social`, `air.catering_fumes`...)."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class DeadlinePolicy(models.Model):
    """Time limits (办理时限) for a (channel, request type, urgency); blank request type or urgency match any.

    Each limit is an amount with its unit (hours, natural days or working days); a blank amount means the
    step has no limit of its own (a blank reply limit falls back to the completion limit).
    """

    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=20, choices=REAL_CHANNELS)
    request_type = models.CharField(_("request type"), max_length=20, choices=RequestType.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, blank=True)
    accept_limit = models.PositiveIntegerField(_("accept within"), null=True, blank=True)
    accept_unit = models.CharField(_("time unit"), max_length=15, choices=[(u.value, u.value) for u in LimitUnit],
                                   default=LimitUnit.NATURAL_DAYS)
    contact_limit = models.PositiveIntegerField(_("first contact within"), null=True, blank=True)
    contact_unit = models.CharField(_("time unit"), max_length=15, choices=[(u.value, u.value) for u in LimitUnit],
                                    default=LimitUnit.HOURS)
    reply_limit = models.PositiveIntegerField(_("reply within"), null=True, blank=True)
    reply_unit = models.CharField(_("time unit"), max_length=15, choices=[(u.value, u.value) for u in LimitUnit],
                                  default=LimitUnit.NATURAL_DAYS)
    completion_limit = models.PositiveIntegerField(_("complete within"), null=True, blank=True)
    completion_unit = models.CharField(_("time unit"), max_length=15, choices=[(u.value, u.value) for u in LimitUnit],
                                       default=LimitUnit.NATURAL_DAYS)
    max_extension_days = models.PositiveIntegerField(_("longest extension (days)"), default=0)
    pause_allowed = models.BooleanField(_("clock may be paused"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["channel", "request_type", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "request_type", "urgency"], name="cases_unique_policy_key")
        ]
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")

    def __str__(self) -> str:
        return self.name


# The fields the KPIs are grouped by (assessment.kpis.GROUPS), carried by the KPI indexes below.
KPI_GROUP_FIELDS = ("handling_unit", "handler", "street", "category", "leader")


class CaseManager(models.Manager["Case"]):
    """`Case.objects`: the real cases, or inside a training workspace only that run's training cases
    (`cases.workspace`). Every selector starts here, so a training case never reaches a real list, KPI, report,
    export, API or feed, and a trainee never sees a real case."""

    def get_queryset(self) -> models.QuerySet[Case]:
        queryset = super().get_queryset()
        scope = workspace.current()
        if scope is None:
            return queryset.exclude(channel=Channel.TRAINING)
        return queryset.filter(scope.cases, channel=Channel.TRAINING)


class Case(models.Model):
    """One thing the bureau must handle: a 12345 工单, a 12369/letter/visit complaint, a proactive task or
    an alert verification. Written only through `cases.services`."""

    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices, default=CaseKind.COMPLAINT)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    external_id = models.CharField(_("order number"), max_length=64, blank=True)
    request_type = models.CharField(_("request type"), max_length=20, choices=RequestType.choices,
                                    default=RequestType.COMPLAINT)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    received_at = models.DateTimeField(_("received at"), db_index=True)

    # 诉求人: confidential by law, shown only to the dispatcher, the handling unit and the case's leader.
    complainant_name = models.CharField(_("complainant name"), max_length=100, blank=True)
    complainant_phone = models.CharField(_("complainant phone"), max_length=30, blank=True)
    complainant_anonymous = models.BooleanField(_("anonymous"), default=False)
    complainant_confidential = models.BooleanField(_("asks for confidentiality"), default=False)

    address = models.CharField(_("address"), max_length=300, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    street = models.ForeignKey(OrgUnit, verbose_name=_("street/town"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="street_cases")
    community = models.CharField(_("community"), max_length=100, blank=True)
    latitude = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    longitude = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    # core.geo.grid_cell of the coordinates: "cases near here" is an index range scan, not a table scan.
    geo_cell = models.BigIntegerField(null=True, blank=True, editable=False)

    category = models.CharField(_("category"), max_length=50, blank=True, db_index=True)
    sub_category = models.CharField(_("sub-category"), max_length=50, blank=True, db_index=True)
    # True once a person set or confirmed the (sub-)category: what `train-classifier` learns from.
    category_confirmed = models.BooleanField(_("category confirmed"), default=False)
    polluter = models.CharField(_("polluter"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW,
                              db_index=True)
    handling_unit = models.ForeignKey(OrgUnit, verbose_name=_("handling unit"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="handled_cases")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handler"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="handled_cases")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("leader in charge"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="led_cases")
    parent = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="merged_children")

    # Deadlines (办理时限): stored and indexed so that lists and the worker never recompute them.
    policy = models.ForeignKey(DeadlinePolicy, verbose_name=_("deadline policy"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    contact_due_at = models.DateTimeField(_("first contact by"), null=True, blank=True)
    reply_due_at = models.DateTimeField(_("reply by"), null=True, blank=True)
    due_at = models.DateTimeField(_("complete by"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("deadline provisional"), default=False)
    # The nearest deadline still to be met; null when nothing is pending or the clock is paused.
    next_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("seconds paused"), default=0)

    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # The first reply (答复) ever, interim or final: a 重办 clears `replied_at`, never this (the KPIs' time to reply).
    first_replied_at = models.DateTimeField(_("first replied at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # The deciding return visit (回访): the latest valid one, whose answers the 三率 count. Kept on the case so that
    # a period's assessed orders are read from the cases alone (assessment.kpis), not joined from every visit.
    visit_at = models.DateTimeField(_("deciding return visit at"), null=True, blank=True)
    visit_contacted = models.BooleanField(_("contacted (deciding visit)"), null=True, blank=True)
    visit_solved = models.BooleanField(_("solved (deciding visit)"), null=True, blank=True)
    visit_satisfaction = models.CharField(_("satisfaction (deciding visit)"), max_length=20, null=True, blank=True)

    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects: ClassVar[CaseManager] = CaseManager()
    # Real and training cases alike: for the training sandbox's own bookkeeping, and nothing else.
    all_objects: ClassVar[models.Manager[Case]] = models.Manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        default_manager_name = "objects"
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~models.Q(external_id=""),
                name="cases_unique_order_per_channel",
            )
        ]
        indexes = [
            models.Index(fields=["handling_unit", "status"], name="cases_unit_status"),
            models.Index(fields=["street", "received_at"], name="cases_street_received"),
            models.Index(fields=["status", "next_due_at"], name="cases_status_next_due"),
            # duplicate and repeat lookups: same sub-category near a place within a window; same phone
            # The duplicate lookup filters on all six without reading the table (a covering index; the channel to
            # leave the training sandbox's cases out).
            models.Index(fields=["sub_category", "geo_cell", "received_at", "latitude", "longitude", "channel"],
                         name="cases_subcat_cell_near_ch"),
            models.Index(fields=["sub_category", "street", "received_at"], name="cases_subcat_street_received"),
            models.Index(fields=["complainant_phone", "received_at"], name="cases_phone_received"),
            # The case list filtered by status, newest first.
            models.Index(fields=["status", "received_at"], name="cases_status_received"),
            # The inbox: a handler's, a leader's (包案) and a street's (包片) cases that are still open.
            models.Index(fields=["handler", "status"], name="cases_handler_status"),
            models.Index(fields=["leader", "status"], name="cases_leader_status"),
            models.Index(fields=["street", "status"], name="cases_street_status"),
            # The KPIs of a period (assessment.kpis) read these columns of up to a year of cases: covering indexes,
            # so that a year of 1,000,000 cases is read from the indexes' narrow rows, not the wide table's. Each
            # carries the five columns the figures are grouped by, and the id (PostgreSQL's index-only scans need it;
            # SQLite's indexes hold it anyway).
            models.Index(fields=["kind", "channel", "received_at", "first_contact_at", "contact_due_at",
                                 "first_replied_at", "parent", *KPI_GROUP_FIELDS, "id"], name="cases_kpi_cohort"),
            models.Index(fields=["kind", "channel", "completed_at", "due_at", *KPI_GROUP_FIELDS, "id"],
                         name="cases_kpi_completed"),
            models.Index(fields=["kind", "channel", "visit_at", "visit_contacted", "visit_solved",
                                 "visit_satisfaction", "reopen_count", *KPI_GROUP_FIELDS, "id"],
                         name="cases_kpi_visit"),
            models.Index(fields=["id", "kind", "channel", "reopen_count", *KPI_GROUP_FIELDS], name="cases_kpi_by_id"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.external_id or f"#{self.pk}"

    @property
    def reference(self) -> str:
        return self.external_id or f"EH-{self.pk}"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("the case timeline is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("the case timeline is append-only")


class CaseEvent(models.Model):
    """One entry of a case's timeline: who did what, when, from which status to which. Never changed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("at"), db_index=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    objects: ClassVar[AppendOnlyQuerySet] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="cases_event_case_at")]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("the case timeline is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("the case timeline is append-only")


class CaseRecord(models.Model):
    """Fields shared by the records attached to a case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="%(class)ss")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk} · {self.case_id}"


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    VISIT = "visit", _("In person")
    OTHER = "other", _("Other")


class ContactAttempt(CaseRecord):
    """联系诉求人: one attempt to reach the complainant."""

    at = models.DateTimeField(_("at"))
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices,
                               default=ContactChannel.PHONE)
    reached = models.BooleanField(_("reached"))
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")


class Inspection(CaseRecord):
    """现场核查: a site inspection."""

    at = models.DateTimeField(_("at"))
    people = models.CharField(_("inspectors"), max_length=200, blank=True)
    findings = models.TextField(_("findings"))

    class Meta:
        ordering = ["at"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")


class Attachment(CaseRecord):
    """A file attached to a case (a photo of an inspection, evidence of an appeal...)."""

    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="photos")
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class Measurement(CaseRecord):
    """监测: a measurement taken for the case; `verdict` holds the standard's judgement."""

    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="measurements")
    kind = models.CharField(_("kind"), max_length=30)
    measured_at = models.DateTimeField(_("measured at"))
    values = models.JSONField(_("values"), default=dict)
    verdict = models.JSONField(_("verdict"), default=dict, blank=True)

    class Meta:
        ordering = ["measured_at"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")


class RectificationStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified")


class Rectification(CaseRecord):
    """整改: what the polluter was ordered to fix, by when."""

    requirement = models.TextField(_("requirement"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RectificationStatus.choices,
                              default=RectificationStatus.ORDERED)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")


class Reply(CaseRecord):
    """答复: what the bureau told the complainant and the hotline; `final` replies complete the case."""

    at = models.DateTimeField(_("at"))
    text = models.TextField(_("text"))
    final = models.BooleanField(_("final reply"), default=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class VisitSource(models.TextChoices):
    HOTLINE = "hotline", _("By the hotline")
    BUREAU = "bureau", _("By the bureau")


class ReturnVisit(CaseRecord):
    """回访: the complainant asked whether they were contacted, whether it is solved, whether satisfied."""

    at = models.DateTimeField(_("at"))
    source = models.CharField(_("by"), max_length=10, choices=VisitSource.choices, default=VisitSource.HOTLINE)
    valid = models.BooleanField(_("valid visit"), default=True)
    contacted = models.BooleanField(_("complainant was contacted"))
    solved = models.BooleanField(_("solved"))
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at"]
        indexes = [
            # The leader's inbox asks for cases a complainant was dissatisfied with: a few among many visits.
            models.Index(fields=["case"], name="cases_visit_dissatisfied",
                         condition=models.Q(valid=True, satisfaction="dissatisfied")),
            # The 三率 of a period read the valid visits made in it from this index alone, and ask whether a case
            # has a later valid visit from the next one (`valid` is a column too: SQLite does not infer it from the
            # condition, and would read the table for it).
            models.Index(fields=["at", "case", "contacted", "solved", "satisfaction", "valid"],
                         name="cases_visit_valid_at", condition=models.Q(valid=True)),
            models.Index(fields=["case", "at", "valid"], name="cases_visit_valid_case_at",
                         condition=models.Q(valid=True)),
        ]
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AppealReason(models.TextChoices):
    NOT_OUR_REMIT = "not_our_remit", _("Not our remit")
    UNREASONABLE = "unreasonable", _("Unreasonable demand")
    DUPLICATE = "duplicate", _("Duplicate order")
    UNREACHABLE = "unreachable", _("Complainant unreachable")
    COMPLIANT_BUT_DISTURBING = "compliant_but_disturbing", _("Meets the standard but still disturbs")
    OTHER = "other", _("Other")


class Appeal(CaseRecord):
    """申诉: a request to exclude the order from assessment, and its decision."""

    reason = models.CharField(_("reason"), max_length=30, choices=AppealReason.choices)
    evidence = models.TextField(_("evidence"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")


class Extension(CaseRecord):
    """延期: a request for more time, and its decision."""

    requested_days = models.PositiveIntegerField(_("days requested"))
    reason = models.TextField(_("reason"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    old_due_at = models.DateTimeField(_("due before"), null=True, blank=True)
    new_due_at = models.DateTimeField(_("due after"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")


class JointHandling(CaseRecord):
    """吹哨报到: streets or departments called in to handle the case together."""

    reason = models.TextField(_("reason"))
    units = models.ManyToManyField(OrgUnit, verbose_name=_("units called in"), related_name="joint_handlings")

    class Meta:
        verbose_name = _("joint handling")
        verbose_name_plural = _("joint handlings")


class JointReply(models.Model):
    """A called-in unit's answer to a joint handling request (报到)."""

    joint = models.ForeignKey(JointHandling, on_delete=models.PROTECT, related_name="replies")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("joint handling reply")
        verbose_name_plural = _("joint handling replies")

    def __str__(self) -> str:
        return f"{self.joint_id} · {self.unit_id}"


class DeadlineKind(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    CONTACT = "contact", _("First contact")
    REPLY = "reply", _("Reply")
    COMPLETION = "completion", _("Completion")


class AlertKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")


class DeadlineAlert(models.Model):
    """A reminder or escalation sent for one deadline. Unique per due time: sent exactly once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadline_alerts")
    deadline = models.CharField(max_length=12, choices=DeadlineKind.choices)
    kind = models.CharField(max_length=12, choices=AlertKind.choices)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "deadline", "kind", "due_at"], name="cases_alert_once")
        ]
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")

    def __str__(self) -> str:
        return f"{self.case_id} {self.deadline} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"


class ReplyTemplate(models.Model):
    """答复口径: a model answer for a category, with placeholders such as {核查情况} filled from the case
    (`cases.replies`). A blank category matches every case; the most specific template is offered first."""

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(
        _("category"), max_length=50, blank=True,
        help_text=_("A category or sub-category code (noise, noise.social…); blank for any case."),
    )
    text = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.name
