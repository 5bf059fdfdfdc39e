"""The demo district's proactive side (未诉先办), made through the same services the staff use: a key units
registry (重点单位) of the polluters complained about most, a few complaints confirmed as theirs, the last weeks
looked at for unusual rises, the planner's proposals with one approved and one rejected, and the month's theme
(每月一题)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Max, Min
from django.utils import timezone

from ecohotline.cases.models import Case, CaseKind
from ecohotline.core.workdays import BEIJING
from ecohotline.insight import planner, rises, services
from ecohotline.insight.industries import assign_industry
from ecohotline.insight.models import KeyUnit, MonthlyTheme, ProposalStatus, TaskProposal
from ecohotline.org.models import OrgUnit, Role, User

KEY_UNITS = 30          # the polluters complained about most become key units
LINKED_PER_UNIT = 3     # and their latest complaints are confirmed as theirs (the top few units)
LINKED_UNITS = 5
RISE_WEEKS = 4          # the last weeks the rise detector looks at
# Industries whose units the bureau watches as key industries (重点行业): catering, construction, manufacturing.
KEY_INDUSTRY_PREFIXES = ("H62", "E4", "C")


@dataclass
class InsightDemo:
    key_units: int
    links: int
    alerts: int
    proposals: int
    approved: int


def _person(role: str) -> User:
    user = User.objects.filter(role_assignments__role=role, is_active=True).order_by("pk").first()
    if user is None:
        raise LookupError(f"the demo organisation has no {role}")
    return user


def _key_units(admin: User) -> list[KeyUnit]:
    """The polluters complained about most, each placed where its complaints are on average."""
    top = (Case.objects.filter(kind=CaseKind.COMPLAINT, latitude__isnull=False).exclude(polluter="")
           .values("polluter").annotate(complaints=Count("pk"), latitude=Avg("latitude"), longitude=Avg("longitude"),
                                        street=Min("street_id"), team=Max("handling_unit_id"),
                                        sub_category=Min("sub_category"), address=Min("address"))
           .order_by("-complaints", "polluter")[:KEY_UNITS])
    streets = OrgUnit.objects.in_bulk({row["street"] for row in top if row["street"]})
    teams = OrgUnit.objects.in_bulk({row["team"] for row in top if row["team"]})
    made = []
    for rank, row in enumerate(top):
        if KeyUnit.objects.filter(name=row["polluter"]).exists():
            continue
        industry = assign_industry(sub_category=row["sub_category"], polluter=row["polluter"]) or ""
        made.append(services.save_key_unit(
            actor=admin, name=row["polluter"], industry_code=industry, address=row["address"],
            street=streets.get(row["street"]), latitude=row["latitude"], longitude=row["longitude"],
            is_key_industry=industry.startswith(KEY_INDUSTRY_PREFIXES), is_key_area=rank < 5, is_key_unit=True,
            team=teams.get(row["team"]), notes=f"演示数据：近一年被投诉 {row['complaints']} 次。"))
    return made


def build_insight(*, today: dt.date | None = None) -> InsightDemo:
    """Fill the registry, look for rises, propose tasks and pick the month's theme (safe to run twice)."""
    now = timezone.now()
    today = today or timezone.localdate(now, BEIJING)
    admin, leader, dispatcher = _person(Role.ADMIN), _person(Role.LEADER), _person(Role.DISPATCHER)
    units = _key_units(admin)
    links = 0
    for unit in units[:LINKED_UNITS]:
        for case in Case.objects.filter(kind=CaseKind.COMPLAINT, polluter=unit.name).order_by("-received_at")[
                :LINKED_PER_UNIT]:
            services.confirm_key_unit(actor=dispatcher, case=case, key_unit=unit, score=1.0)
            links += 1
    alerts = 0
    monday = today - dt.timedelta(days=today.weekday())
    for weeks_back in range(RISE_WEEKS, 0, -1):
        alerts += len(rises.detect_rises(week=monday - dt.timedelta(weeks=weeks_back)).created)
    moment = min(now, dt.datetime.combine(today, dt.time(9), tzinfo=BEIJING))
    proposals = planner.propose_now(actor=None, now=moment)
    approved = 0
    open_ones = list(TaskProposal.objects.filter(status=ProposalStatus.PROPOSED, team__isnull=False).order_by("pk"))
    decided = TaskProposal.objects.exclude(status=ProposalStatus.PROPOSED).exists()  # a second run decides nothing
    if open_ones and not decided:
        services.approve_proposal(actor=leader, proposal=open_ones[0])
        approved = 1
    if len(open_ones) > 2 and not decided:
        services.reject_proposal(actor=leader, proposal=open_ones[-1],
                                 reason="本月已安排同类专项检查，合并执行。")
    month = today.replace(day=1)
    if not MonthlyTheme.objects.filter(month=month).exists():
        services.save_theme(actor=leader, month=month, title="餐饮油烟扰民专项治理",
                            categories=["air.catering_fumes"], keywords="油烟 烧烤", leader=leader,
                            goal="油烟投诉环比下降两成，重点餐饮单位净化设施清洗全覆盖。")
    return InsightDemo(key_units=len(units), links=links, alerts=alerts, proposals=len(proposals),
                       approved=approved)
