"""The ledger and retrospective pages: who sees them, the filters, the forms (plan, flag, remove, record), the
export, and no complainant anywhere."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ecohotline.assessment.ledger import open_retrospectives, sync_ledger
from ecohotline.assessment.models import LedgerEntry, LedgerExit, LedgerReason, Retrospective, RetrospectiveStatus
from ecohotline.cases import services
from ecohotline.cases.models import Case, CaseEvent, Satisfaction
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db

NAME, PHONE = "张三丰", "13812345678"


def in_progress(org: Any, **fields: Any) -> Case:
    case = make_case(street=org.street, title="夜间施工噪声", complainant_name=NAME, complainant_phone=PHONE,
                     **fields)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    services.accept_case(actor=org.handler, case=case)
    case.refresh_from_db()
    return case


@pytest.fixture
def on_ledger(org: Any) -> LedgerEntry:
    case = in_progress(org)
    Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - dt.timedelta(days=60))
    sync_ledger()
    return LedgerEntry.objects.get(case=case)


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["leader", "admin", "dispatcher", "unit_head", "analyst"])
def test_the_overview_roles_see_the_pages(client, org, on_ledger, role):
    login(client, getattr(org, role))
    for name in ("assessment:ledger", "assessment:retrospectives"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("assessment:ledger-entry", args=[on_ledger.pk])).status_code == 200


@pytest.mark.parametrize("role", ["handler", "street_liaison"])
def test_others_get_403(client, org, on_ledger, role):
    login(client, getattr(org, role))
    for url in (reverse("assessment:ledger"), reverse("assessment:retrospectives"),
                reverse("assessment:ledger-export"), reverse("assessment:ledger-entry", args=[on_ledger.pk])):
        assert client.get(url).status_code == 403
    response = client.post(reverse("assessment:ledger-entry-plan", args=[on_ledger.pk]), {"next_step": "x"})
    assert response.status_code == 403


def test_signed_out_goes_to_the_login(client):
    assert client.get(reverse("assessment:ledger")).status_code == 302


def test_the_list_shows_the_entry_and_never_the_complainant(client, org, on_ledger):
    html = login(client, org.leader).get(reverse("assessment:ledger")).content.decode()
    case = on_ledger.case
    assert reverse("ui:case-detail", args=[case.pk]) in html and case.reference in html
    assert str(org.handler) in html and "执法一中队" in html
    assert NAME not in html and PHONE not in html


def test_the_filters(client, org, on_ledger, settings):
    login(client, org.leader)
    url = reverse("assessment:ledger")
    link = reverse("assessment:ledger-entry", args=[on_ledger.pk])
    assert link in client.get(url, {"reason": LedgerReason.UNRESOLVED}).content.decode()
    assert link not in client.get(url, {"reason": LedgerReason.DIFFICULT}).content.decode()
    assert link in client.get(url, {"unit": org.brigade.pk}).content.decode()
    assert link not in client.get(url, {"unit": org.other_squad.pk}).content.decode()
    assert link in client.get(url, {"leader": org.leader.pk}).content.decode()
    assert link not in client.get(url, {"leader": org.other_leader.pk}).content.decode()


def test_a_unit_head_sees_only_the_cases_of_their_unit(client, org, on_ledger):
    assert reverse("assessment:ledger-entry", args=[on_ledger.pk]) not in login(
        client, org.other_unit_head).get(reverse("assessment:ledger")).content.decode()
    assert client.get(reverse("assessment:ledger-entry", args=[on_ledger.pk])).status_code == 404


def test_the_plan_form_saves_owner_step_and_date(client, org, on_ledger):
    login(client, org.unit_head)
    response = client.post(reverse("assessment:ledger-entry-plan", args=[on_ledger.pk]), {
        "owner": org.unit_head.pk, "next_step": f"联系{NAME}（{PHONE}）再次核查", "next_date": "2026-12-05"})
    assert response.status_code == 302
    on_ledger.refresh_from_db()
    assert on_ledger.owner == org.unit_head and on_ledger.next_date == dt.date(2026, 12, 5)
    assert CaseEvent.objects.filter(case=on_ledger.case, action="ledger_updated").count() == 1
    # The texts are masked on the pages.
    for url in (reverse("assessment:ledger"), reverse("assessment:ledger-entry", args=[on_ledger.pk])):
        html = client.get(url).content.decode()
        assert "再次核查" in html and NAME not in html and PHONE not in html
    # Sending the masked text back unchanged keeps the stored one.
    client.post(reverse("assessment:ledger-entry-plan", args=[on_ledger.pk]), {
        "owner": org.handler.pk, "next_step": "联系张**（138****5678）再次核查", "next_date": "2026-12-05"})
    on_ledger.refresh_from_db()
    assert on_ledger.owner == org.handler and on_ledger.next_step == f"联系{NAME}（{PHONE}）再次核查"


def test_a_bad_plan_date_shows_the_form_again(client, org, on_ledger):
    response = login(client, org.leader).post(reverse("assessment:ledger-entry-plan", args=[on_ledger.pk]),
                                              {"next_date": "not a date"})
    assert response.status_code == 400


def test_an_analyst_sees_the_entry_but_may_not_plan_it(client, org, on_ledger):
    login(client, org.analyst)
    assert reverse("assessment:ledger-entry-plan", args=[on_ledger.pk]) not in client.get(
        reverse("assessment:ledger-entry", args=[on_ledger.pk])).content.decode()
    response = client.post(reverse("assessment:ledger-entry-plan", args=[on_ledger.pk]), {"next_step": "x"})
    assert response.status_code == 403


def test_a_leader_removes_an_entry_with_a_reason(client, org, on_ledger):
    login(client, org.leader)
    url = reverse("assessment:ledger-entry-remove", args=[on_ledger.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "已协调城管处理"}).status_code == 302
    on_ledger.refresh_from_db()
    assert on_ledger.exit_kind == LedgerExit.REMOVED and on_ledger.removed_by == org.leader
    assert reverse("assessment:ledger-entry", args=[on_ledger.pk]) not in client.get(
        reverse("assessment:ledger")).content.decode()


def test_a_dispatcher_may_not_remove(client, org, on_ledger):
    login(client, org.dispatcher)
    assert client.post(reverse("assessment:ledger-entry-remove", args=[on_ledger.pk]),
                       {"reason": "x"}).status_code == 403
    on_ledger.refresh_from_db()
    assert on_ledger.left_at is None


def test_a_leader_flags_a_case_by_its_number(client, org):
    case = in_progress(org, external_id="2611220001")
    login(client, org.leader)
    response = client.post(reverse("assessment:ledger-flag"), {"case": "2611220001", "reason": "跨部门难协调"})
    entry = LedgerEntry.objects.get(case=case)
    assert response.status_code == 302 and response.url == reverse("assessment:ledger-entry", args=[entry.pk])
    assert entry.reasons == [LedgerReason.DIFFICULT]
    other = in_progress(org)
    client.post(reverse("assessment:ledger-flag"), {"case": other.reference, "reason": "疑难"})
    assert LedgerEntry.objects.filter(case=other).exists()
    client.post(reverse("assessment:ledger-flag"), {"case": "nope", "reason": "疑难"})
    assert LedgerEntry.objects.count() == 2
    login(client, org.dispatcher)
    assert client.post(reverse("assessment:ledger-flag"), {"case": other.reference, "reason": "x"}).status_code == 403


def test_the_export_is_a_workbook_without_the_complainant(client, org, on_ledger):
    response = login(client, org.leader).get(reverse("assessment:ledger-export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 2 and rows[1][0] == on_ledger.case.reference
    flat = " ".join(str(cell) for row in rows for cell in row)
    assert NAME not in flat and PHONE not in flat


def test_the_retrospective_page_fills_one_in_and_counts_the_month(client, org):
    case = in_progress(org)
    services.reply_to_complainant(actor=org.handler, case=case, text="已处理")
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=False,
                                 satisfaction=Satisfaction.DISSATISFIED)
    open_retrospectives()
    retro = Retrospective.objects.get(case=case)
    login(client, org.unit_head)
    month = timezone.localdate().strftime("%Y-%m")
    html = client.get(reverse("assessment:retrospectives"), {"month": month}).content.decode()
    assert reverse("assessment:retrospective-record", args=[retro.pk]) in html
    assert NAME not in html and PHONE not in html
    response = client.post(reverse("assessment:retrospective-record", args=[retro.pk]), {
        f"r{retro.pk}-cause": "not_solved", f"r{retro.pk}-lessons": "整改未到位", f"r{retro.pk}-follow_up": "复查"})
    assert response.status_code == 302
    retro.refresh_from_db()
    assert retro.status == RetrospectiveStatus.DONE and retro.cause == "not_solved"
    html = client.get(reverse("assessment:retrospectives"), {"month": month}).content.decode()
    assert 'data-cause="not_solved"><td>' in html
    assert reverse("assessment:retrospective-record", args=[retro.pk]) not in html  # no longer pending
    login(client, org.analyst)
    assert client.post(reverse("assessment:retrospective-record", args=[retro.pk]), {
        f"r{retro.pk}-cause": "slow", f"r{retro.pk}-lessons": "x"}).status_code == 403


def test_the_ledger_page_reads_in_a_fixed_number_of_queries(client, org, django_assert_max_num_queries):
    for _ in range(4):
        case = in_progress(org)
        Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - dt.timedelta(days=60))
    sync_ledger()
    login(client, org.leader)
    client.get(reverse("assessment:ledger"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("assessment:ledger")).status_code == 200


def test_the_admin_lists_entries_and_retrospectives_read_only(client, org, on_ledger):
    from ecohotline.factories import UserFactory

    login(client, UserFactory(username="root", is_staff=True, is_superuser=True))
    for name in ("ledgerentry", "retrospective"):
        assert client.get(reverse(f"admin:assessment_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:assessment_{name}_add")).status_code == 403
    assert client.get(reverse("admin:assessment_ledgerentry_change", args=[on_ledger.pk])).status_code == 200
