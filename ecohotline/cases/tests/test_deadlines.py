"""Deadline policies applied to cases: policy choice, due times, extensions, the paused clock, levels.

Dates are worked by hand (see core/tests/test_workdays.py for the 2026 calendar facts). The reference
receipt is Wed 6 May 2026 at 09:30 Beijing time: after the 劳动节 holiday (1–5 May), not near any other.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ecohotline.cases import services
from ecohotline.cases.deadlines import (
    DeadlineLevel,
    compute_due_times,
    deadline_state,
    find_policy,
    next_due_at,
    overdue_q,
    pending_deadlines,
)
from ecohotline.cases.exceptions import RuleViolation
from ecohotline.cases.models import Case, CaseStatus, Channel, DeadlinePolicy, Decision, RequestType, Urgency
from ecohotline.core.models import WorkdayOverride
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import force_status, make_case

pytestmark = pytest.mark.django_db


def bj(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


def eod(year: int, month: int, day: int) -> dt.datetime:
    return bj(year, month, day, 23, 59, 59)


T0 = bj(2026, 5, 6, 9, 30)


@pytest.fixture
def clock(time_machine):
    """Freeze time at T0; `clock.move_to(...)` moves it (without ticking)."""
    time_machine.move_to(T0, tick=False)
    return time_machine


def working_case(org, clock, **fields):
    """A case received at T0, dispatched to the squad with its handler and accepted (in progress)."""
    fields.setdefault("street", org.street)
    case = make_case(received_at=T0, **fields)
    case = services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    return services.accept_case(actor=org.handler, case=case)


# --- choosing the policy -----------------------------------------------------------------------------------


def test_default_policies_are_found_by_channel_and_urgency():
    assert find_policy(Channel.HOTLINE_12345, RequestType.COMPLAINT, Urgency.NORMAL).name == "12345 一般诉求"
    assert find_policy(Channel.HOTLINE_12345, RequestType.REPORT, Urgency.COMPLEX).name == "12345 复杂疑难诉求"
    assert find_policy(Channel.HOTLINE_12345, RequestType.HELP, Urgency.URGENT).name == "12345 紧急诉求"
    # Blank request type and urgency match anything.
    assert find_policy(Channel.ECO_12369, RequestType.REPORT, Urgency.URGENT).name == "12369 环境投诉举报"
    assert find_policy(Channel.VISIT, RequestType.COMPLAINT, Urgency.NORMAL).name == "信访·来访"


def test_the_most_specific_policy_wins():
    blank = DeadlinePolicy.objects.get(channel=Channel.ECO_12369, request_type="", urgency="")
    by_type = DeadlinePolicy.objects.create(name="12369 举报", channel=Channel.ECO_12369,
                                            request_type=RequestType.REPORT, completion_limit=30)
    by_urgency = DeadlinePolicy.objects.create(name="12369 紧急", channel=Channel.ECO_12369,
                                               urgency=Urgency.URGENT, completion_limit=3)
    both = DeadlinePolicy.objects.create(name="12369 紧急举报", channel=Channel.ECO_12369,
                                         request_type=RequestType.REPORT, urgency=Urgency.URGENT,
                                         completion_limit=1)
    assert find_policy(Channel.ECO_12369, RequestType.COMPLAINT, Urgency.NORMAL) == blank
    assert find_policy(Channel.ECO_12369, RequestType.REPORT, Urgency.NORMAL) == by_type
    assert find_policy(Channel.ECO_12369, RequestType.COMPLAINT, Urgency.URGENT) == by_urgency
    assert find_policy(Channel.ECO_12369, RequestType.REPORT, Urgency.URGENT) == both
    # The same answer from a list passed in (as a cache would).
    policies = list(DeadlinePolicy.objects.all())
    assert find_policy(Channel.ECO_12369, RequestType.REPORT, Urgency.URGENT, policies) == both
    assert find_policy(Channel.ECO_12369, RequestType.COMPLAINT, Urgency.NORMAL, policies) == blank


def test_inactive_policies_are_ignored():
    specific = DeadlinePolicy.objects.create(name="12369 举报", channel=Channel.ECO_12369,
                                             request_type=RequestType.REPORT, completion_limit=30,
                                             is_active=False)
    blank = DeadlinePolicy.objects.get(channel=Channel.ECO_12369, request_type="", urgency="")
    assert find_policy(Channel.ECO_12369, RequestType.REPORT, Urgency.NORMAL) == blank
    policies = list(DeadlinePolicy.objects.all())
    assert find_policy(Channel.ECO_12369, RequestType.REPORT, Urgency.NORMAL, policies) == blank
    blank.is_active = False
    blank.save()
    assert find_policy(Channel.ECO_12369, RequestType.REPORT, Urgency.NORMAL) is None
    assert specific.pk  # still there, just not used


def test_no_policy_means_no_deadlines(clock):
    DeadlinePolicy.objects.filter(channel=Channel.WEB).delete()
    case = make_case(channel=Channel.WEB, received_at=T0)
    assert case.policy is None
    assert (case.accept_due_at, case.contact_due_at, case.reply_due_at, case.due_at) == (None,) * 4
    assert case.next_due_at is None and not case.deadline_provisional
    assert pending_deadlines(case) == [] and deadline_state(case, T0) is None
    # 12345 has no policy for a blank urgency either: an unknown urgency finds nothing.
    assert find_policy(Channel.HOTLINE_12345, RequestType.COMPLAINT, "") is None


# --- due times of the default policies -------------------------------------------------------------------


def test_12345_normal(clock):
    case = make_case(received_at=T0, urgency=Urgency.NORMAL)
    assert case.policy.name == "12345 一般诉求"
    assert case.accept_due_at is None
    assert case.contact_due_at == bj(2026, 5, 7, 9, 30)  # 24 hours
    assert case.due_at == eod(2026, 5, 13)  # 7 natural days after Wed 6 May
    assert case.reply_due_at == case.due_at  # no reply limit: the completion limit
    assert case.next_due_at == case.contact_due_at
    assert not case.deadline_provisional
    # The reply deadline coincides with the completion deadline: one deadline, the completion.
    assert [kind for kind, _due in pending_deadlines(case)] == ["contact", "completion"]


def test_12345_complex(clock):
    case = make_case(received_at=T0, urgency=Urgency.COMPLEX)
    assert case.policy.name == "12345 复杂疑难诉求"
    assert case.contact_due_at == bj(2026, 5, 7, 9, 30)
    assert case.due_at == eod(2026, 5, 21)  # 15 natural days
    assert case.reply_due_at == eod(2026, 5, 21)


def test_12345_urgent(clock):
    case = make_case(received_at=T0, urgency=Urgency.URGENT)
    assert case.policy.name == "12345 紧急诉求"
    assert case.contact_due_at == bj(2026, 5, 6, 11, 30)  # 2 hours
    assert case.reply_due_at == bj(2026, 5, 6, 11, 30)  # 2 hours
    assert case.due_at == eod(2026, 5, 13)
    assert case.next_due_at == bj(2026, 5, 6, 11, 30)


def test_12369_accept_and_completion(clock):
    case = make_case(channel=Channel.ECO_12369, received_at=T0)
    assert case.policy.name == "12369 环境投诉举报"
    assert case.accept_due_at == eod(2026, 5, 21)  # 15 natural days
    assert case.contact_due_at is None
    # 60 natural days: May 6 + 25 = May 31, + 30 = Jun 30, + 5 = Jul 5.
    assert case.due_at == eod(2026, 7, 5)
    assert case.reply_due_at == eod(2026, 7, 5)
    assert case.next_due_at == case.accept_due_at


@pytest.mark.parametrize("channel", [Channel.LETTER, Channel.VISIT])
def test_letters_and_visits(clock, channel):
    case = make_case(channel=channel, received_at=T0)
    assert (case.accept_due_at, case.due_at) == (eod(2026, 5, 21), eod(2026, 7, 5))
    assert case.policy.max_extension_days == 30 and case.policy.pause_allowed


def test_due_times_from_a_utc_receipt_use_the_beijing_day(clock):
    # 17:00 UTC on Tue 5 May is 01:00 on Wed 6 May in Beijing: 7 natural days run to Wed 13 May.
    case = make_case(received_at=dt.datetime(2026, 5, 5, 17, 0, tzinfo=dt.UTC))
    assert case.due_at == eod(2026, 5, 13)
    assert case.contact_due_at == bj(2026, 5, 7, 1, 0)


def test_working_day_policy_uses_the_calendar_and_overrides(clock):
    DeadlinePolicy.objects.create(name="来信·举报", channel=Channel.LETTER, request_type=RequestType.REPORT,
                                  completion_limit=3, completion_unit="working_days")
    # Wed 30 Sep 2026: 国庆 1–7 Oct off, so 3 working days are Thu 8, Fri 9 and the 调休 Sat 10 Oct.
    case = make_case(channel=Channel.LETTER, request_type=RequestType.REPORT, received_at=bj(2026, 9, 30, 10, 0))
    assert case.due_at == eod(2026, 10, 10) and not case.deadline_provisional
    # An administrator declares Fri 9 Oct a day off: the 3rd working day becomes Mon 12 Oct.
    WorkdayOverride.objects.create(date=dt.date(2026, 10, 9), is_working_day=False)
    case = make_case(channel=Channel.LETTER, request_type=RequestType.REPORT, received_at=bj(2026, 9, 30, 10, 0))
    assert case.due_at == eod(2026, 10, 12)


def test_working_day_policy_crossing_into_2027_is_provisional(clock):
    DeadlinePolicy.objects.create(name="来信·举报", channel=Channel.LETTER, request_type=RequestType.REPORT,
                                  accept_limit=15, completion_limit=10, completion_unit="working_days")
    # Thu 24 Dec 2026: Fri 25, Mon 28 – Thu 31 Dec are the 1st–5th working days; 2027 is unknown to the
    # library, so Fri 1 Jan (really a holiday) is the 6th by the Monday–Friday fallback, then Mon 4 – Thu 7
    # Jan the 7th–10th.
    case = make_case(channel=Channel.LETTER, request_type=RequestType.REPORT, received_at=bj(2026, 12, 24, 10, 0))
    assert case.due_at == eod(2027, 1, 7)
    assert case.accept_due_at == eod(2027, 1, 8)  # natural days: 24 Dec + 15
    assert case.deadline_provisional
    created = case.events.get(action="created")
    assert created.payload["provisional"] is True
    # The same policy earlier in December stays within 2026 and is definite.
    early = make_case(channel=Channel.LETTER, request_type=RequestType.REPORT, received_at=bj(2026, 12, 1, 10, 0))
    assert not early.deadline_provisional


def test_compute_due_times_without_policy():
    due = compute_due_times(None, T0, {})
    assert (due.accept_due_at, due.contact_due_at, due.reply_due_at, due.due_at, due.provisional) == (
        None, None, None, None, False)


# --- extensions --------------------------------------------------------------------------------------------


def _extend(org, case, days, approve):
    extension = services.request_extension(actor=org.handler, case=case, days=days, reason="需等待监测报告")
    return services.decide_extension(actor=org.leader, case=case, extension=extension, approve=approve)


def test_approved_extension_moves_due_at_and_reply_due_at(org, clock):
    case = working_case(org, clock, channel=Channel.ECO_12369)
    assert case.due_at == case.reply_due_at == eod(2026, 7, 5)
    extension = _extend(org, case, 30, approve=True)
    case.refresh_from_db()
    assert extension.decision == Decision.APPROVED
    assert extension.old_due_at == eod(2026, 7, 5) and extension.new_due_at == eod(2026, 8, 4)
    assert case.due_at == eod(2026, 8, 4)  # Jul 5 + 30 days
    assert case.reply_due_at == eod(2026, 8, 4)  # it equalled due_at, so it moves too
    assert case.next_due_at == eod(2026, 8, 4)  # accepted: completion (and reply) is what is left


def test_extension_leaves_a_separate_reply_deadline_alone(org, clock):
    case = working_case(org, clock, urgency=Urgency.URGENT)
    _extend(org, case, 7, approve=True)
    case.refresh_from_db()
    assert case.due_at == eod(2026, 5, 20)
    assert case.reply_due_at == bj(2026, 5, 6, 11, 30)


def test_rejected_extension_changes_nothing(org, clock):
    case = working_case(org, clock, channel=Channel.ECO_12369)
    extension = _extend(org, case, 10, approve=False)
    case.refresh_from_db()
    assert extension.decision == Decision.REJECTED and extension.new_due_at is None
    assert case.due_at == case.reply_due_at == eod(2026, 7, 5)


def test_extension_longer_than_the_policy_allows_is_refused(org, clock):
    case = working_case(org, clock)  # 12345 normal: at most 7 days
    with pytest.raises(RuleViolation) as error:
        services.request_extension(actor=org.handler, case=case, days=8, reason="太忙")
    assert error.value.code == "extension_too_long"


# --- the paused clock --------------------------------------------------------------------------------------


def test_pause_stops_the_clock_and_resume_shifts_the_pending_deadlines(org, clock):
    case = working_case(org, clock, channel=Channel.ECO_12369)
    assert case.accepted_at is not None  # the accept deadline is met and does not move
    clock.move_to(bj(2026, 6, 1, 10, 0), tick=False)
    case = services.pause_clock(actor=org.unit_head, case=case, reason="等待第三方检测报告")
    assert case.paused_at == bj(2026, 6, 1, 10, 0)
    assert case.next_due_at is None and next_due_at(case) is None
    frozen = deadline_state(case, bj(2026, 6, 1, 10, 0))
    # The reply limit falls back to the completion limit: one deadline, shown as the completion.
    assert frozen.paused and frozen.deadline == "completion"

    # Long after the due time the paused case still shows the time left at the pause, and is not overdue.
    later = bj(2026, 7, 20, 10, 0)
    clock.move_to(later, tick=False)
    state = deadline_state(case, later)
    assert state.time_left == eod(2026, 7, 5) - bj(2026, 6, 1, 10, 0) == frozen.time_left
    assert state.level == DeadlineLevel.ON_TRACK and state.paused
    assert not Case.objects.filter(overdue_q(later), pk=case.pk).exists()

    case = services.resume_clock(actor=org.unit_head, case=case)
    stood = later - bj(2026, 6, 1, 10, 0)  # 49 days
    assert case.paused_at is None
    assert case.paused_seconds == int(stood.total_seconds()) == 49 * 86400
    assert case.due_at == case.reply_due_at == eod(2026, 7, 5) + stood == eod(2026, 8, 23)
    assert case.accept_due_at == eod(2026, 5, 21)  # met before the pause: unchanged
    assert case.next_due_at == eod(2026, 8, 23)
    after = deadline_state(case, later)
    assert after.time_left == frozen.time_left and not after.paused
    case.refresh_from_db()
    assert case.due_at == eod(2026, 8, 23) and case.paused_seconds == 49 * 86400


def test_paused_seconds_add_up_over_several_pauses(org, clock):
    case = working_case(org, clock, channel=Channel.ECO_12369)
    case = services.pause_clock(actor=org.unit_head, case=case, reason="检测")
    clock.move_to(T0 + dt.timedelta(hours=2), tick=False)
    case = services.resume_clock(actor=org.unit_head, case=case)
    case = services.pause_clock(actor=org.dispatcher, case=case, reason="再次检测")
    clock.move_to(T0 + dt.timedelta(hours=5), tick=False)
    case = services.resume_clock(actor=org.dispatcher, case=case)
    assert case.paused_seconds == 5 * 3600
    assert case.due_at == eod(2026, 7, 5) + dt.timedelta(hours=5)


def test_pause_is_refused_where_the_policy_forbids_it(org, clock):
    case = working_case(org, clock)  # 12345 normal: pause_allowed is False
    with pytest.raises(RuleViolation) as error:
        services.pause_clock(actor=org.unit_head, case=case, reason="等待")
    assert error.value.code == "pause_not_allowed"
    case.refresh_from_db()
    assert case.paused_at is None and case.next_due_at == bj(2026, 5, 7, 9, 30)


def test_pause_twice_and_resume_unpaused_are_refused(org, clock):
    case = working_case(org, clock, channel=Channel.ECO_12369)
    with pytest.raises(RuleViolation) as error:
        services.resume_clock(actor=org.unit_head, case=case)
    assert error.value.code == "not_paused"
    case = services.pause_clock(actor=org.unit_head, case=case, reason="检测")
    with pytest.raises(RuleViolation) as error:
        services.pause_clock(actor=org.unit_head, case=case, reason="检测")
    assert error.value.code == "already_paused"


# --- levels -----------------------------------------------------------------------------------------------


def test_levels_around_the_thresholds(clock):
    case = make_case(received_at=T0)  # 12345 normal; contact due T0 + 24 h
    due = bj(2026, 5, 7, 9, 30)
    # A 24-hour window: due soon in its last quarter, i.e. the last 6 hours.
    state = deadline_state(case, T0)
    assert (state.deadline, state.due_at, state.time_left, state.level) == (
        "contact", due, dt.timedelta(hours=24), DeadlineLevel.ON_TRACK)
    assert deadline_state(case, due - dt.timedelta(hours=6, seconds=1)).level == DeadlineLevel.ON_TRACK
    assert deadline_state(case, due - dt.timedelta(hours=6)).level == DeadlineLevel.DUE_SOON
    assert deadline_state(case, due).level == DeadlineLevel.DUE_SOON  # no time left, not yet late
    late = deadline_state(case, due + dt.timedelta(seconds=1))
    assert late.level == DeadlineLevel.OVERDUE and late.time_left == dt.timedelta(seconds=-1)


def test_due_soon_is_capped_at_24_hours(org, clock):
    case = working_case(org, clock, channel=Channel.ECO_12369)  # accepted; completion due Jul 5 23:59:59
    due = eod(2026, 7, 5)
    assert deadline_state(case, due - dt.timedelta(hours=24, seconds=1)).level == DeadlineLevel.ON_TRACK
    assert deadline_state(case, due - dt.timedelta(hours=24)).level == DeadlineLevel.DUE_SOON


def test_urgent_two_hour_window_is_due_soon_in_the_last_half_hour(clock):
    case = make_case(received_at=T0, urgency=Urgency.URGENT)
    due = bj(2026, 5, 6, 11, 30)
    assert deadline_state(case, due - dt.timedelta(minutes=31)).level == DeadlineLevel.ON_TRACK
    assert deadline_state(case, due - dt.timedelta(minutes=30)).level == DeadlineLevel.DUE_SOON


def test_met_deadline_gives_way_to_the_next_one(org, clock):
    case = working_case(org, clock)
    clock.move_to(bj(2026, 5, 6, 15, 0), tick=False)
    services.record_contact(actor=org.handler, case=case, reached=True, summary="已联系")
    case.refresh_from_db()
    assert case.next_due_at == eod(2026, 5, 13)
    state = deadline_state(case, bj(2026, 5, 8, 9, 30))
    assert state.deadline == "completion" and state.level == DeadlineLevel.ON_TRACK
    # Once the case is closed nothing is pending any more.
    force_status(case, CaseStatus.CLOSED)
    assert deadline_state(case, bj(2026, 6, 1)) is None and pending_deadlines(case) == []


# --- the overdue filter ----------------------------------------------------------------------------------


def test_overdue_filter(org, clock):
    late = make_case(received_at=T0)  # contact due May 7 09:30
    met = working_case(org, clock)
    services.record_contact(actor=org.handler, case=met, reached=True)  # next: May 13 23:59:59
    paused = working_case(org, clock, channel=Channel.ECO_12369)
    services.pause_clock(actor=org.unit_head, case=paused, reason="检测")
    paused_late = make_case(received_at=T0)
    closed = force_status(make_case(received_at=T0), CaseStatus.CLOSED)
    replied = force_status(make_case(received_at=T0), CaseStatus.REPLIED)
    returned = force_status(make_case(received_at=T0), CaseStatus.RETURNED)
    # A paused clock with its deadline in the past is not overdue either.
    Case.objects.filter(pk=paused_late.pk).update(paused_at=T0, next_due_at=None)

    now = bj(2026, 5, 8, 12, 0)
    overdue = set(Case.objects.filter(overdue_q(now)).values_list("pk", flat=True))
    assert overdue == {late.pk, returned.pk}
    assert not {met.pk, paused.pk, paused_late.pk, closed.pk, replied.pk} & overdue
    # Exactly at the due time a deadline is not yet overdue.
    assert not Case.objects.filter(overdue_q(bj(2026, 5, 7, 9, 30)), pk=late.pk).exists()
    assert Case.objects.filter(overdue_q(bj(2026, 5, 7, 9, 30, 1)), pk=late.pk).exists()
    # The filter and the level agree.
    for case in Case.objects.all():
        state = deadline_state(case, now)
        assert (case.pk in overdue) == bool(state and state.level == DeadlineLevel.OVERDUE and not state.paused)
