"""The inbox (待办): each role's sections, their counts, the dispatcher's one-click decisions, bulk dispatch."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from ecohotline.cases import services
from ecohotline.cases.inbox import TOTAL, inbox_counts
from ecohotline.cases.models import Case, CaseEvent, CaseStatus, Satisfaction
from ecohotline.factories import UserFactory, force_status, make_case
from ecohotline.intake.models import DuplicateSuggestion, Suggestion, TriageSuggestion
from ecohotline.org.models import Role
from ecohotline.ui.context_processors import navigation

pytestmark = pytest.mark.django_db

SECTIONS_BY_ROLE = {
    Role.DISPATCHER: ["new_and_returned", "triage_suggestions", "duplicate_suggestions"],
    Role.HANDLER: ["my_cases", "unit_to_accept"],
    Role.UNIT_HEAD: ["unit_cases", "unit_unassigned", "unit_due_soon", "unit_overdue"],
    Role.LEADER: ["leader_cases", "leader_overdue", "leader_unsatisfied"],
    Role.STREET_LIAISON: ["joint_requests"],
    Role.ANALYST: [],
    Role.ADMIN: [],
}


def _section_codes(response):
    return [section["code"] for section in response.context["sections"]]


def _section(response, code):
    return next(section for section in response.context["sections"] if section["code"] == code)


def _references(response, code):
    return [case.reference for case, _state in _section(response, code)["rows"]]


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def desk(org):
    """A small district: cases in every state the inbox cares about."""
    now = timezone.now()
    new = make_case(street=org.street, external_id="N-1", title="餐馆油烟")
    returned = make_case(street=org.street, external_id="R-1", title="退回的工单")
    services.dispatch_case(actor=org.dispatcher, case=returned, unit=org.squad)
    services.return_order(actor=org.handler, case=returned, reason="不属于本中队")
    suggested = make_case(street=org.other_street, external_id="S-1", title="待确认派单")
    TriageSuggestion.objects.create(case=suggested, unit=org.squad, leader=org.leader, confidence=0.8)
    # The handler's cases: one on track, one overdue.
    mine = make_case(street=org.street, external_id="H-1", title="我的工单")
    services.dispatch_case(actor=org.dispatcher, case=mine, unit=org.squad, handler=org.handler)
    late = make_case(street=org.street, external_id="H-2", title="超期工单")
    services.dispatch_case(actor=org.dispatcher, case=late, unit=org.squad, handler=org.handler)
    force_status(late, CaseStatus.DISPATCHED, next_due_at=now - dt.timedelta(hours=2),
                 contact_due_at=now - dt.timedelta(hours=2))
    # The squad's case without a handler, due within hours.
    unassigned = make_case(street=org.other_street, external_id="U-1", title="无人承办")
    services.dispatch_case(actor=org.dispatcher, case=unassigned, unit=org.squad)
    force_status(unassigned, CaseStatus.DISPATCHED, next_due_at=now + dt.timedelta(hours=3),
                 contact_due_at=now + dt.timedelta(hours=3))
    # Another squad's case, a 包案 case of the leader's (outside their area).
    elsewhere = make_case(street=org.other_street, external_id="E-1", title="二中队工单")
    services.dispatch_case(actor=org.dispatcher, case=elsewhere, unit=org.other_squad, leader=org.leader)
    # A duplicate of `mine`, waiting for the dispatcher.
    duplicate = make_case(street=org.street, external_id="D-1", title="同一餐馆油烟")
    DuplicateSuggestion.objects.create(case=duplicate, candidate=mine, score=0.93)
    # Answered, then the complainant was dissatisfied: reopened.
    unhappy = make_case(street=org.street, external_id="V-1", title="不满意")
    services.dispatch_case(actor=org.dispatcher, case=unhappy, unit=org.squad, handler=org.handler)
    services.accept_case(actor=org.handler, case=unhappy)
    services.reply_to_complainant(actor=org.handler, case=unhappy, text="已处理")
    services.record_return_visit(actor=org.dispatcher, case=unhappy, contacted=True, solved=False,
                                 satisfaction=Satisfaction.DISSATISFIED)
    # The street is called in on one case (unanswered) and on another it has answered.
    called = make_case(street=org.other_street, external_id="J-1", title="吹哨报到")
    services.dispatch_case(actor=org.dispatcher, case=called, unit=org.squad)
    services.accept_case(actor=org.unit_head, case=called)
    services.call_joint_handling(actor=org.unit_head, case=called, units=[org.street], reason="需要街道配合")
    answered = make_case(street=org.other_street, external_id="J-2", title="已报到")
    services.dispatch_case(actor=org.dispatcher, case=answered, unit=org.other_squad)
    services.accept_case(actor=org.other_unit_head, case=answered)
    joint = services.call_joint_handling(actor=org.other_unit_head, case=answered, units=[org.street],
                                         reason="需要街道配合")
    services.record_joint_reply(actor=org.street_liaison, case=answered, joint=joint, unit=org.street,
                                text="已到场")
    made = dict(locals())
    return {name: Case.objects.get(pk=case.pk) for name, case in made.items() if isinstance(case, Case)}


def test_home_page_is_the_inbox(client, org):
    client.force_login(org.handler)
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("ui:inbox")


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("ui:inbox"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", list(SECTIONS_BY_ROLE))
def test_each_role_sees_its_own_sections_only(client, org, role):
    client.force_login(org.by_role(role))
    response = client.get(reverse("ui:inbox"))
    assert response.status_code == 200
    assert _section_codes(response) == SECTIONS_BY_ROLE[role]


def test_a_person_with_several_roles_sees_each_roles_sections(client, org):
    both = UserFactory(username="both", unit=org.squad, roles=[Role.HANDLER, Role.UNIT_HEAD])
    client.force_login(both)
    response = client.get(reverse("ui:inbox"))
    assert _section_codes(response) == SECTIONS_BY_ROLE[Role.HANDLER] + SECTIONS_BY_ROLE[Role.UNIT_HEAD]


def test_dispatcher_sections_and_counts(client, org, desk):
    client.force_login(org.dispatcher)
    response = client.get(reverse("ui:inbox"))
    assert sorted(_references(response, "new_and_returned")) == ["D-1", "N-1", "R-1", "S-1"]
    assert _references(response, "triage_suggestions") == ["S-1"]
    assert _references(response, "duplicate_suggestions") == ["D-1"]
    assert inbox_counts(org.dispatcher) == {"new_and_returned": 4, "triage_suggestions": 1,
                                            "duplicate_suggestions": 1, TOTAL: 4}


def test_handler_sees_their_cases_nearest_deadline_first(client, org, desk):
    client.force_login(org.handler)
    response = client.get(reverse("ui:inbox"))
    assert _references(response, "my_cases")[0] == "H-2"
    assert sorted(_references(response, "my_cases")) == ["H-1", "H-2", "V-1"]
    # Dispatched to the unit with no handler named: any of its handlers may accept it.
    assert _references(response, "unit_to_accept") == ["U-1"]
    client.force_login(org.other_handler)
    assert _references(client.get(reverse("ui:inbox")), "my_cases") == []
    assert "U-1" not in _references(client.get(reverse("ui:inbox")), "unit_to_accept")  # not their unit


def test_unit_head_sections(client, org, desk):
    client.force_login(org.unit_head)
    response = client.get(reverse("ui:inbox"))
    assert sorted(_references(response, "unit_cases")) == ["H-1", "H-2", "J-1", "U-1", "V-1"]
    assert _references(response, "unit_unassigned") == ["U-1", "J-1"]  # J-1 was accepted by the head
    assert _references(response, "unit_due_soon") == ["U-1"]
    assert _references(response, "unit_overdue") == ["H-2"]
    # Due soon as the case page says it: U-1 is due in 3 hours (a quarter of its 24-hour contact limit is 6),
    # the others in nearly 24 hours.
    assert inbox_counts(org.unit_head) == {"unit_cases": 5, "unit_unassigned": 2, "unit_due_soon": 1,
                                           "unit_overdue": 1, TOTAL: 3}


def test_leader_sees_their_area_and_their_cases(client, org, desk):
    client.force_login(org.leader)
    response = client.get(reverse("ui:inbox"))
    # The area (中关村街道) and the 包案 case E-1 in another street.
    assert sorted(_references(response, "leader_cases")) == ["D-1", "E-1", "H-1", "H-2", "N-1", "R-1", "V-1"]
    assert _references(response, "leader_overdue") == ["H-2"]
    assert _references(response, "leader_unsatisfied") == ["V-1"]
    client.force_login(org.other_leader)
    response = client.get(reverse("ui:inbox"))
    assert all(section["count"] == 0 for section in response.context["sections"])


def test_street_liaison_sees_unanswered_calls_for_their_street(client, org, desk):
    client.force_login(org.street_liaison)
    response = client.get(reverse("ui:inbox"))
    assert _references(response, "joint_requests") == ["J-1"]
    assert inbox_counts(org.street_liaison) == {"joint_requests": 1, TOTAL: 1}


def test_navigation_shows_inbox_count_unread_and_roles(client, org, desk):
    client.force_login(org.unit_head)
    text = client.get(reverse("ui:case-list")).content.decode()
    assert 'id="nav-inbox-count"' in text and ">3</span>" in text
    assert 'id="nav-roles">' in text
    assert reverse("ui:notifications") in text and reverse("ui:settings") in text


def test_navigation_costs_at_most_two_queries(org, desk, django_assert_max_num_queries):
    request = RequestFactory().get("/")
    request.user = org.unit_head
    assert org.unit_head.role_codes  # read once per request by the page anyway
    with django_assert_max_num_queries(2):
        context = navigation(request)
    assert context["nav_inbox"] == 3 and context["nav_roles"]


def _all_roles_user(org):
    return UserFactory(username="everyone", unit=org.squad,
                       roles=[Role.DISPATCHER, Role.HANDLER, Role.UNIT_HEAD, Role.LEADER])


def _more_cases(org, everyone, n):
    for i in range(n):
        new = make_case(street=org.street, title=f"新工单{i}")
        TriageSuggestion.objects.create(case=new, unit=org.squad, leader=org.leader, confidence=0.7)
        dup = make_case(street=org.street, title=f"重复{i}")
        DuplicateSuggestion.objects.create(case=dup, candidate=new, score=0.9)
        mine = make_case(street=org.street, title=f"承办{i}")
        services.dispatch_case(actor=org.dispatcher, case=mine, unit=org.squad, handler=everyone,
                               leader=everyone)


def test_inbox_query_count_does_not_grow_with_cases(client, org, django_assert_max_num_queries):
    everyone = _all_roles_user(org)
    _more_cases(org, everyone, 2)
    client.force_login(everyone)
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("ui:inbox"))
    _more_cases(org, everyone, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("ui:inbox"))
    section = _section(response, "new_and_returned")
    assert section["count"] == 54 and len(section["rows"]) == 20 and section["more"] == 34
    assert "34" in response.content.decode()


def test_street_liaison_inbox_query_count_does_not_grow(client, org, django_assert_max_num_queries):
    def call(n):
        for i in range(n):
            case = make_case(street=org.street, title=f"吹哨{i}")
            services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
            services.accept_case(actor=org.unit_head, case=case)
            services.call_joint_handling(actor=org.unit_head, case=case, units=[org.street], reason="配合")

    call(1)
    client.force_login(org.street_liaison)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("ui:inbox"))
    call(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("ui:inbox"))
    assert _section(response, "joint_requests")["count"] == 11


def test_hostile_text_is_escaped(client, org):
    make_case(street=org.street, title="<script>alert('x')</script>")
    client.force_login(org.dispatcher)
    text = client.get(reverse("ui:inbox")).content.decode()
    assert "<script>alert" not in text and "&lt;script&gt;alert" in text


# --- the dispatcher's decisions ------------------------------------------------------------------------


def test_accept_triage_suggestion_dispatches_through_the_service(client, org, desk):
    client.force_login(org.dispatcher)
    case = desk["suggested"]
    response = client.post(reverse("ui:inbox-accept-triage", args=[case.pk]))
    assert response.status_code == 302 and response.url == reverse("ui:inbox")
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.handling_unit == org.squad and case.leader == org.leader
    assert CaseEvent.objects.filter(case=case, action="dispatch", actor=org.dispatcher).exists()
    assert TriageSuggestion.objects.get(case=case).status == Suggestion.ACCEPTED
    # Twice: refused with a message, nothing changes.
    response = client.post(reverse("ui:inbox-accept-triage", args=[case.pk]))
    assert any("S-1" in message for message in _messages(response))
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1


def test_dismiss_triage_suggestion_leaves_the_case_new(client, org, desk):
    client.force_login(org.dispatcher)
    case = desk["suggested"]
    client.post(reverse("ui:inbox-dismiss-triage", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert TriageSuggestion.objects.get(case=case).status == Suggestion.DISMISSED
    assert _references(client.get(reverse("ui:inbox")), "triage_suggestions") == []


def test_confirm_duplicate_merges_through_the_service(client, org, desk):
    client.force_login(org.dispatcher)
    duplicate, mine = desk["duplicate"], desk["mine"]
    other = DuplicateSuggestion.objects.create(case=duplicate, candidate=desk["late"], score=0.7)
    suggestion = DuplicateSuggestion.objects.get(case=duplicate, candidate=mine)
    client.post(reverse("ui:inbox-confirm-duplicate", args=[suggestion.pk]))
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED and duplicate.parent == mine
    assert CaseEvent.objects.filter(case=duplicate, action="merge_into", actor=org.dispatcher).exists()
    assert CaseEvent.objects.filter(case=mine, action="merge_received").exists()
    suggestion.refresh_from_db()
    other.refresh_from_db()
    assert (suggestion.status, other.status) == (Suggestion.ACCEPTED, Suggestion.DISMISSED)


def test_dismiss_duplicate(client, org, desk):
    client.force_login(org.dispatcher)
    suggestion = DuplicateSuggestion.objects.get(case=desk["duplicate"])
    client.post(reverse("ui:inbox-dismiss-duplicate", args=[suggestion.pk]))
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.DISMISSED
    assert Case.objects.get(pk=desk["duplicate"].pk).status == CaseStatus.NEW


def test_bulk_dispatch_reports_each_case_that_failed(client, org, desk):
    client.force_login(org.dispatcher)
    chosen = [desk["new"], desk["returned"], desk["suggested"], desk["mine"]]  # `mine` is dispatched already
    response = client.post(reverse("ui:inbox-bulk-dispatch"),
                           {"case": [case.pk for case in chosen], "unit": org.other_squad.pk})
    assert response.status_code == 302
    for case in chosen[:3]:
        case.refresh_from_db()
        assert case.status == CaseStatus.DISPATCHED and case.handling_unit == org.other_squad
        assert CaseEvent.objects.filter(case=case, action="dispatch", actor=org.dispatcher,
                                        payload__unit=org.other_squad.pk).exists()
    assert Case.objects.get(pk=desk["mine"].pk).handling_unit == org.squad
    # The suggestion named another unit: dismissed.
    assert TriageSuggestion.objects.get(case=desk["suggested"]).status == Suggestion.DISMISSED
    texts = _messages(response)
    assert any("3" in text for text in texts)
    assert any(text.startswith("H-1") for text in texts)


def test_bulk_dispatch_to_a_street_is_refused_per_case(client, org, desk):
    client.force_login(org.dispatcher)
    response = client.post(reverse("ui:inbox-bulk-dispatch"), {"case": [desk["new"].pk], "unit": org.street.pk})
    assert Case.objects.get(pk=desk["new"].pk).status == CaseStatus.NEW
    assert any(text.startswith("N-1") for text in _messages(response))


@pytest.mark.parametrize("role", [Role.HANDLER, Role.UNIT_HEAD, Role.LEADER, Role.ANALYST, Role.STREET_LIAISON])
def test_only_dispatchers_decide(client, org, desk, role):
    client.force_login(org.by_role(role))
    case = desk["suggested"]
    suggestion = DuplicateSuggestion.objects.get(case=desk["duplicate"])
    posts = [
        (reverse("ui:inbox-accept-triage", args=[case.pk]), {}),
        (reverse("ui:inbox-dismiss-triage", args=[case.pk]), {}),
        (reverse("ui:inbox-confirm-duplicate", args=[suggestion.pk]), {}),
        (reverse("ui:inbox-dismiss-duplicate", args=[suggestion.pk]), {}),
        (reverse("ui:inbox-bulk-dispatch"), {"case": [case.pk], "unit": org.squad.pk}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NEW
    assert TriageSuggestion.objects.get(case=case).status == Suggestion.PENDING


def test_decisions_are_post_only(client, org, desk):
    client.force_login(org.dispatcher)
    assert client.get(reverse("ui:inbox-accept-triage", args=[desk["suggested"].pk])).status_code == 405


def test_due_soon_follows_each_cases_threshold(client, org):
    now = timezone.now()
    for reference, hours in (("SOON", 3), ("LATER", 10)):
        case = make_case(street=org.street, external_id=reference)
        services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
        force_status(case, CaseStatus.DISPATCHED, next_due_at=now + dt.timedelta(hours=hours),
                     contact_due_at=now + dt.timedelta(hours=hours))
    client.force_login(org.unit_head)
    response = client.get(reverse("ui:inbox"))
    # The 24-hour contact limit is due soon in its last 6 hours.
    assert _references(response, "unit_due_soon") == ["SOON"]
    assert _section(response, "unit_due_soon")["count"] == 1
