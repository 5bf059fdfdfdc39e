"""The demo district generator: organisation, determinism, lifecycle consistency, deadlines, seasonality.

One district of 2,000 cases is generated once for the module (inside a transaction rolled back at the end);
the tests that need their own data generate a few hundred cases and roll them back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Model
from django.test import override_settings

from ecohotline.cases import deadlines
from ecohotline.cases.measurements import judge
from ecohotline.cases.models import (
    OPEN_STATUSES,
    Appeal,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    ContactAttempt,
    DeadlinePolicy,
    Extension,
    Inspection,
    JointHandling,
    JointReply,
    Measurement,
    Rectification,
    Reply,
    ReturnVisit,
)
from ecohotline.cases.workflow import TRANSITIONS
from ecohotline.core.selectors import workday_overrides
from ecohotline.core.workdays import BEIJING
from ecohotline.demo.generator import cutoff_for, generate_cases
from ecohotline.demo.organisation import build_organisation
from ecohotline.demo.people import DEMO_LOGINS, DEMO_PASSWORD, STAFF
from ecohotline.demo.places import PLACES
from ecohotline.org.models import LeaderArea, OrgUnit, Role, RoleAssignment, UnitKind, User

END = dt.date(2026, 11, 22)
CUTOFF = cutoff_for(END)


def fast_hasher() -> override_settings:
    """Demo accounts hashed with MD5 in tests: the real hasher is slow on purpose."""
    return override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


RECORD_MODELS: tuple[type[Model], ...] = (ContactAttempt, Inspection, Measurement, Rectification, Reply,
                                          ReturnVisit, Appeal, Extension, JointHandling, JointReply)
# payload keys holding primary keys, and what they point at
PAYLOAD_REFS: dict[str, type[Model]] = {
    "attempt": ContactAttempt, "inspection": Inspection, "measurement": Measurement,
    "rectification": Rectification, "reply": Reply, "visit": ReturnVisit, "appeal": Appeal,
    "extension": Extension, "joint": JointHandling, "into": Case, "child": Case, "parent": Case,
    "via_parent": Case, "parent_reply": Reply, "unit": OrgUnit, "units": OrgUnit, "handler": User, "leader": User,
    "policy": DeadlinePolicy,
}
# timeline entries that are not people's actions: the case and the duplicates merged into another
BOOKKEEPING = {"created", "merge_received", "follow_parent"}


@pytest.fixture(scope="module")
def district(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """2,000 cases ending on END, kept for the whole module and rolled back after it."""
    with django_db_blocker.unblock(), fast_hasher(), transaction.atomic():
        build_organisation()
        result = generate_cases(count=2000, seed=7, end=END)
        yield {"result": result}
        transaction.set_rollback(True)


# --- helpers -------------------------------------------------------------------------------------------


class _Keys:
    """Stable stand-ins for primary keys: codes, usernames, names, or the row's rank in its table."""

    def __init__(self) -> None:
        self.units = dict(OrgUnit.objects.values_list("pk", "code"))
        self.users = dict(User.objects.values_list("pk", "username"))
        self.policies = dict(DeadlinePolicy.objects.values_list("pk", "name"))
        self.ranks: dict[type[Model], dict[int, int]] = {}

    def rank(self, model: type[Model], pk: int | None) -> int | None:
        if pk is None:
            return None
        if model not in self.ranks:
            self.ranks[model] = {p: i for i, p in enumerate(model.objects.order_by("pk").values_list("pk", flat=True))}
        return self.ranks[model][pk]

    def of(self, model: type[Model], pk: Any) -> Any:
        if isinstance(pk, list):
            return [self.of(model, p) for p in pk]
        if pk is None:
            return None
        if model is OrgUnit:
            return self.units[pk]
        if model is User:
            return self.users[pk]
        if model is DeadlinePolicy:
            return self.policies[pk]
        return self.rank(model, pk)


