"""The score of a training run: each point of right handling the scenario asks for, passed or failed, with why.

    category      the sub-category the case ends with is the scenario's
    remit         an order that is ours was accepted and not returned; one that is not ours was returned (退单)
    first_contact the complainant was first reached (logged as reached) by the first-contact deadline
    measurement   where the scenario needs one: a measurement of that kind was recorded, its verdict is the right
                  one (the readings judged against the right standard, zone and period), and a verdict over the
                  limit led to a rectification order
    deadline      the first reply by the reply deadline, and after an unsatisfied return visit (重办) the new reply by
                  the new one
    reply         the last final reply passes the reply check (`cases.replies.check_reply`) without a warning
    appeal        an appeal (申诉) filed if and only if the scenario justifies one, with its reason

While the run goes on a point may be `pending` (its deadline has not passed, the reply is not written); when it
finishes, a pending point fails. Points that do not apply (no measurement needed; no handling of an order that
was rightly returned) count for nothing. The percentage is passed / (passed + failed).

The score is kept as codes and figures (`Check.detail`); `explain` words them in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecohotline.cases.measurements import KINDS as MEASUREMENT_KINDS
from ecohotline.cases.models import AppealReason, Case, Satisfaction
from ecohotline.cases.replies import check_reply
from ecohotline.cases.selectors import category_label
from ecohotline.training.models import Run

PASSED, FAILED, PENDING, NOT_APPLICABLE = "passed", "failed", "pending", "not_applicable"

POINTS = {
    "category": gettext_lazy("Category"),
    "remit": gettext_lazy("Remit decision"),
    "first_contact": gettext_lazy("First contact in time"),
    "measurement": gettext_lazy("Measurement taken and judged"),
    "deadline": gettext_lazy("Reply deadline met"),
    "reply": gettext_lazy("Reply passes the quality check"),
    "appeal": gettext_lazy("Appeal only where justified"),
}


@dataclass(frozen=True)
class Check:
    key: str
    outcome: str
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(POINTS[self.key])

    @property
    def feedback(self) -> str:
        return explain(self)


@dataclass(frozen=True)
class Score:
    checks: list[Check]

    @property
    def passed(self) -> int:
        return sum(check.outcome == PASSED for check in self.checks)

    @property
    def counted(self) -> int:
        return sum(check.outcome in (PASSED, FAILED) for check in self.checks)

    @property
    def percent(self) -> float | None:
        return round(100 * self.passed / self.counted, 1) if self.counted else None

    def as_dict(self) -> dict[str, Any]:
        return {"checks": [asdict(check) for check in self.checks], "percent": self.percent}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Score:
        return cls([Check(**item) for item in data.get("checks", [])])


def _local(value: dt.datetime | str | None) -> str:
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _created_due(case: Case, key: str) -> dt.datetime | None:
    """A due time as the case was registered with it (before a 重办 renewed it)."""
    created = case.events.filter(action="created").values_list("payload", flat=True).first() or {}
    value = created.get(key)
    return parse_datetime(value) if isinstance(value, str) else None


def _open(final: bool) -> str:
    return FAILED if final else PENDING


def _category(case: Case, expected: dict[str, Any]) -> Check:
    passed = case.sub_category == expected["sub_category"]
    return Check("category", PASSED if passed else FAILED,
                 {"given": case.sub_category, "expected": expected["sub_category"]})


def _remit(case: Case, expected: dict[str, Any], actions: set[str], final: bool) -> Check:
    returned, accepted = "return_order" in actions, "accept" in actions
    if expected["remit"] == "return":
        outcome = PASSED if returned else FAILED if accepted or final else PENDING
    else:
        outcome = FAILED if returned else PASSED if accepted else _open(final)
    return Check("remit", outcome, {"expected": expected["remit"], "returned": returned, "accepted": accepted})


def _first_contact(case: Case, now: dt.datetime, final: bool) -> Check:
    due = case.contact_due_at  # kept as registered (a 重办 renews only the reply and completion deadlines)
    reached = [at for at, payload in case.events.filter(action="record_contact").order_by("at", "pk")
               .values_list("at", "payload") if (payload or {}).get("reached")]
    detail = {"due": due.isoformat() if due else None, "at": reached[0].isoformat() if reached else None}
    if reached:
        return Check("first_contact", PASSED if due is None or reached[0] <= due else FAILED, detail)
    return Check("first_contact", FAILED if final or (due is not None and now > due) else PENDING, detail)


def _measurement(case: Case, expected: dict[str, Any], final: bool) -> Check:
    wanted = expected.get("measurement")
    if not wanted:
        return Check("measurement", NOT_APPLICABLE)
    kind, exceeds = wanted["kind"], wanted.get("exceeds")
    taken = list(case.measurements.filter(kind=kind).order_by("measured_at", "pk"))
    detail: dict[str, Any] = {"kind": kind, "expected_exceeds": exceeds, "taken": len(taken)}
    if not taken:
        return Check("measurement", _open(final), detail)
    verdict = (taken[-1].verdict or {}).get("verdict")
    detail["verdict"] = verdict
    if exceeds is not None and (verdict == "exceeds") != exceeds:
        return Check("measurement", FAILED, detail)
    if verdict == "exceeds":
        detail["rectification"] = case.rectifications.exists()
        if not detail["rectification"]:
            return Check("measurement", _open(final), detail)
    return Check("measurement", PASSED, detail)


def _deadline(case: Case, now: dt.datetime, final: bool) -> Check:
    due = _created_due(case, "reply_due_at")
    first = case.first_replied_at
    detail = {"due": due.isoformat() if due else None, "first_reply": first.isoformat() if first else None,
              "reopened": case.reopen_count}
    if first is None:
        return Check("deadline", FAILED if final or (due is not None and now > due) else PENDING, detail)
    if due is not None and first > due:
        return Check("deadline", FAILED, detail)
    if case.reopen_count:
        redo_due, redo = case.reply_due_at, case.replied_at
        detail |= {"redo_due": redo_due.isoformat() if redo_due else None,
                   "redo_reply": redo.isoformat() if redo else None}
        if redo is None:
            return Check("deadline", FAILED if final or (redo_due and now > redo_due) else PENDING, detail)
        if redo_due is not None and redo > redo_due:
            return Check("deadline", FAILED, detail)
    return Check("deadline", PASSED, detail)


def _reply(case: Case, final: bool) -> Check:
    reply = case.replys.filter(final=True).order_by("at", "pk").last()
    if reply is None:
        return Check("reply", _open(final))
    warnings = check_reply(case, reply.text)
    return Check("reply", FAILED if warnings else PASSED,
                 {"warnings": [str(warning.message) for warning in warnings],
                  "codes": [warning.code for warning in warnings]})


def _appeal(case: Case, expected: dict[str, Any], final: bool) -> Check:
    justified = expected.get("appeal")
    filed = list(case.appeals.order_by("pk").values_list("reason", flat=True))
    detail = {"expected": justified, "filed": filed}
    if justified is None:
        return Check("appeal", FAILED if filed else PASSED if final else PENDING, detail)
    if justified in filed:
        return Check("appeal", PASSED, detail)
    return Check("appeal", FAILED if filed or final else PENDING, detail)


def score_run(run: Run, *, now: dt.datetime | None = None, final: bool = False) -> Score:
    """The run's score as it stands at simulated time `now` (the run's clock); `final`: the run ends, so what is
    still pending fails."""
    case = run.case
    if case is None:
        return Score([])
    case = Case.all_objects.get(pk=case.pk)  # fresh, whatever the workspace
    now = now or run.simulated_now()
    expected = run.scenario.expected
    actions = set(case.events.values_list("action", flat=True))
    checks = [_category(case, expected), _remit(case, expected, actions, final)]
    if expected["remit"] == "return":
        checks += [Check(key, NOT_APPLICABLE) for key in ("first_contact", "measurement", "deadline", "reply")]
    else:
        checks += [_first_contact(case, now, final), _measurement(case, expected, final),
                   _deadline(case, now, final), _reply(case, final)]
    checks.append(_appeal(case, expected, final))
    return Score(checks)


def run_score(run: Run) -> Score:
    """The kept score of a finished run; the standing one of a run in progress."""
    if run.score:
        return Score.from_dict(run.score)
    return score_run(run)


# --- words ----------------------------------------------------------------------------------------------------


def _appeal_label(code: str | None) -> str:
    return str(dict(AppealReason.choices).get(code, code)) if code else "—"


def explain(check: Check) -> str:
    """What the trainee did on this point and what was expected, in the reader's language."""
    d, outcome = check.detail, check.outcome
    if outcome == NOT_APPLICABLE:
        return _("Does not apply to this scenario.")
    if check.key == "category":
        if outcome == PASSED:
            return _("Classified as %(given)s, as it should be.") % {"given": category_label(d["given"])}
        return _("Classified as %(given)s; the complaint is about %(expected)s. Read the description, not the "
                 "hotline's label.") % {"given": category_label(d["given"]) or "—",
                                        "expected": category_label(d["expected"])}
    if check.key == "remit":
        if d["expected"] == "return":
            if outcome == PASSED:
                return _("Returned: the order is not the bureau's to handle.")
            return _("The order is not the bureau's to handle: it should have been returned (退单) with the reason.")
        if outcome == PASSED:
            return _("Accepted: the order is the bureau's to handle.")
        if d["returned"]:
            return _("Returned an order that is the bureau's to handle.")
        return _("Not accepted yet.")
    if check.key == "first_contact":
        if outcome == PASSED:
            return _("Complainant reached at %(at)s (due by %(due)s).") % {"at": _local(d["at"]),
                                                                          "due": _local(d["due"])}
        if d.get("at"):
            return _("Complainant first reached at %(at)s, after the deadline of %(due)s.") % {
                "at": _local(d["at"]), "due": _local(d["due"])}
        if outcome == PENDING:
            return _("Reach the complainant by %(due)s, and log the call.") % {"due": _local(d["due"])}
        return _("The complainant was never reached (due by %(due)s).") % {"due": _local(d["due"])}
    if check.key == "measurement":
        kind = str(MEASUREMENT_KINDS[d["kind"]].label) if d.get("kind") in MEASUREMENT_KINDS else d.get("kind", "")
        if not d.get("taken"):
            return _("A %(kind)s measurement is required (逢诉必测) and none was recorded.") % {"kind": kind}
        if d.get("expected_exceeds") is not None and (d.get("verdict") == "exceeds") != d["expected_exceeds"]:
            right = _("over the limit") if d["expected_exceeds"] else _("within the limit")
            return _("The readings are %(right)s, but the recorded verdict says otherwise: check the standard, zone "
                     "class and time of day you judged them against.") % {"right": right}
        if d.get("verdict") == "exceeds" and not d.get("rectification"):
            return _("Over the limit, but no rectification was ordered.")
        if d.get("verdict") == "exceeds":
            return _("Measured, judged over the limit, and a rectification ordered.")
        return _("Measured and judged correctly.")
    if check.key == "deadline":
        if d.get("first_reply") is None:
            if outcome == PENDING:
                return _("Reply by %(due)s.") % {"due": _local(d["due"])}
            return _("No reply was given (due by %(due)s).") % {"due": _local(d["due"])}
        if d.get("due") and d["first_reply"] > d["due"]:
            return _("First reply at %(at)s, after the deadline of %(due)s.") % {"at": _local(d["first_reply"]),
                                                                               "due": _local(d["due"])}
        if d.get("reopened") and d.get("redo_reply") is None:
            return _("Reopened after the return visit: reply again by %(due)s.") % {"due": _local(d.get("redo_due"))}
        if d.get("reopened") and outcome == FAILED:
            return _("Reopened after the return visit; the new reply came at %(at)s, after %(due)s.") % {
                "at": _local(d.get("redo_reply")), "due": _local(d.get("redo_due"))}
        return _("Replied in time.")
    if check.key == "reply":
        if outcome == PENDING:
            return _("No final reply yet.")
        if outcome == PASSED:
            return _("The final reply says what was found, what was done, the result and whom to call.")
        if not d:
            return _("No final reply was given.")
        return " ".join(d.get("warnings", []))
    if check.key == "appeal":
        if d.get("expected") is None:
            if d.get("filed"):
                return _("An appeal (%(reason)s) was filed, but the scenario gives no grounds for one.") % {
                    "reason": "、".join(_appeal_label(code) for code in d["filed"])}
            return _("No appeal, rightly.") if outcome == PASSED else _("No grounds for an appeal so far.")
        if outcome == PASSED:
            return _("Appeal filed for the right reason: %(reason)s.") % {"reason": _appeal_label(d["expected"])}
        if d.get("filed"):
            return _("An appeal was filed, but for the wrong reason; the grounds are: %(reason)s.") % {
                "reason": _appeal_label(d["expected"])}
        return _("The scenario justifies an appeal (%(reason)s); none was filed.") % {
            "reason": _appeal_label(d["expected"])}
    return ""


