"""A month's retrospective causes (回访回溯原因) through the API: the overview roles read the counts the
retrospectives page shows; others 403; a malformed month 400."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ecohotline.api.tests.test_cases_api import client_for
from ecohotline.api.tests.test_ledger_api import retrospective  # noqa: F401 (a fixture)
from ecohotline.assessment import retrospectives
from ecohotline.assessment.models import Retrospective

pytestmark = pytest.mark.django_db


def test_a_months_causes_for_the_overview_roles(org: Any, retrospective: Retrospective,  # noqa: F811
                                                django_assert_max_num_queries: Any) -> None:
    month = timezone.localtime(retrospective.visit_at).strftime("%Y-%m")
    client = client_for(org.analyst)
    with django_assert_max_num_queries(3):
        pending = client.get("/api/v1/retrospectives/causes", {"month": month})
    assert pending.status_code == 200, pending.content
    assert pending.json()["pending"] == 1 and pending.json()["total"] == 1
    retrospectives.record_retrospective(actor=org.leader, retrospective=retrospective, cause="not_solved",
                                        lessons="未彻底整改")
    done = client.get("/api/v1/retrospectives/causes", {"month": month}).json()
    counts = {row["code"]: row["count"] for row in done["causes"]}
    assert done["pending"] == 0 and counts["not_solved"] == 1 and sum(counts.values()) == 1
    assert done["month"] == month and all(row["label"] for row in done["causes"])


def test_the_default_month_is_this_one(org: Any) -> None:
    with time_machine.travel("2026-05-20T10:00:00+08:00", tick=False):
        body = client_for(org.leader).get("/api/v1/retrospectives/causes").json()
    assert (body["month"], body["start"], body["end"], body["total"]) == ("2026-05", "2026-05-01", "2026-05-31", 0)


def test_others_get_403_and_a_malformed_month_400(org: Any) -> None:
    assert client_for(org.handler).get("/api/v1/retrospectives/causes").status_code == 403
    bad = client_for(org.leader).get("/api/v1/retrospectives/causes", {"month": "May 2026"})
    assert bad.status_code == 400 and "month" in bad.json()["errors"]