def _rows(model: type[Model], keys: _Keys) -> list[tuple[Any, ...]]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    out = []
    for obj in model.objects.order_by("pk"):
        row = []
        for f in fields:
            value = getattr(obj, f.attname)
            if f.is_relation and f.related_model is not None:
                value = keys.of(f.related_model, value)
            elif f.name == "payload":
                value = {k: keys.of(PAYLOAD_REFS[k], v) if k in PAYLOAD_REFS else v for k, v in value.items()}
            row.append(value)
        out.append(tuple(row))
    return out


def fingerprint() -> str:
    """A hash of every demo row's content, primary keys replaced by stable stand-ins."""
    keys = _Keys()
    digest = hashlib.sha256()
    for model in (Case, CaseEvent, *RECORD_MODELS):
        for row in _rows(model, keys):
            digest.update(json.dumps(row, default=str, ensure_ascii=False, sort_keys=True).encode())
    for joint_id, unit_id in JointHandling.units.through.objects.order_by("pk").values_list(
            "jointhandling_id", "orgunit_id"):
        digest.update(f"{keys.of(JointHandling, joint_id)}:{keys.units[unit_id]}".encode())
    return digest.hexdigest()


def _generate_and_fingerprint(*, count: int, seed: int, end: dt.date = END) -> str:
    with fast_hasher(), transaction.atomic():
        build_organisation()
        generate_cases(count=count, seed=seed, end=end)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


# --- organisation --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_organisation_has_the_29_streets_and_towns_and_every_role() -> None:
    with fast_hasher():
        build_organisation()
    places = OrgUnit.objects.filter(kind__in=[UnitKind.STREET, UnitKind.TOWN])
    assert places.count() == 29
    assert places.filter(kind=UnitKind.STREET).count() == 22 and places.filter(kind=UnitKind.TOWN).count() == 7
    assert {"中关村街道", "学院路街道", "清河街道", "西三旗街道", "海淀街道", "燕园街道", "温泉地区",
            "苏家坨地区", "上庄地区", "万柳地区"} <= set(places.values_list("name", flat=True))
    for place in PLACES:  # centres inside Haidian's bounding box
        assert 39.85 < place.latitude < 40.17 and 116.03 < place.longitude < 116.40
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    covered = set(LeaderArea.objects.values_list("streets__code", flat=True))
    assert covered == {place.code for place in PLACES}
    assert OrgUnit.objects.get(code="eeb").kind == UnitKind.BUREAU
    assert OrgUnit.objects.filter(kind=UnitKind.SQUAD, parent__kind=UnitKind.BRIGADE).count() == 4
    assert OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT).count() == 6
    for username, role, _display in DEMO_LOGINS:
        user = User.objects.get(username=username)
        assert user.has_role(role) and user.check_password(DEMO_PASSWORD)
        if role in (Role.HANDLER, Role.UNIT_HEAD):
            assert user.unit is not None and user.unit.kind == UnitKind.SQUAD
        if role == Role.STREET_LIAISON:
            assert user.unit is not None and user.unit.is_place
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


@pytest.mark.django_db
def test_building_the_organisation_twice_duplicates_nothing() -> None:
    with fast_hasher():
        build_organisation()
        counts = (OrgUnit.objects.count(), User.objects.count(), RoleAssignment.objects.count(),
                  LeaderArea.objects.count(), LeaderArea.streets.through.objects.count())
        paths = dict(OrgUnit.objects.values_list("code", "path"))
        build_organisation()
    assert (OrgUnit.objects.count(), User.objects.count(), RoleAssignment.objects.count(),
            LeaderArea.objects.count(), LeaderArea.streets.through.objects.count()) == counts
    assert dict(OrgUnit.objects.values_list("code", "path")) == paths
    assert User.objects.count() == len(STAFF)


@pytest.mark.django_db
def test_cases_zero_makes_only_the_organisation() -> None:
    with fast_hasher():
        call_command("demo-data", "--cases", "0", "--end", END.isoformat(), stdout=_Sink())
    assert OrgUnit.objects.filter(kind__in=[UnitKind.STREET, UnitKind.TOWN]).count() == 29
    assert not Case.objects.exists()


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


# --- determinism ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_same_seed_and_end_make_the_same_data_and_other_seeds_do_not() -> None:
    first = _generate_and_fingerprint(count=400, seed=11)
    again = _generate_and_fingerprint(count=400, seed=11)
    other = _generate_and_fingerprint(count=400, seed=12)
    assert first == again
    assert other != first


