"""One route per event with the defaults: in-app on, e-mail off, no robots (administrators switch the rest on)."""

from django.db import migrations

EVENTS = (
    "case_assigned", "deadline_reminder", "deadline_escalation", "case_supervised", "case_reminded",
    "visit_unsatisfied", "monitoring_alert", "insight_rise", "meeting_decision_due", "case_returned",
    "case_reopened", "extension_requested", "extension_decided", "joint_handling_called", "joint_reply_received",
)


def create_routes(apps, schema_editor):
    EventRoute = apps.get_model("notify", "EventRoute")
    existing = set(EventRoute.objects.values_list("event", flat=True))
    EventRoute.objects.bulk_create(
        [EventRoute(event=event, in_app=True, email=False, unit_robots=False) for event in EVENTS
         if event not in existing])


def delete_routes(apps, schema_editor):
    apps.get_model("notify", "EventRoute").objects.filter(event__in=EVENTS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("notify", "0004_group_robots_and_event_routes"),
    ]

    operations = [
        migrations.RunPython(create_routes, delete_routes),
    ]
