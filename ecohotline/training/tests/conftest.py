"""A world of real cases beside training cases made to look like them, for the isolation tests (情景模拟).

The real cases and the training cases are about the same thing at the same place: the same street, community,
coordinates, polluter, address, sub-category and complainant's phone, near-identical text, received at the same
moment, each handled on the same (simulated) timetable through the case services. So any surface that let a
training case through would show it beside its real twin: a list, a count, a duplicate or similar-case lookup, a
hotspot cell, a feed.

* `real` (real, closed): dispatched, accepted, contacted, inspected, measured (over the limit), a rectification,
  a final reply, an appeal, a 不满意 return visit that reopens it, a new reply, a satisfied visit that closes it.
* `real_open` (real): dispatched and left alone; its deadlines are long past.
* `new` (real): a complaint received days later about the same thing (the duplicate and similar-case lookups).
* `training`, `training_open`: the same two on training runs, the closed one driven inside `services.inside(run)`
  with the run's clock jumped between the steps, its return visits recorded by the script (`play_script`).

`build_real(org)` makes the real world and `train(world)` adds the training runs, so that a test can take what a
surface shows before and after the training exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from ecohotline.cases import services as case_services
from ecohotline.cases.models import Case, Satisfaction
from ecohotline.core import clock
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import make_case
from ecohotline.training import services
from ecohotline.training.models import Run, Scenario

DESCRIPTION = "来电人反映：小区楼下KTV每天夜里唱歌声音很大，影响休息，请相关部门处理。"
TRAINING_DESCRIPTION = "来电人反映：小区楼下KTV每天夜里唱歌声音很大，影响休息，请有关部门处理。"
REPLY = ("您好！关于您反映的噪声问题，我局执法人员到现场核查，情况属实，经监测超标，已责令该商户整改，"
         "目前已整改到位，我局将复查。联系电话：62345678。")
NOISE = {"standard": "GB22337", "zone": "2", "leq_db": 65}
PHONE = "13800001111"
OTHER_PHONE = "13900002222"  # a neighbour's: two complainants make the place a hot issue


def base_time() -> dt.datetime:
    """09:00 Beijing ten days ago: everything of the world happens before now, and the open cases' reply
    deadlines (7 days) have passed."""
    day = timezone.now().astimezone(BEIJING).date() - dt.timedelta(days=10)
    return dt.datetime.combine(day, dt.time(9), tzinfo=BEIJING)


def place(org: Any, phone: str = PHONE) -> dict[str, Any]:
    return {"title": "楼下KTV夜间噪声扰民", "address": "北京市海淀区某社区3号楼", "street": org.street,
            "community": "某社区", "latitude": 39.96, "longitude": 116.31, "polluter": "某KTV",
            "sub_category": "noise.social", "category": "noise", "complainant_name": "李先生",
            "complainant_phone": phone}


@dataclass
class World:
    org: Any
    base: dt.datetime
    real: Case
    real_open: Case
    new: Case
    training: Case | None = None
    training_open: Case | None = None
    runs: list[Run] = field(default_factory=list)

    @property
    def real_ids(self) -> set[int]:
        return {self.real.pk, self.real_open.pk, self.new.pk}

    @property
    def training_ids(self) -> set[int]:
        return {case.pk for case in (self.training, self.training_open) if case is not None}

    def refresh(self) -> None:
        self.real, self.real_open, self.new = (Case.all_objects.get(pk=case.pk)
                                               for case in (self.real, self.real_open, self.new))
        if self.training is not None and self.training_open is not None:
            self.training, self.training_open = (Case.all_objects.get(pk=case.pk)
                                                 for case in (self.training, self.training_open))


def _at(moment: dt.datetime) -> Any:
    return clock.simulated(lambda: moment)


def build_real(org: Any) -> World:
    """The real cases, each step on the clock of its twin's training run."""
    base = base_time()
    hours = dt.timedelta(hours=1)
    with _at(base):
        real = make_case(received_at=base, description=DESCRIPTION, **place(org))
        real = case_services.dispatch_case(actor=org.dispatcher, case=real, unit=org.squad, handler=org.handler,
                                           leader=org.leader)
    with _at(base + hours):
        real = case_services.accept_case(actor=org.handler, case=real)
        case_services.record_contact(actor=org.handler, case=real, reached=True, summary="已联系")
        case_services.record_inspection(actor=org.handler, case=real, findings="现场核查，KTV夜间营业声音较大。")
        case_services.record_measurement(actor=org.handler, case=real, kind="noise", values=NOISE)
        case_services.add_rectification(actor=org.handler, case=real, requirement="安装隔声设施，夜间降低音量")
    with _at(base + 26 * hours):
        case_services.reply_to_complainant(actor=org.handler, case=real, text=REPLY)
        case_services.file_appeal(actor=org.handler, case=real, reason="compliant_but_disturbing", evidence="已达标")
    with _at(base + 50 * hours):
        case_services.record_return_visit(actor=org.dispatcher, case=real, contacted=True, solved=False,
                                          satisfaction=Satisfaction.DISSATISFIED)
    with _at(base + 52 * hours):
        case_services.reply_to_complainant(actor=org.handler, case=real, text=REPLY)
    with _at(base + 74 * hours):
        case_services.record_return_visit(actor=org.dispatcher, case=real, contacted=True, solved=True,
                                          satisfaction=Satisfaction.SATISFIED)
    with _at(base + 2 * hours):
        real_open = make_case(received_at=base + 2 * hours, description=DESCRIPTION, **place(org, OTHER_PHONE))
        real_open = case_services.dispatch_case(actor=org.dispatcher, case=real_open, unit=org.squad,
                                                handler=org.handler, leader=org.leader)
    later = base + dt.timedelta(days=4)
    with _at(later):
        new = make_case(received_at=later, description=DESCRIPTION, **place(org))
    world = World(org=org, base=base, real=real, real_open=real_open, new=new)
    world.refresh()
    return world