@pytest.mark.django_db
def test_the_end_date_moves_the_data() -> None:
    assert _generate_and_fingerprint(count=100, seed=11) != _generate_and_fingerprint(
        count=100, seed=11, end=END - dt.timedelta(days=30))


# --- the district as generated -------------------------------------------------------------------------


@pytest.mark.django_db
def test_count_window_and_every_status(district: dict[str, Any]) -> None:
    assert Case.objects.count() == 2000 == district["result"].cases
    first, last = Case.objects.order_by("received_at").values_list("received_at", flat=True)[::1999]
    assert CUTOFF - dt.timedelta(days=365) <= first and last < CUTOFF
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert set(statuses) == set(CaseStatus.values), statuses
    assert statuses[CaseStatus.CLOSED] > 0.8 * 2000  # older cases are mostly closed
    assert Case.objects.filter(created_at__gt=CUTOFF).count() == 0


@pytest.mark.django_db
def test_categories_channels_and_seasonality(district: dict[str, Any]) -> None:
    channels = Counter(Case.objects.values_list("channel", flat=True))
    assert channels.most_common(1)[0][0] == "hotline_12345" and channels["hotline_12345"] > 0.7 * 2000
    assert {"eco_12369", "letter", "visit", "phone", "web"} <= set(channels)
    by_month: dict[int, Counter[str]] = defaultdict(Counter)
    for received, category in Case.objects.values_list("received_at", "category"):
        by_month[received.astimezone(BEIJING).month][category] += 1

    def share(month: int, category: str) -> float:
        return by_month[month][category] / sum(by_month[month].values())

    assert share(7, "noise") > share(1, "noise") + 0.1
    assert sum(by_month[7].values()) > 1.8 * sum(by_month[2].values())  # the summer peak
    dust = Counter(r.astimezone(BEIJING).month for r in Case.objects.filter(
        sub_category="air.dust").values_list("received_at", flat=True))
    assert dust[4] > dust[1]
    for category, sub in Case.objects.values_list("category", "sub_category").distinct():
        assert sub == category or sub.startswith(category + ".")
    assert Case.objects.filter(category="soil").exclude(sub_category="soil").count() == 0


@pytest.mark.django_db
def test_night_noise_is_received_at_night_and_texts_are_real(district: dict[str, Any]) -> None:
    night = [received for received, tags in Case.objects.filter(category="noise").values_list(
        "received_at", "tags") if "night" in tags]
    assert len(night) > 50
    for received in night:
        hour = received.astimezone(BEIJING).hour
        assert hour >= 22 or hour < 6
    case = Case.objects.filter(request_type="complaint").order_by("pk").first()
    assert case is not None
    assert "海淀区" in case.address and case.title and len(case.description) > 30
    assert case.complainant_name and case.complainant_phone
    assert Case.objects.values("description").distinct().count() > 1900  # varied, not a template repeated
    repeated = Counter(Case.objects.exclude(polluter="").values_list("polluter", "address"))
    assert repeated.most_common(1)[0][1] >= 10  # a repeated source


