"""Notifications: in-app messages to staff, and the outbox of everything sent outside the platform."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to one member of staff: a reminder, an escalation, a 督办/催办, an assignment."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40)
    # The subject is stored as a code plus parameters so that it can be shown in the reader's language.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notify_unread")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Given up")


class OutboxMessage(models.Model):
    """A message on its way out of the platform (an e-mail, a group-robot post, a webhook call, the result pushed
    back to the hotline), kept until it is delivered. A failed attempt is tried again later, with growing waits;
    after the last attempt the message is given up (the dead-letter list), where an administrator can send it
    again. The transport named by `transport` knows how to send the payload (and signs it at sending time)."""

    transport = models.CharField(_("transport"), max_length=30)
    # What the message goes to: a robot, a webhook subscription, a hotline source... (the transport's own model).
    target_id = models.BigIntegerField(_("target"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True, help_text=_("e-mail address or URL"))
    event = models.CharField(_("event"), max_length=60, blank=True)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    # Set when one event must be queued once only (a second `enqueue` with the same key queues nothing).
    dedup_key = models.CharField(_("deduplication key"), max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=10)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="notify_outbox_due",
                         condition=models.Q(status="pending")),
            models.Index(fields=["case_id", "created_at"], name="notify_outbox_case",
                         condition=models.Q(case_id__isnull=False)),
            models.Index(fields=["status", "created_at"], name="notify_outbox_status"),
        ]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")

    def __str__(self) -> str:
        return f"{self.transport} → {self.address or self.target_id} ({self.status})"


class NotifyEvent(models.TextChoices):
    """What the platform tells people about; each has one `EventRoute` saying through which channels."""

    CASE_ASSIGNED = "case_assigned", _("New case for my unit")
    DEADLINE_REMINDER = "deadline_reminder", _("Deadline due soon")
    DEADLINE_ESCALATION = "deadline_escalation", _("Deadline overdue")
    CASE_SUPERVISED = "case_supervised", _("Case under supervision (督办)")
    CASE_REMINDED = "case_reminded", _("Reminder to move on a case (催办)")
    VISIT_UNSATISFIED = "visit_unsatisfied", _("Unsatisfied return visit")
    MONITORING_ALERT = "monitoring_alert", _("Monitoring alert")
    INSIGHT_RISE = "insight_rise", _("Insight alert: unusual rise")
    MEETING_DECISION_DUE = "meeting_decision_due", _("Meeting decision due")
    CASE_RETURNED = "case_returned", _("Case returned to the dispatchers")
    CASE_REOPENED = "case_reopened", _("Case reopened after the return visit")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_DECIDED = "extension_decided", _("Extension decided")
    JOINT_HANDLING_CALLED = "joint_handling_called", _("Unit called in (吹哨报到)")
    JOINT_REPLY_RECEIVED = "joint_reply_received", _("Answer of a unit called in")


class RobotPlatform(models.TextChoices):
    WECOM = "wecom", _("WeCom (企业微信) group robot")
    DINGTALK = "dingtalk", _("DingTalk (钉钉) custom robot")


class LiaisonLevel(models.TextChoices):
    CITY = "city", _("City level")
    DISTRICT = "district", _("District level")
    STREET = "street", _("Street level")


class GroupRobot(models.Model):
    """A group chat's robot (群机器人) that posts to the people where they already work: the 三级管家 liaison groups
    of city, district and streets (市–区–街乡), or a unit's own group. It is sent the events its units are
    concerned by (when the event's route asks for "the robot of the case's street/unit") and the events whose route
    names it. Never a complainant's details: see `notify.routing`."""

    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=10, choices=RobotPlatform.choices)
    webhook_url = models.URLField(
        _("webhook URL"), max_length=500,
        help_text=_("The robot's address as the group settings show it, with its key or access token."))
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True,
        help_text=_("DingTalk only: the secret of the “sign” security setting (SEC…); empty when not used."))
    level = models.CharField(_("liaison level"), max_length=10, choices=LiaisonLevel.choices,
                             default=LiaisonLevel.STREET)
    units = models.ManyToManyField(
        "org.OrgUnit", verbose_name=_("units served"), blank=True, related_name="group_robots",
        help_text=_("The streets, towns or units whose cases and alerts this group is told about."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")

    def __str__(self) -> str:
        return self.name


class EventRoute(models.Model):
    """What is sent to whom for one event: in-app to the people concerned, e-mail to them, posts to group robots."""

    event = models.CharField(_("event"), max_length=40, choices=NotifyEvent.choices, unique=True)
    in_app = models.BooleanField(_("in-app"), default=True)
    email = models.BooleanField(_("e-mail"), default=False,
                                help_text=_("E-mail the same people (those with an e-mail address)."))
    unit_robots = models.BooleanField(
        _("robots of the case's street/unit"), default=False,
        help_text=_("Post to the active robots serving the street or the handling unit concerned."))
    robots = models.ManyToManyField(GroupRobot, verbose_name=_("also these robots"), blank=True,
                                    related_name="routes")

    class Meta:
        ordering = ["event"]
        verbose_name = _("event route")
        verbose_name_plural = _("event routes")

    def __str__(self) -> str:
        return self.get_event_display()


class NoticeSent(models.Model):
    """A notice that goes out once only (a meeting decision falling due): the worker that looks for them every
    hour finds the key and skips it."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice sent once")
        verbose_name_plural = _("notices sent once")

    def __str__(self) -> str:
        return self.key
