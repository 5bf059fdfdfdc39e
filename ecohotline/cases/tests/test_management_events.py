"""Management events (the ledger, retrospectives, meeting decisions) on the timeline: appended without touching the
case, their facts shown as lines, their free texts masked for those who may not see the complainant."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from ecohotline.cases import services
from ecohotline.cases.timeline import timeline_entries
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db


def test_a_decision_is_appended_without_changing_the_case(org: Any) -> None:
    case = make_case(street=org.street, complainant_name="王芳", complainant_phone="13911112222")
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    case.refresh_from_db()
    status, version = case.status, case.version
    event = services.record_management_event(case=case, action="meeting_decision", actor=org.leader, payload={
        "text": "联系王芳（13911112222）约定复测时间。", "responsible_name": "马超", "due": "2026-11-30"})
    case.refresh_from_db()
    assert (case.status, case.version) == (status, version)  # a handler's open form does not go stale
    assert (event.from_status, event.to_status) == (status, status)
    with translation.override("en"):
        seen = {person: timeline_entries(case, user)[-1] for person, user in
                (("leader", org.leader), ("analyst", org.analyst))}
    for entry in seen.values():
        lines = [(line.label, line.value) for line in entry.lines]
        assert lines == [("Responsible", "马超"), ("Due date", "2026-11-30")]
    assert "13911112222" in seen["leader"].blocks[0].text  # the case's leader sees the complainant
    assert "13911112222" not in seen["analyst"].blocks[0].text and "王芳" not in seen["analyst"].blocks[0].text


def test_only_management_actions_are_taken(org: Any) -> None:
    case = make_case(street=org.street)
    with pytest.raises(ValueError, match="not a management event"):
        services.record_management_event(case=case, action="dispatch", actor=org.leader, payload={})
    assert not case.events.filter(action="dispatch").exists()