@pytest.mark.django_db
def test_timelines_follow_the_transition_table(district: dict[str, Any]) -> None:
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in RoleAssignment.objects.values_list("user_id", "role"):
        roles[user_id].add(role)
    units = dict(User.objects.values_list("pk", "unit_id"))
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.order_by("at", "pk"):
        events[event.case_id].append(event)
    for case in Case.objects.all():
        timeline = events[case.pk]
        assert timeline[0].action == "created" and timeline[0].at == case.received_at
        assert case.version == len(timeline)
        assert timeline[-1].to_status == case.status and timeline[-1].at == case.updated_at
        status, unit = "", None
        for event in timeline:
            assert event.from_status == status, (case.pk, event.action)
            status = event.to_status
            if event.action == "merge_received":  # the service refuses a target no longer open
                assert event.from_status == event.to_status and event.from_status in OPEN_STATUSES
            elif event.action == "follow_parent":  # only a duplicate still waiting follows its parent
                assert event.from_status == event.to_status == CaseStatus.MERGED, case.pk
                unit = event.payload["unit"]
            if event.action in BOOKKEEPING:
                continue
            transition = TRANSITIONS[event.action]
            assert event.from_status in transition.from_statuses, (case.pk, event.action)
            if transition.to_status is not None:
                assert event.to_status == transition.to_status
            else:
                assert event.to_status in transition.outcomes | {event.from_status}
            assert roles[event.actor_id] & transition.roles, (event.action, roles[event.actor_id])
            if event.action in ("dispatch", "merge_into"):  # a duplicate takes its parent's unit
                unit = event.payload["unit"]
            elif roles[event.actor_id] & {Role.HANDLER, Role.UNIT_HEAD} and not roles[event.actor_id] & {
                    Role.DISPATCHER, Role.LEADER} and event.action != "record_joint_reply":
                assert units[event.actor_id] == unit, (case.pk, event.action)  # acts in the handling unit
    actions = Counter(CaseEvent.objects.values_list("action", flat=True))
    assert set(actions) <= set(TRANSITIONS) | BOOKKEEPING
    for action in ("created", "dispatch", "accept", "return_order", "record_contact", "record_inspection",
                   "record_measurement", "add_rectification", "request_extension", "decide_extension",
                   "file_appeal", "decide_appeal", "call_joint_handling", "record_joint_reply", "reply",
                   "record_return_visit", "supervise", "remind", "merge_into", "merge_received", "follow_parent"):
        assert actions[action] > 0, action


@pytest.mark.django_db
def test_records_match_the_timeline(district: dict[str, Any]) -> None:
    actions = Counter(CaseEvent.objects.values_list("action", flat=True))
    assert ContactAttempt.objects.count() == actions["record_contact"]
    assert Inspection.objects.count() == actions["record_inspection"]
    assert Measurement.objects.count() == actions["record_measurement"]
    assert Rectification.objects.count() == actions["add_rectification"]
    assert Reply.objects.count() == actions["reply"]
    assert ReturnVisit.objects.count() == actions["record_return_visit"]
    assert Appeal.objects.count() == actions["file_appeal"]
    assert Extension.objects.count() == actions["request_extension"]
    assert JointHandling.objects.count() == actions["call_joint_handling"]
    assert JointReply.objects.count() == actions["record_joint_reply"]
    for event in CaseEvent.objects.filter(action="record_contact")[:200]:
        attempt = ContactAttempt.objects.get(pk=event.payload["attempt"])
        assert attempt.case_id == event.case_id and attempt.at == event.at and attempt.created_at == event.at
    for case in Case.objects.filter(status=CaseStatus.MERGED):
        assert case.parent is not None and case.parent.status != CaseStatus.MERGED
        assert CaseEvent.objects.filter(case=case.parent, action="merge_received", payload__child=case.pk).exists()
    satisfaction = Counter(ReturnVisit.objects.filter(valid=True).values_list("satisfaction", flat=True))
    assert satisfaction.most_common(1)[0][0] == "satisfied"
    assert satisfaction["basically_satisfied"] > 0 and satisfaction["dissatisfied"] > 0
    assert Case.objects.filter(reopen_count__gt=0, status=CaseStatus.CLOSED).exists()  # 重办, then closed
    for case in Case.objects.filter(status=CaseStatus.CLOSED)[:300]:
        assert case.returnvisits.filter(valid=True).order_by("at").last().satisfaction in (
            "satisfied", "basically_satisfied")
        assert case.closed_at and case.completed_at and case.closed_at >= case.completed_at
        if case.complainant_phone and not case.appeals.filter(reason="unreachable").exists():
            assert case.first_contact_at is not None  # 联系诉求人 before the answer
    for measurement in Measurement.objects.all()[:100]:
        # Every measurement carries the verdict the standards give for its values (none for odour and EMF).
        values, verdict = judge(measurement.kind, measurement.values, measurement.measured_at)
        assert measurement.values == values and measurement.verdict == verdict
        assert bool(verdict) == (measurement.kind not in ("odor", "electromagnetic"))
    assert Extension.objects.filter(decision="approved").exclude(new_due_at=None).exists()
    assert Appeal.objects.exclude(decision="pending").exists()


