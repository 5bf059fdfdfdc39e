"""调度意见到期提醒: the person responsible for a dispatch meeting's decision is reminded the day before it is due
(and on the day, if the worker first runs then), once per decision, while the case is not closed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ecohotline.cases.models import CaseStatus
from ecohotline.cases.selectors import category_labels
from ecohotline.core.workdays import BEIJING
from ecohotline.notify.services import notify_once
from ecohotline.reports.models import MeetingDecision

#: How many days before its due date a decision is reminded of.
REMIND_DAYS_BEFORE = 1


def remind_due_decisions(*, now: dt.datetime | None = None) -> int:
    """Remind of the decisions due today or within REMIND_DAYS_BEFORE days (Beijing dates) of cases not closed,
    each once (a later run, every hour, finds the reminder sent); returns how many were sent now."""
    today = timezone.localtime(now or timezone.now(), BEIJING).date()
    due = (MeetingDecision.objects
           .filter(due__gte=today, due__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE), responsible__is_active=True)
           .exclude(case__status__in=(CaseStatus.CLOSED, CaseStatus.MERGED))
           .select_related("case", "case__street", "responsible").order_by("due", "pk"))
    sent = 0
    for decision in due:
        case = decision.case
        names = category_labels().get(case.sub_category or case.category, ("", ""))
        written = notify_once(
            key=f"meeting_decision_due:{decision.pk}:{decision.due.isoformat()}", recipients=[decision.responsible],
            kind="meeting_decision_due", case_id=case.pk, units=[case.street_id, case.handling_unit_id],
            reference=case.reference, category=case.sub_category or case.category, category_zh=names[0],
            category_en=names[1], street=case.street.name if case.street else "", due=decision.due.isoformat(),
            note=decision.text, decision_id=decision.pk)
        sent += written is not None
    return sent
