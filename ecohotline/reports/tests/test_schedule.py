"""The worker's schedule: the 日调度单 on working-day mornings, the 周分析 and the meeting pack on Monday mornings,
the 月总结 on the first day of the assessment month; each once, registered as huey periodic tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from huey.contrib.djhuey import HUEY

from ecohotline.assessment.models import KpiScheme
from ecohotline.core.workdays import BEIJING
from ecohotline.reports import tasks
from ecohotline.reports.models import Meeting, ReportKind, ReportRun

pytestmark = pytest.mark.django_db

TASKS = (tasks.daily_dispatch_sheet, tasks.weekly_reports, tasks.monthly_summary)


def moment(month: int, day: int, hour: int, minute: int = 5) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


def test_the_jobs_are_periodic_tasks_of_the_worker() -> None:
    periodic = HUEY._registry._periodic_tasks
    for task in TASKS:
        assert task.task_class in periodic
    # Hourly, so that the hour can be read in Beijing time whatever clock huey's crontab uses.
    for task, due in zip(TASKS, (5, 10, 15), strict=True):
        instance = task.s()
        assert all(instance.validate_datetime(dt.datetime(2026, 11, 23, hour, minute)) == (minute == due)
                   for hour in range(24) for minute in range(60))


def test_a_monday_morning(org: Any, time_machine: Any) -> None:
    time_machine.move_to(moment(11, 23, 7), tick=False)  # before the hour: nothing yet
    assert [task.call_local() for task in TASKS] == [None, [], None]
    assert not ReportRun.objects.exists()

    time_machine.move_to(moment(11, 23, 8), tick=False)
    daily = tasks.daily_dispatch_sheet.call_local()
    weekly, pack = tasks.weekly_reports.call_local()
    assert tasks.monthly_summary.call_local() is None  # not the first day of a month
    runs = {run.pk: run for run in ReportRun.objects.all()}
    assert (runs[daily].kind, runs[daily].period_start, runs[daily].generated_by) == (
        ReportKind.DAILY, dt.date(2026, 11, 23), None)
    assert (runs[weekly].kind, runs[weekly].period_start, runs[weekly].period_end) == (
        ReportKind.WEEKLY, dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    meeting = Meeting.objects.get()
    assert (runs[pack].kind, runs[pack].meeting, meeting.held_on) == (ReportKind.MEETING, meeting,
                                                                      dt.date(2026, 11, 23))
    assert all(run.docx.storage.exists(run.docx.name) and run.xlsx.storage.exists(run.xlsx.name)
               for run in runs.values())

    time_machine.move_to(moment(11, 23, 9), tick=False)  # the next hour: done already
    assert [task.call_local() for task in TASKS] == [None, [], None]
    assert ReportRun.objects.count() == 3


def test_no_daily_sheet_on_a_day_off(org: Any, time_machine: Any) -> None:
    time_machine.move_to(moment(11, 28, 10), tick=False)  # a Saturday
    assert tasks.daily_dispatch_sheet.call_local() is None
    time_machine.move_to(moment(10, 5, 10), tick=False)  # a Monday of the National Day holiday
    assert tasks.daily_dispatch_sheet.call_local() is None
    assert not ReportRun.objects.filter(kind=ReportKind.DAILY).exists()


def test_the_monthly_summary_on_the_first_day_of_the_assessment_month(org: Any, time_machine: Any) -> None:
    time_machine.move_to(moment(12, 1, 9), tick=False)
    run = ReportRun.objects.get(pk=tasks.monthly_summary.call_local())
    assert (run.kind, run.period_start, run.period_end) == (ReportKind.MONTHLY, dt.date(2026, 11, 1),
                                                             dt.date(2026, 11, 30))
    KpiScheme.objects.create(name="海淀区考核方案", effective_from=dt.date(2026, 1, 1), period_start_day=19)
    time_machine.move_to(moment(12, 1, 10), tick=False)
    assert tasks.monthly_summary.call_local() is None  # the month now starts on the 19th
    time_machine.move_to(moment(11, 19, 9), tick=False)
    run = ReportRun.objects.get(pk=tasks.monthly_summary.call_local())
    assert (run.period_start, run.period_end) == (dt.date(2026, 10, 19), dt.date(2026, 11, 18))