def describe_notice(notice: dict[str, Any]) -> str:
    """The words of a script event that carries figures rather than a text (kept on the timeline in Chinese, the
    record's language; the training page words them in the reader's)."""
    kind = notice["kind"]
    if kind == "measurement_in":
        spec = MEASUREMENT_KINDS.get(notice.get("kind_of", ""))
        parts = []
        for key, value in (notice.get("values") or {}).items():
            item = spec.field(key) if spec else None
            label = str(item.label) if item else key
            unit = f" {item.unit}" if item and item.unit else ""
            parts.append(f"{label}：{value}{unit}")
        return _("Readings came in: %(values)s. Record them as a measurement and judge them.") % {
            "values": "；".join(parts)}
    if kind == "deadline_near":
        return _("The %(deadline)s deadline (%(due)s) is %(hours)s hours away.") % {
            "deadline": {"contact": _("first contact"), "reply": _("reply"),
                         "completion": _("completion")}.get(notice.get("deadline", ""), ""),
            "due": _local(notice.get("due")), "hours": notice.get("hours_before")}
    if kind == "visit":
        level = dict(Satisfaction.choices).get(notice.get("satisfaction", ""), notice.get("satisfaction"))
        return _("The hotline's return visit: %(level)s; solved: %(solved)s.") % {
            "level": level, "solved": _("yes") if notice.get("solved") else _("no")}
    return str(notice.get("text", ""))