@pytest.mark.django_db
def test_merged_duplicates_are_handled_through_their_parent(district: dict[str, Any]) -> None:
    """并案 as the services do it: a duplicate takes its parent's handling and follows it while it waits."""
    children = list(Case.objects.exclude(parent=None).select_related("parent").order_by("pk"))
    assert children
    for child in children:
        parent = child.parent
        assert parent is not None and parent.parent_id is None
        merge = CaseEvent.objects.get(case=child, action="merge_into")
        assert (merge.from_status, merge.to_status, merge.payload["into"]) == (
            CaseStatus.NEW, CaseStatus.MERGED, parent.pk)
        received = CaseEvent.objects.get(case=parent, action="merge_received", payload__child=child.pk)
        assert (received.at, received.actor_id) == (merge.at, merge.actor_id)
        follows = CaseEvent.objects.filter(case=child, action="follow_parent").order_by("at", "pk")
        for follow in follows:
            assert follow.payload["parent"] == parent.pk and follow.at > merge.at
            # the parent's step it follows, at the same moment
            assert CaseEvent.objects.filter(case=parent, action=follow.payload["via"], at=follow.at).exists()
        if child.status == CaseStatus.MERGED:  # still waiting: handled by the parent's people, as it stands
            assert (child.handling_unit_id, child.handler_id, child.leader_id) == (
                parent.handling_unit_id, parent.handler_id, parent.leader_id)
            assert child.accepted_at == parent.accepted_at
    assert CaseEvent.objects.filter(case__in=children, action="follow_parent").exists()
    assert CaseEvent.objects.filter(case__in=children, action="record_contact").exists()


@pytest.mark.django_db
def test_the_parents_final_reply_answers_its_duplicates_which_are_visited_on_their_own(
        district: dict[str, Any]) -> None:
    children = list(Case.objects.exclude(parent=None).select_related("parent").order_by("pk"))
    answered = visited = waiting = 0
    for child in children:
        parent = child.parent
        first = Reply.objects.filter(case=parent, final=True).order_by("at", "pk").first()
        if first is None:  # the parent not answered yet: the duplicate waits, its own deadlines running
            assert child.status == CaseStatus.MERGED and parent.status in OPEN_STATUSES
            assert not child.replys.exists() and not child.returnvisits.exists()
            assert child.status in deadlines.DEADLINE_STATUSES
            assert child.next_due_at == deadlines.next_due_at(child)
            waiting += 1
            continue
        # never left merged once the parent is answered: a reply of its own, with the parent's, at once
        assert child.status in (CaseStatus.REPLIED, CaseStatus.CLOSED, CaseStatus.IN_PROGRESS), child.pk
        own = child.replys.order_by("at", "pk").first()
        assert own is not None and own.pk != first.pk
        assert (own.at, own.text, own.final, own.created_by_id) == (first.at, first.text, True, first.created_by_id)
        event = CaseEvent.objects.get(case=child, action="reply", payload__reply=own.pk)
        assert (event.from_status, event.to_status, event.at, event.actor_id) == (
            CaseStatus.MERGED, CaseStatus.REPLIED, first.at, first.created_by_id)
        # the payload `services._reply` writes for a duplicate, the parent's with two keys more
        parent_event = CaseEvent.objects.get(case=parent, action="reply", payload__reply=first.pk)
        assert event.payload == {**parent_event.payload, "reply": own.pk, "via_parent": parent.pk,
                                 "parent_reply": first.pk}
        assert dt.datetime.fromisoformat(event.payload["at"]) == first.at
        answered += 1
        visits = list(child.returnvisits.order_by("at", "pk"))
        if child.status == CaseStatus.CLOSED or child.reopen_count:
            assert visits and visits[0].at > own.at
            assert {visit.case_id for visit in visits} == {child.pk}  # its own, not the parent's
            visited += 1
        if child.status == CaseStatus.CLOSED:
            assert visits[-1].valid and visits[-1].solved and visits[-1].satisfaction in (
                "satisfied", "basically_satisfied")
            assert child.closed_at == visits[-1].at and child.closed_at >= child.completed_at
            if child.complainant_phone:
                assert child.first_contact_at is not None and child.first_contact_at < own.at
    assert answered and visited and waiting
    # no duplicate still merged into a case already answered
    assert not Case.objects.filter(status=CaseStatus.MERGED, parent__replys__final=True).exists()
    assert not Case.objects.filter(status=CaseStatus.MERGED, parent__status__in=[
        CaseStatus.REPLIED, CaseStatus.CLOSED]).exists()