def scenario(org: Any, *, starts_at: dt.datetime, script: list[dict[str, Any]], phone: str = PHONE) -> Scenario:
    order = {key: value for key, value in place(org, phone).items() if key not in ("street", "category")}
    return Scenario.objects.create(
        title="夜间噪声扰民", starts_at=starts_at, created_by=org.trainer,
        order={**order, "street": org.street.code, "description": TRAINING_DESCRIPTION, "channel": "hotline_12345"},
        expected={"sub_category": "noise.social", "remit": "ours", "measurement": {"kind": "noise", "exceeds": True},
                  "appeal": None},
        script=script)


def _fresh(run: Run) -> Run:
    run.refresh_from_db()
    return run


def train(world: World) -> World:
    """The training runs: the closed twin handled by the trainee step by step, the open twin left alone."""
    org, trainee = world.org, world.org.handler
    script = [
        {"kind": "call_again", "at_hours": 3, "text": "诉求人再次来电催办。"},
        {"kind": "visit", "after": "reply", "delay_hours": 24, "satisfaction": "dissatisfied", "solved": False,
         "contacted": True},
        {"kind": "visit", "after": "reply", "delay_hours": 48, "satisfaction": "satisfied", "solved": True,
         "contacted": True},
    ]
    run = services.start_run(scenario=scenario(org, starts_at=world.base, script=script), trainee=trainee,
                             assigned_by=org.trainer)
    case = run.case
    services.jump(run=run, hours=1, actor=trainee)
    with services.inside(_fresh(run)):
        case = case_services.accept_case(actor=trainee, case=case)
        case_services.record_contact(actor=trainee, case=case, reached=True, summary="已联系")
        case_services.record_inspection(actor=trainee, case=case, findings="现场核查，KTV夜间营业声音较大。")
        case_services.record_measurement(actor=trainee, case=case, kind="noise", values=NOISE)
        case_services.add_rectification(actor=trainee, case=case, requirement="安装隔声设施，夜间降低音量")
    services.jump(run=run, hours=25, actor=trainee)
    assert services.play_script(_fresh(run)) == [0]
    with services.inside(_fresh(run)):
        case_services.reply_to_complainant(actor=trainee, case=case, text=REPLY)
        case_services.file_appeal(actor=trainee, case=case, reason="compliant_but_disturbing", evidence="已达标")
    services.jump(run=run, hours=25, actor=trainee)
    assert services.play_script(_fresh(run)) == [1]  # 不满意: the case is reopened (重办)
    with services.inside(_fresh(run)):
        case_services.reply_to_complainant(actor=trainee, case=Case.objects.get(), text=REPLY)
    services.jump(run=run, hours=24, actor=trainee)
    assert services.play_script(_fresh(run)) == [2]  # satisfied: closed
    open_scenario = scenario(org, starts_at=world.base + dt.timedelta(hours=2), script=[], phone=OTHER_PHONE)
    open_run = services.start_run(scenario=open_scenario, trainee=trainee, assigned_by=org.trainer)
    world.runs = [_fresh(run), _fresh(open_run)]
    world.training, world.training_open = run.case, open_run.case
    world.refresh()
    cache.clear()  # pages keep their figures for a while: what a surface shows next is computed afresh
    return world


@pytest.fixture
def real_world(org: Any) -> World:
    return build_real(org)


@pytest.fixture
def world(real_world: World) -> World:
    return train(real_world)
