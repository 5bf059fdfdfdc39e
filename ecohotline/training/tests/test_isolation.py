"""Training cases (情景模拟) never leak into a real view, API, export, KPI, report, feed or notification, and a
training session sees nothing real.

The world (see conftest.py): real cases and training cases about the same thing at the same place and time, each
with every kind of record. Most surfaces are taken twice, once with the real world alone and once after the
training runs were played beside it: what they show must not change (so every count, KPI, ranking and list is that
of the real data alone), and lists must show the real cases. A surface that let the training cases through would
change: they match every query the real ones match but their channel. (Saved filters are only a list's query
string: the case-list searches cover them.)
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from ecohotline.assessment import kpis, ledger, rankings, retrospectives
from ecohotline.assessment import selectors as assessment_selectors
from ecohotline.assessment.models import LedgerEntry, Retrospective
from ecohotline.cases import services as case_services
from ecohotline.cases.models import Case, CaseEvent, Channel, DeadlineAlert
from ecohotline.core.workdays import BEIJING
from ecohotline.hooks.models import WebhookSubscription
from ecohotline.insight import analysis, emerging, hotissues, hotspots, registry, sources
from ecohotline.insight import services as insight_services
from ecohotline.insight.models import KeyUnit
from ecohotline.intake import duplicates
from ecohotline.intake.models import HotlineSource
from ecohotline.knowledge import similar
from ecohotline.monitoring import alerts as monitoring_alerts
from ecohotline.monitoring.models import Alert, Station
from ecohotline.notify.models import Notification, OutboxMessage
from ecohotline.open311 import selectors as open311_selectors
from ecohotline.org.models import User
from ecohotline.reports import meeting_pack
from ecohotline.reports import selectors as report_selectors
from ecohotline.reports import services as report_services
from ecohotline.reports.documents import Chart, Document, Paragraph
from ecohotline.training import services
from ecohotline.training.middleware import SESSION_KEY
from ecohotline.training.tests.conftest import World, build_real, train

pytestmark = pytest.mark.django_db

CASE_LINK = re.compile(r"/cases/(\d+)/")
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|csrf[-_]?token["\']?\s*[:=]\s*)["\'][^"\']*["\']', re.I)
GENERATED = re.compile(r"生成时间：[\d\- :]+")
SECONDS_LEFT = re.compile(r'"seconds_left":\s*-?\d+')  # a deadline's countdown moves on between two reads


# --- reading what a surface shows --------------------------------------------------------------------------------


def body_text(response: Any) -> str:
    """The response as text: a page, a CSV, a JSON document or every cell of an XLSX workbook."""
    kind = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join("\t".join("" if value is None else str(value) for value in row)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    return content.decode("utf-8-sig")


def linked_cases(text: str) -> set[int]:
    return {int(pk) for pk in CASE_LINK.findall(text)}


def assert_no_training(text: str, world: World) -> None:
    """Neither a link to a training case, nor its reference (TRN-…), nor its id as a record's case."""
    assert "TRN-" not in text
    assert not linked_cases(text) & world.training_ids
    for pk in world.training_ids:
        for key in ("case", "case_id"):
            assert f'"{key}":{pk},' not in text.replace(" ", "") and f'"{key}":{pk}}}' not in text.replace(" ", "")


def desk(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))  # afresh: a user object keeps its inbox counts
    return client