@pytest.mark.django_db
def test_deadlines_are_those_of_the_policy(district: dict[str, Any]) -> None:
    overrides = workday_overrides()
    policies = list(DeadlinePolicy.objects.filter(is_active=True))
    created = {e.case_id: e.payload for e in CaseEvent.objects.filter(action="created")}
    changed = set(CaseEvent.objects.filter(action__in=["decide_extension", "resume_clock", "record_return_visit"])
                  .values_list("case_id", flat=True))
    for case in Case.objects.select_related("policy"):
        assert case.policy == deadlines.find_policy(case.channel, case.request_type, case.urgency, policies)
        due = deadlines.compute_due_times(case.policy, case.received_at, overrides)
        payload = created[case.pk]
        for key in ("accept_due_at", "contact_due_at", "reply_due_at", "due_at"):
            expected = getattr(due, key)
            assert (dt.datetime.fromisoformat(payload[key]) if payload[key] else None) == expected
        if case.pk not in changed:
            assert (case.accept_due_at, case.contact_due_at, case.reply_due_at, case.due_at) == (
                due.accept_due_at, due.contact_due_at, due.reply_due_at, due.due_at)
        assert case.next_due_at == deadlines.next_due_at(case)
    levels = Counter()
    for case in Case.objects.filter(status__in=OPEN_STATUSES):
        state = deadlines.deadline_state(case, CUTOFF)
        levels[state.level if state else None] += 1
    assert levels[deadlines.DeadlineLevel.OVERDUE] > 0 and levels[deadlines.DeadlineLevel.DUE_SOON] > 0
    assert levels[deadlines.DeadlineLevel.ON_TRACK] > 0


@pytest.mark.django_db
def test_refuses_to_add_to_existing_cases_unless_appending(district: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="already holds"):
        call_command("demo-data", "--cases", "10", "--end", END.isoformat(), stdout=_Sink())
    with fast_hasher():
        call_command("demo-data", "--cases", "300", "--seed", "7", "--end", END.isoformat(), "--append",
                     "--quiet", stdout=_Sink())
    assert Case.objects.exclude(kind=CaseKind.PROACTIVE_TASK).count() == 2300  # and the task the demo approves
    numbered = Case.objects.exclude(external_id="")
    assert numbered.values("channel", "external_id").distinct().count() == numbered.count()


@pytest.mark.django_db
def test_the_demo_has_stations_readings_and_the_planted_alerts(time_machine: Any) -> None:
    from ecohotline.demo.monitoring import DAYS, STATIONS, build_monitoring
    from ecohotline.demo.organisation import build_organisation
    from ecohotline.monitoring.models import Alert, AlertCategory, Reading, Station

    now = dt.datetime(2026, 11, 20, 6, 30, tzinfo=dt.UTC)
    time_machine.move_to(now, tick=False)
    with fast_hasher():
        build_organisation()
    summary = build_monitoring(seed=1, end=now)
    assert summary.stations == len(STATIONS) and summary.verifications >= 1
    assert Station.objects.count() == len(STATIONS)
    assert Reading.objects.count() > len(STATIONS) * 6 * DAYS * 24 * 0.99  # six parameters, minus the outage
    local = Alert.objects.filter(station__code="beibuxinqu", category=AlertCategory.POLLUTION,
                                 detector__in=["sudden_rise", "far_from_neighbours"])
    assert local.exists() and {alert.case_id for alert in local} != {None}
    assert len({alert.case_id for alert in local}) == 1  # one visit for the station's one episode
    assert Alert.objects.filter(station__code="zhiwuyuan", detector="gap").exists()


