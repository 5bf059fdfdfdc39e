"""What the public page reads: the categories a citizen chooses from, the district's map, and a case's
status as a citizen may see it (no staff, no complainant, nothing internal)."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Case, CaseStatus, Category, Reply
from ecohotline.org.models import PLACE_KINDS, OrgUnit, UnitKind
from ecohotline.public.forms import normalise_tracking_number
from ecohotline.public.models import PublicReport


class Stage:
    """A case's status in a citizen's words."""

    RECEIVED = "received"
    HANDLING = "handling"
    REPLIED = "replied"
    CLOSED = "closed"


STAGE_LABELS: dict[str, Promise] = {
    Stage.RECEIVED: _("Registered"),
    Stage.HANDLING: _("Being handled"),
    Stage.REPLIED: _("Replied"),
    Stage.CLOSED: _("Closed"),
}
STAGE_HELP: dict[str, Promise] = {
    Stage.RECEIVED: _("Your report has been received and is being passed to the unit that will handle it."),
    Stage.HANDLING: _("The unit responsible is looking into the problem."),
    Stage.REPLIED: _("We have replied. We may call you to ask whether you are satisfied."),
    Stage.CLOSED: _("The case is closed."),
}
STAGES = (Stage.RECEIVED, Stage.HANDLING, Stage.REPLIED, Stage.CLOSED)


def stage_of(case: Case) -> str:
    if case.status == CaseStatus.CLOSED:
        return Stage.CLOSED
    if case.status == CaseStatus.REPLIED:
        return Stage.REPLIED
    if case.status in (CaseStatus.NEW, CaseStatus.RETURNED):
        return Stage.RECEIVED
    if case.status == CaseStatus.MERGED:  # handled with another complaint about the same thing
        parent = case.parent
        if parent is not None and parent.status in (CaseStatus.REPLIED, CaseStatus.CLOSED):
            return stage_of(parent)
        return Stage.REPLIED if case.replied_at else Stage.HANDLING
    return Stage.HANDLING


@dataclass(frozen=True)
class PublicStatus:
    """What a lookup shows."""

    tracking_number: str
    stage: str
    received_at: dt.datetime
    reply_due_at: dt.datetime | None
    category: str
    reply: str
    replied_at: dt.datetime | None

    @property
    def stage_label(self) -> Promise:
        return STAGE_LABELS[self.stage]

    @property
    def stage_help(self) -> Promise:
        return STAGE_HELP[self.stage]

    @property
    def steps(self) -> list[tuple[Promise, bool, bool]]:
        """(label, reached, current) for each stage, for the progress bar."""
        position = STAGES.index(self.stage)
        return [(STAGE_LABELS[stage], index <= position, index == position) for index, stage in enumerate(STAGES)]


def _final_reply(case: Case) -> Reply | None:
    reply = Reply.objects.filter(case=case, final=True).order_by("-at", "-pk").first()
    if reply is None and case.status == CaseStatus.MERGED and case.parent_id:
        reply = Reply.objects.filter(case_id=case.parent_id, final=True).order_by("-at", "-pk").first()
    return reply


def _last_digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


def find_status(*, tracking_number: str, digits: str, language: str) -> PublicStatus | None:
    """The status of the report with this tracking number, or None, alike for an unknown number and for wrong
    digits. A report filed with a phone number needs its last four digits; an anonymous one (no phone) is found
    by its tracking number alone, since there is nothing else a citizen could give."""
    number = normalise_tracking_number(tracking_number)
    report = (PublicReport.objects.select_related("case", "case__parent").filter(tracking_number=number).first()
              if number else None)
    expected = _last_digits(report.case.complainant_phone) if report is not None else "0000"
    # Compared in constant time, and compared even for an unknown number.
    match = hmac.compare_digest(expected.encode(), (digits or "").encode())
    if report is None or (expected and not match):
        return None
    case = report.case
    stage = stage_of(case)
    reply = _final_reply(case) if stage in (Stage.REPLIED, Stage.CLOSED) else None
    return PublicStatus(
        tracking_number=report.tracking_number, stage=stage, received_at=case.received_at,
        reply_due_at=None if stage in (Stage.REPLIED, Stage.CLOSED) else (case.reply_due_at or case.due_at),
        category=category_label(case.sub_category or case.category, language), reply=reply.text if reply else "",
        replied_at=reply.at if reply else None,
    )


def _names() -> dict[str, tuple[str, str, str, int, bool]]:
    """{code: (name_zh, name_en, parent code, order, active)}, cached for a minute."""
    names: dict[str, tuple[str, str, str, int, bool]] | None = cache.get("public:categories")
    if names is None:
        names = {c.code: (c.name_zh, c.name_en, c.parent.code if c.parent else "", c.sort_order, c.is_active)
                 for c in Category.objects.select_related("parent")}
        cache.set("public:categories", names, 60)
    return names


def category_label(code: str, language: str) -> str:
    entry = _names().get(code)
    if entry is None:
        return ""
    return entry[1] if language == "en" and entry[1] else entry[0]


def category_choices(language: str) -> list[Any]:
    """The active categories as the form's choices: each family with active sub-categories as a group of
    them, a family without (soil, other) as a choice of its own; in the page's language."""
    names = _names()
    label = 1 if language == "en" else 0
    tops = sorted((code for code, entry in names.items() if not entry[2] and entry[4]), key=lambda c: names[c][3])
    choices: list[Any] = []
    for top in tops:
        children = sorted((code for code, entry in names.items() if entry[2] == top and entry[4]),
                          key=lambda c: names[c][3])
        if children:
            choices.append((names[top][label], [(code, names[code][label]) for code in children]))
        else:
            choices.append((top, names[top][label]))
    return choices


def bureau_name() -> str:
    bureau = OrgUnit.objects.filter(kind=UnitKind.BUREAU, is_active=True).order_by("pk").first()
    return bureau.name if bureau else ""


def home_district() -> str:
    """The district the bureau serves (its streets' district, as triage places orders), for the map."""
    from ecohotline.intake.place import placer_for

    try:
        return placer_for(list(OrgUnit.objects.filter(kind__in=PLACE_KINDS, is_active=True))).home.name
    except (ValueError, LookupError):
        return ""
