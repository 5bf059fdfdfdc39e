"""Background jobs of the reports app (run by the huey worker).

Each job runs every hour and decides in Beijing time whether its document is due (huey's crontab reads the clock
in UTC): a worker that was down at the hour catches up at the next run, and a document the worker already made
for its period is not made again.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ecohotline.reports import reminders, services


@db_periodic_task(crontab(minute="5"))
def daily_dispatch_sheet() -> int | None:
    """日调度单, each working day from `REPORTS_DAILY_HOUR`; returns the archive row's id."""
    run = services.scheduled_daily()
    return run.pk if run else None


@db_periodic_task(crontab(minute="10"))
def weekly_reports() -> list[int]:
    """周分析 and 周调度会材料, on Mondays from `REPORTS_WEEKLY_HOUR`; returns the archive rows' ids."""
    return [run.pk for run in services.scheduled_weekly()]


@db_periodic_task(crontab(minute="15"))
def monthly_summary() -> int | None:
    """月总结, on the first day of each assessment month from `REPORTS_MONTHLY_HOUR`."""
    run = services.scheduled_monthly()
    return run.pk if run else None


@db_periodic_task(crontab(minute="25"))
def meeting_decision_reminders() -> int:
    """Every hour: remind the people responsible of the meeting decisions falling due (each once)."""
    return reminders.remind_due_decisions()