def get_text(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return SECONDS_LEFT.sub("", CSRF.sub("", body_text(response)))


def period(world: World) -> tuple[dt.date, dt.date]:
    """From the day before everything happened to today (Beijing)."""
    return world.base.date() - dt.timedelta(days=1), timezone.now().astimezone(BEIJING).date()


# --- the desk -----------------------------------------------------------------------------------------------------

DESK_ROLES = ["dispatcher", "leader", "admin", "handler"]
DESK_PAGES = [("ui:case-list", ""), ("ui:case-list", "?q=KTV"), ("ui:case-list", "?q=某KTV&street={street}"),
              ("ui:case-export-csv", ""), ("ui:case-export-xlsx", ""), ("ui:case-export-csv", "?q=KTV"),
              ("ui:inbox", ""), ("ui:dashboard", "")]


@pytest.mark.parametrize("role", DESK_ROLES)
@pytest.mark.parametrize(("page", "query"), DESK_PAGES)
def test_the_desk_shows_the_real_cases_alone(real_world: World, role: str, page: str, query: str) -> None:
    user = getattr(real_world.org, role)
    url = reverse(page) + query.format(street=real_world.org.street.pk)
    if desk(user).get(url).status_code == 403:
        pytest.skip(f"{role} may not open {url}")
    before = get_text(desk(user), url)
    world = train(real_world)
    after = get_text(desk(user), url)
    assert_no_training(after, world)
    assert after == before
    if page in ("ui:case-list", "ui:case-export-csv", "ui:case-export-xlsx"):  # every role sees these cases
        assert world.real.reference in after and world.real_open.reference in after


def test_the_inbox_counts_are_those_of_the_real_cases(real_world: World) -> None:
    from ecohotline.cases import inbox

    org = real_world.org
    users = [org.dispatcher, org.leader, org.admin, org.handler, org.unit_head]

    def counts() -> list[Any]:  # each user afresh: a user object keeps its counts
        return [(inbox.inbox_counts(user), inbox.inbox_total(user))
                for user in (User.objects.get(pk=person.pk) for person in users)]

    before = counts()
    assert any(total for _, total in before)
    train(real_world)
    assert counts() == before


def test_the_training_case_page_is_not_found_outside_the_run(world: World) -> None:
    for user in (world.org.admin, world.org.dispatcher, world.org.handler, world.org.leader, world.org.trainer):
        client = desk(user)
        for case in (world.training, world.training_open):
            assert client.get(reverse("ui:case-detail", args=[case.pk])).status_code == 404
            assert client.get(reverse("ui:reply-draft", args=[case.pk])).status_code == 404
    assert desk(world.org.admin).get(reverse("ui:case-detail", args=[world.real.pk])).status_code == 200


def test_the_admin_changelist_lists_no_training_case(world: World) -> None:
    client = desk(_superuser(world))
    text = get_text(client, reverse("admin:cases_case_changelist"))
    assert world.real.reference in text or f"/{world.real.pk}/change/" in text
    for pk in world.training_ids:
        assert f"/cases/case/{pk}/change/" not in text
        assert client.get(reverse("admin:cases_case_change", args=[pk])).status_code in (302, 404)
    assert "TRN-" not in text


def _superuser(world: World) -> Any:
    user = world.org.admin
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


# --- the API ------------------------------------------------------------------------------------------------------


# What lists cases or their records: read by each role. Figures: read by a leader (the same for every reader).
API_CASE_URLS = [
    "/api/v1/cases", "/api/v1/cases?q=KTV", "/api/v1/cases?street={street}&category=noise",
    "/api/v1/cases/export.csv", "/api/v1/cases/export.xlsx", "/api/v1/inbox", "/api/v1/inbox/duplicates",
    "/api/v1/ledger", "/api/v1/ledger/export.xlsx", "/api/v1/retrospectives", "/api/v1/notifications",
]
API_FIGURE_URLS = [
    "/api/v1/retrospectives/causes?month={month}",
    "/api/v1/assessment/kpis?start={start}&end={end}",
    "/api/v1/assessment/kpis?start={start}&end={end}&group_by=unit",
    "/api/v1/assessment/kpis?start={start}&end={end}&group_by=handler",
    "/api/v1/assessment/kpis?start={start}&end={end}&group_by=street",
    "/api/v1/assessment/kpis?start={start}&end={end}&group_by=category",
    "/api/v1/assessment/rankings?start={start}&end={end}&by=unit",
    "/api/v1/assessment/rankings?start={start}&end={end}&by=street",
    "/api/v1/assessment/rankings?start={start}&end={end}&by=handler",
    "/api/v1/assessment/trend?end={end}&months=2",
    "/api/v1/insight/breakdown?by=street&start={start}&end={end}",
    "/api/v1/insight/breakdown?by=category&start={start}&end={end}",
    "/api/v1/insight/hotspots?start={start}&end={end}",
    "/api/v1/insight/emerging?end={end}",
    "/api/v1/insight/sources?start={start}&end={end}",
    "/api/v1/insight/hot-issues?start={start}&end={end}",
    "/api/v1/insight/effect?start={start}&end={end}",
    "/api/v1/monitoring/clusters",
]


@pytest.mark.parametrize(("role", "url"), [
    *((role, url) for url in API_CASE_URLS for role in ("admin", "dispatcher", "leader", "handler")),
    *(("leader", url) for url in API_FIGURE_URLS),
])
def test_the_api_shows_the_real_cases_alone(real_world: World, role: str, url: str) -> None:
    user = getattr(real_world.org, role)
    start, end = period(real_world)
    url = url.format(street=real_world.org.street.pk, start=start, end=end, month=f"{end:%Y-%m}")
    if api(user).get(url).status_code == 403:
        pytest.skip(f"{role} may not read {url}")
    now = timezone.now()
    ledger.sync_ledger(now)  # the worker's: the ledger and the retrospectives hold what they should
    before = get_text(api(user), url)
    world = train(real_world)
    ledger.sync_ledger(now)
    after = get_text(api(user), url)
    assert_no_training(after, world)
    assert after == before


@pytest.mark.parametrize("role", ["admin", "dispatcher", "leader", "handler", "unit_head"])
def test_the_api_inbox_sections_show_the_real_cases_alone(real_world: World, role: str) -> None:
    from ecohotline.cases import inbox

    user = getattr(real_world.org, role)
    sections = [section.code for section in inbox.sections_for(user)]
    before = {code: get_text(api(user), f"/api/v1/inbox/{code}") for code in sections}
    world = train(real_world)
    for code in sections:
        after = get_text(api(user), f"/api/v1/inbox/{code}")
        assert after == before[code], code
        assert_no_training(after, world)


def test_the_api_lists_the_real_cases(world: World) -> None:
    listed = api(world.org.admin).get("/api/v1/cases?page_size=200").json()
    ids = {row["id"] for row in listed["results"]}
    assert ids == world.real_ids


@pytest.mark.parametrize("url", [
    "/api/v1/cases/{pk}", "/api/v1/cases/{pk}/timeline", "/api/v1/cases/{pk}/attachments",
    "/api/v1/cases/{pk}/outgoing", "/api/v1/cases/{pk}/contacts", "/api/v1/cases/{pk}/inspections",
    "/api/v1/cases/{pk}/measurements", "/api/v1/cases/{pk}/reply-draft", "/api/v1/insight/cases/{pk}/key-units",
    "/api/v1/knowledge/cases/{pk}", "/api/v1/knowledge/cases/{pk}/similar",
])
def test_the_api_does_not_find_a_training_case(world: World, url: str) -> None:
    for role in ("admin", "dispatcher", "handler", "trainer"):
        client = api(getattr(world.org, role))
        for pk in world.training_ids:
            assert client.get(url.format(pk=pk)).status_code == 404, role
    # The real twin is found (403: a closed case has no reply to draft).
    assert api(world.org.handler).get(url.format(pk=world.real.pk)).status_code in (200, 403)


def test_nobody_acts_on_a_training_case_outside_the_run(world: World) -> None:
    """Not even the trainee, through the real API: the case is not found, and nothing changes."""
    events = CaseEvent.objects.filter(case_id__in=world.training_ids).count()
    for user, action, data in ((world.org.handler, "accept", {}), (world.org.dispatcher, "remind", {"note": "催"}),
                               (world.org.leader, "supervise", {"note": "督办"})):
        response = api(user).post(f"/api/v1/cases/{world.training_open.pk}/actions/{action}", data, format="json")
        assert response.status_code == 404
    assert CaseEvent.objects.filter(case_id__in=world.training_ids).count() == events


def test_similar_cases_of_a_real_case_are_real(world: World) -> None:
    shown = api(world.org.admin).get(f"/api/v1/knowledge/cases/{world.new.pk}/similar")
    assert shown.status_code == 200
    text = shown.content.decode()
    assert str(world.real.pk) in text
    assert_no_training(text, world)
    assert {item.case.pk for item in similar.similar_cases(world.new, world.org.admin)} == {world.real.pk}
    # Not even considered: the shortlist the best are taken from holds real cases only.
    assert {item.case_id for item in similar.rank(world.new)} == {world.real.pk}


# --- assessment -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("group_by", [None, *kpis.GROUPS])
def test_the_kpis_are_those_of_the_real_data(real_world: World, group_by: str | None) -> None:
    start, end = period(real_world)
    before = kpis.report_json(kpis.compute_kpis(start, end, group_by=group_by))
    assert before["total"]["assessed"] == 1 and before["total"]["appeals_filed"] == 1
    world = train(real_world)
    after = kpis.report_json(kpis.compute_kpis(start, end, group_by=group_by))
    assert after == before
    # The training case's return visits and appeal fell in the period and would count, were they real.
    assert start <= world.training.visit_at.astimezone(BEIJING).date() <= end


def test_rankings_headlines_and_streets_are_those_of_the_real_data(real_world: World) -> None:
    start, end = period(real_world)

    def figures() -> Any:
        current = assessment_selectors.assessment_period(end)
        return ([rankings.rankings(start, end, by=by) for by in ("unit", "handler", "street")],
                assessment_selectors.headlines(current), assessment_selectors.cases_per_street(start, end))

    before = figures()
    train(real_world)
    assert repr(figures()) == repr(before)


def test_the_ledger_and_retrospectives_hold_real_cases_alone(real_world: World) -> None:
    now = timezone.now()
    ledger.sync_ledger(now)
    retrospectives_before = set(Retrospective.objects.values_list("case_id", flat=True))
    entries_before = {(entry.case_id, tuple(entry.reasons)) for entry in LedgerEntry.objects.all()}
    assert real_world.real.pk in retrospectives_before  # its 不满意 visit is looked back on
    assert any(case_id == real_world.real_open.pk for case_id, _ in entries_before)  # overdue
    world = train(real_world)
    ledger.sync_ledger(now)
    assert set(Retrospective.objects.values_list("case_id", flat=True)) == retrospectives_before
    assert {(entry.case_id, tuple(entry.reasons)) for entry in LedgerEntry.objects.all()} == entries_before
    assert not ledger.history(world.training_ids)
    start, end = period(world)
    assert sum(retrospectives.cause_counts(start, end).values()) == len(retrospectives_before)


@pytest.mark.parametrize("page", ["assessment:ledger", "assessment:retrospectives", "assessment:ledger-export"])
def test_the_assessment_pages_show_the_real_cases_alone(real_world: World, page: str) -> None:
    now = timezone.now()
    ledger.sync_ledger(now)
    before = get_text(desk(real_world.org.leader), reverse(page))
    world = train(real_world)
    ledger.sync_ledger(now)
    after = get_text(desk(world.org.leader), reverse(page))
    assert_no_training(after, world)
    assert after == before


# --- reports ------------------------------------------------------------------------------------------------------


def _comparable(document: Document) -> Any:
    """The document without its moment of generation (生成时间) and with its charts as their titles."""
    return [(document.title, GENERATED.sub("", document.subtitle))] + [
        (section.heading, [block.title if isinstance(block, Chart) else block for block in section.blocks
                           if not (isinstance(block, Paragraph) and block.text.startswith("生成时间"))])
        for section in document.sections]


@pytest.mark.parametrize("kind", ["daily", "weekly", "monthly"])
def test_the_reports_are_those_of_the_real_data(real_world: World, kind: str) -> None:
    first = real_world.base.date()
    days = {"daily": [first + dt.timedelta(days=offset) for offset in range(6)],
            "weekly": [first, first + dt.timedelta(days=5)], "monthly": [first]}[kind]
    before = [_comparable(report_services.compose_document(kind, day)) for day in days]
    train(real_world)
    after = [_comparable(report_services.compose_document(kind, day)) for day in days]
    assert after == before
    assert "TRN-" not in repr(after)


def test_report_figures_are_those_of_the_real_data(real_world: World) -> None:
    start, end = period(real_world)

    def figures() -> str:
        return repr([report_selectors.period_figures(start, end), report_selectors.open_figures(timezone.now()),
                     report_selectors.received_by_day(start, end), report_selectors.received_by_category(start, end),
                     report_selectors.received_by_street(start, end),
                     [report_selectors.daily_sheet(start + dt.timedelta(days=offset)) for offset in range(8)]])

    before = figures()
    train(real_world)
    assert figures() == before


def test_the_meeting_pack_lists_real_cases_alone(real_world: World) -> None:
    org = real_world.org
    ledger.sync_ledger(timezone.now())
    meeting = report_services.open_meeting(held_on=timezone.now().astimezone(BEIJING).date(), actor=org.leader)
    document, before_ids = meeting_pack.meeting_document(meeting)
    before = _comparable(document)
    assert real_world.real_open.pk in before_ids
    world = train(real_world)
    ledger.sync_ledger(timezone.now())
    document, after_ids = meeting_pack.meeting_document(meeting)
    assert after_ids == before_ids and _comparable(document) == before
    assert not set(after_ids) & world.training_ids


# --- insight, monitoring, intake, knowledge ------------------------------------------------------------------------


def _insight(world: World) -> dict[str, Callable[[], Any]]:
    start, end = period(world)
    current = analysis.Period(start, end)
    return {
        "breakdown_street": lambda: analysis.breakdown("street", current),
        "breakdown_category": lambda: analysis.breakdown("category", current),
        "day_hour": lambda: analysis.day_hour_counts(current),
        "monthly": lambda: analysis.monthly_counts(current),
        "hotspots": lambda: hotspots.compute_hotspots(start, end),
        "hotspot_cells": lambda: hotspots.count_cells(start, end, "noise.social"),
        "emerging": lambda: emerging.compute_emerging(end),
        "repeated_sources": lambda: sources.repeated_sources(start, end),
        "hot_issues": lambda: hotissues.hot_issues_of_cases(start, end),
    }


INSIGHT = ["breakdown_street", "breakdown_category", "day_hour", "monthly", "hotspots", "hotspot_cells", "emerging",
           "repeated_sources", "hot_issues"]


@pytest.mark.parametrize("name", INSIGHT)
def test_insight_counts_the_real_data_alone(real_world: World, name: str) -> None:
    before = repr(_insight(real_world)[name]())
    world = train(real_world)
    after = repr(_insight(world)[name]())
    assert after == before
    assert "TRN-" not in after


@pytest.mark.parametrize("page", ["insight:index", "insight:hotspots", "insight:sources", "insight:hot-issues"])
def test_the_insight_pages_show_the_real_cases_alone(real_world: World, page: str) -> None:
    start, end = period(real_world)
    url = reverse(page) + f"?start={start}&end={end}"
    before = get_text(desk(real_world.org.analyst), url)
    world = train(real_world)
    after = get_text(desk(world.org.analyst), url)
    assert_no_training(after, world)
    assert after == before


def test_the_registry_of_key_units_holds_real_cases_alone(real_world: World) -> None:
    org = real_world.org
    unit = KeyUnit.objects.create(name="某KTV", address="北京市海淀区某社区3号楼", street=org.street, latitude=39.96,
                                  longitude=116.31)
    insight_services.confirm_key_unit(actor=org.dispatcher, case=real_world.real, key_unit=unit)
    urls = ["/api/v1/insight/key-units", f"/api/v1/insight/key-units/{unit.pk}"]
    before = [get_text(api(org.dispatcher), url) for url in urls]
    assert real_world.real.reference in before[1]
    world = train(real_world)
    for pk in world.training_ids:  # the training case is the same place's KTV, but cannot be linked to it
        confirm = api(org.dispatcher).post(f"/api/v1/insight/cases/{pk}/key-units/confirm", {"key_unit": unit.pk},
                                           format="json")
        assert confirm.status_code == 404
    assert [get_text(api(org.dispatcher), url) for url in urls] == before
    assert [link.case_id for link in registry.key_unit_history(unit).links] == [world.real.pk]


def test_complaints_near_an_alert_are_real(world: World) -> None:
    station = Station.objects.create(code="zgc-noise", name="中关村噪声站", kind="noise", latitude=39.961,
                                     longitude=116.311, street=world.org.street)
    moment = world.base + dt.timedelta(hours=1)
    alert = Alert.objects.create(station=station, parameter="leq", detector="threshold", category="exceedance",
                                 severity="high", reason="over_limit", first_at=moment, last_at=moment,
                                 peak_at=moment, peak_value=70.0)
    near = set(monitoring_alerts.complaints_near(alert).values_list("pk", flat=True))
    assert near == {world.real.pk, world.real_open.pk}
    listed = api(world.org.admin).get(f"/api/v1/monitoring/alerts/{alert.pk}/complaints")
    assert listed.status_code == 200
    assert_no_training(listed.content.decode(), world)
    page = get_text(desk(world.org.admin), reverse("monitoring:alert-detail", args=[alert.pk]))
    assert_no_training(page, world)
    assert world.real.pk in linked_cases(page)


def test_the_duplicate_lookup_of_a_new_complaint_finds_real_cases_alone(real_world: World) -> None:
    before = duplicates.look_up(real_world.new)
    assert {candidate.case_id for candidate in before.candidates} == {real_world.real.pk, real_world.real_open.pk}
    world = train(real_world)
    after = duplicates.look_up(world.new)
    assert after == before
    # And for a complaint not registered yet (the public page's and the push's lookup before saving).
    draft = Case(received_at=timezone.now(), description=world.new.description, latitude=world.new.latitude,
                 longitude=world.new.longitude, street=world.org.street, sub_category="noise.social",
                 complainant_phone=world.new.complainant_phone, polluter=world.new.polluter)
    found = {candidate.case_id for candidate in duplicates.find_candidates(draft)}
    assert world.real.pk in found and not found & world.training_ids
    assert duplicates.repeat_count(draft) == 4  # the three real complaints and this one


# --- Open311 and the public page ------------------------------------------------------------------------------


def test_open311_lists_real_requests_alone(real_world: World) -> None:
    start = real_world.base - dt.timedelta(days=1)
    query = "?" + urlencode({"start_date": start.isoformat(), "end_date": timezone.now().isoformat()})
    client = Client()
    before = {fmt: get_text(client, f"/open311/v2/requests.{fmt}{query}") for fmt in ("json", "xml")}
    assert str(real_world.real.pk) in before["json"]
    world = train(real_world)
    for fmt in ("json", "xml"):
        assert get_text(client, f"/open311/v2/requests.{fmt}{query}") == before[fmt]
    for pk in world.training_ids:
        assert client.get(f"/open311/v2/requests/{pk}.json").status_code == 404
        assert open311_selectors.find_request(str(pk)) is None
    found = open311_selectors.visible_requests().values_list("pk", flat=True)
    assert set(found) == world.real_ids


def test_the_public_pages_say_nothing_of_training(world: World) -> None:
    client = Client()
    for url in ("/public/", "/public/report/", "/public/track/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "TRN-" not in response.content.decode()


# --- notifications ---------------------------------------------------------------------------------------------


def test_the_training_runs_tell_nobody(org: Any) -> None:
    WebhookSubscription.objects.create(name="城市管理平台", url="https://example.org/hook", secret="s",
                                       all_events=True)
    HotlineSource.objects.create(code="bj12345", name="北京12345平台", secret="x",
                                 feedback_url="https://example.org/feedback")
    world = build_real(org)
    notifications = set(Notification.objects.values_list("pk", flat=True))
    messages = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert notifications and messages  # the real work told people and the subscriber
    train(world)
    assert set(Notification.objects.values_list("pk", flat=True)) == notifications
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == messages
    # The deadline worker, long after every deadline of the open training case.
    later = timezone.now() + dt.timedelta(days=60)
    case_services.send_deadline_alerts(later)
    assert DeadlineAlert.objects.filter(case_id__in=world.training_ids).count() == 0
    assert DeadlineAlert.objects.filter(case_id=world.real_open.pk).exists()  # the real one was chased
    assert not Notification.objects.filter(case_id__in=world.training_ids).exists()
    assert not OutboxMessage.objects.filter(case_id__in=world.training_ids).exists()


# --- the other way round: inside a run ----------------------------------------------------------------------


def test_inside_a_run_only_its_case_exists(world: World) -> None:
    run, open_run = world.runs
    with services.inside(run):
        assert list(Case.objects.values_list("pk", flat=True)) == [world.training.pk]
        assert not Case.objects.filter(pk__in=world.real_ids).exists()
    with services.inside(open_run):
        assert list(Case.objects.values_list("pk", flat=True)) == [world.training_open.pk]
    assert set(Case.objects.values_list("pk", flat=True)) == world.real_ids
    assert CaseEvent.objects.filter(case__channel=Channel.TRAINING).exists()  # the training did happen


def _run_page(run: Any) -> str:
    return reverse("training:run", args=[run.pk])


def _in_run(world: World) -> Client:
    client = desk(world.org.handler)
    session = client.session
    session[SESSION_KEY] = world.runs[0].pk
    session.save()
    return client


def test_a_training_session_shows_the_run_case_alone(world: World) -> None:
    client = _in_run(world)
    for url in (reverse("ui:case-list"), reverse("ui:case-list") + "?q=KTV", reverse("ui:inbox")):
        response = client.get(url, follow=True)
        assert response.status_code == 200
        text = response.content.decode()
        assert linked_cases(text) <= {world.training.pk}
        assert world.real.reference not in text and world.real_open.reference not in text
    listed = get_text(client, reverse("ui:case-list"))
    assert world.training.pk in linked_cases(listed)
    assert client.get(reverse("ui:case-detail", args=[world.training.pk])).status_code == 200
    for pk in world.real_ids:
        assert client.get(reverse("ui:case-detail", args=[pk])).status_code == 404


@pytest.mark.parametrize("url", [
    "/intake/import/", "/reports/", "/reports/meetings/", "/insight/", "/insight/hotspots/", "/assessment/ledger/",
    "/assessment/retrospectives/", "/monitoring/", "/api/v1/cases", "/api/v1/inbox", "/admin/",
    "/admin/cases/case/", "/cases/export.csv", "/cases/export.xlsx", "/cases/new/", "/dashboard/",
    "/notifications/",
])
def test_a_training_session_is_sent_back_from_real_pages(world: World, url: str) -> None:
    response = _in_run(world).get(url)
    assert response.status_code == 302
    assert response["Location"] == _run_page(world.runs[0])
