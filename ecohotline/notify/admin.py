from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ecohotline.notify import outbox, services
from ecohotline.notify.models import EventRoute, GroupRobot, Notification, OutboxMessage, OutboxStatus
from ecohotline.org.models import User


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "case_id", "created_at", "read_at"]
    list_filter = ["kind"]
    readonly_fields = ["recipient", "kind", "params", "case_id", "created_at"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The outbox; filtered on “Given up” it is the dead-letter list."""

    list_display = ["created_at", "transport", "event", "address", "case_id", "status", "attempts",
                    "next_attempt_at", "short_error"]
    list_filter = ["status", "transport", "event"]
    search_fields = ["address", "event", "case_id"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notify.change_outboxmessage")

    @admin.display(description=_("last error"))
    def short_error(self, message: OutboxMessage) -> str:
        return message.last_error[:120]

    @admin.action(description=_("Send the selected messages again"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox.retry(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, ngettext("%(count)d message will be sent again.",
                                            "%(count)d messages will be sent again.", count) % {"count": count},
                          messages.SUCCESS)


@admin.register(GroupRobot)
class GroupRobotAdmin(admin.ModelAdmin):
    """群机器人 of the 三级管家 liaison groups; "send a test message" posts at once and says what the robot answered."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, now
    list_display = ["name", "platform", "level", "units_served", "is_active"]
    list_filter = ["platform", "level", "is_active"]
    search_fields = ["name", "units__name"]
    filter_horizontal = ["units"]
    actions = ["send_test"]

    @admin.display(description=_("units served"))
    def units_served(self, robot: GroupRobot) -> str:
        return "、".join(unit.name for unit in robot.units.all())

    def get_queryset(self, request: HttpRequest) -> QuerySet[GroupRobot]:
        return super().get_queryset(request).prefetch_related("units")

    @admin.action(description=_("Send a test message"))
    def send_test(self, request: HttpRequest, queryset: QuerySet[GroupRobot]) -> None:
        assert isinstance(request.user, User)
        for robot in queryset:
            message = services.send_robot_test(actor=request.user, robot=robot)
            outbox.deliver(message.pk)
            message.refresh_from_db()
            if message.status == OutboxStatus.SENT:
                self.message_user(request, _("%(robot)s: the test message was delivered.") % {"robot": robot},
                                  messages.SUCCESS)
            else:
                self.message_user(request, _("%(robot)s: the test message failed: %(error)s") % {
                    "robot": robot, "error": message.last_error[:300]}, messages.ERROR)


@admin.register(EventRoute)
class EventRouteAdmin(admin.ModelAdmin):
    """What is sent to whom per event; one row per event (made by the migration), edited, never added."""

    list_display = ["event", "in_app", "email", "unit_robots", "robot_names"]
    list_editable = ["in_app", "email", "unit_robots"]
    filter_horizontal = ["robots"]
    readonly_fields = ["event"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: EventRoute | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[EventRoute]:
        return super().get_queryset(request).prefetch_related("robots")

    @admin.display(description=_("also these robots"))
    def robot_names(self, route: EventRoute) -> str:
        return "、".join(robot.name for robot in route.robots.all())