@pytest.mark.django_db
def test_the_demo_works_its_ledger_meets_and_files_its_documents(
        district: dict[str, Any], time_machine: Any, tmp_path: Any) -> None:
    """The management layer is made through the staff's services: the ledger with difficult cases a leader
    planned, retrospectives filled in, last Monday's meeting with decisions on the timeline, and documents."""
    from ecohotline.assessment.models import LedgerEntry, LedgerReason, Retrospective, RetrospectiveStatus
    from ecohotline.demo.followup import build_follow_up
    from ecohotline.reports.models import Meeting, ReportRun

    time_machine.move_to(dt.datetime(2026, 11, 22, 9, tzinfo=BEIJING), tick=False)
    with override_settings(MEDIA_ROOT=str(tmp_path)), transaction.atomic():
        summary = build_follow_up(seed=7, today=END)
        open_entries = LedgerEntry.objects.filter(left_at__isnull=True)
        assert summary.entries == open_entries.count() > 0
        difficult = [entry for entry in open_entries if LedgerReason.DIFFICULT in entry.reasons]
        assert summary.difficult == len(difficult)
        flagged = [entry for entry in difficult if entry.difficult_note]  # the others by their repeat count
        assert len(flagged) == 2 and all(entry.next_step and entry.next_date for entry in flagged)
        assert Retrospective.objects.filter(status=RetrospectiveStatus.DONE).count() == summary.retrospectives_done > 0
        meeting = Meeting.objects.get()
        assert meeting.held_on == dt.date(2026, 11, 16)  # last Monday
        decided = CaseEvent.objects.filter(action="meeting_decision")
        assert decided.count() == summary.decisions == 2
        assert {event.case_id for event in decided} <= {entry.case_id for entry in difficult}
        assert all(event.payload["responsible_name"] and event.payload["due"] for event in decided)
        kinds = sorted(ReportRun.objects.values_list("kind", flat=True))
        assert kinds == ["daily", "meeting", "monthly", "weekly"]
        assert all((tmp_path / run.docx.name).exists() for run in ReportRun.objects.all())
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_registers_key_units_proposes_tasks_and_picks_a_theme(
        district: dict[str, Any], time_machine: Any) -> None:
    """The proactive side is made through the staff's services: key units from the polluters complained about
    most (the top ones with complaints confirmed as theirs, each on its timeline), the planner's proposals with one
    approved into a proactive task, and the month's theme."""
    from ecohotline.demo.insight import LINKED_PER_UNIT, build_insight
    from ecohotline.insight.models import KeyUnit, KeyUnitCase, MonthlyTheme, ProposalStatus, TaskProposal

    time_machine.move_to(dt.datetime(2026, 11, 22, 9, tzinfo=BEIJING), tick=False)
    with transaction.atomic():
        summary = build_insight(today=END)
        units = list(KeyUnit.objects.all())
        assert summary.key_units == len(units) > 0
        top = Case.objects.filter(kind=CaseKind.COMPLAINT).exclude(polluter="").values("polluter").annotate(
            n=Count("pk")).order_by("-n", "polluter").first()
        assert top is not None and top["polluter"] in {unit.name for unit in units}
        links = KeyUnitCase.objects.select_related("case", "key_unit")
        assert summary.links == links.count() > 0
        assert all(link.case.polluter == link.key_unit.name for link in links)
        assert max(Counter(link.key_unit_id for link in links).values()) <= LINKED_PER_UNIT
        assert CaseEvent.objects.filter(action="key_unit_linked").count() == summary.links
        approved = TaskProposal.objects.filter(status=ProposalStatus.APPROVED)
        assert summary.approved == approved.count() == 1
        task = approved.get().case
        assert task is not None and task.kind == CaseKind.PROACTIVE_TASK and task.handling_unit_id is not None
        assert MonthlyTheme.objects.get().month == END.replace(day=1)
        again = build_insight(today=END)  # a second run adds no unit, link, task or theme
        assert (again.key_units, KeyUnit.objects.count(), KeyUnitCase.objects.count()) == (0, len(units),
                                                                                          summary.links)
        assert again.approved == 0 and Case.objects.filter(kind=CaseKind.PROACTIVE_TASK).count() == 1
        transaction.set_rollback(True)
