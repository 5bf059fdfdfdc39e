"""The demo's training sandbox (情景模拟): a few generated scenarios and one made from a closed case, a run assigned to
a handler and waiting, and two finished runs of other handlers (one handled well, one not) so that the trainer's
overview has something to show. Made through the training services, like a trainer would."""

from __future__ import annotations

from dataclasses import dataclass

from ecohotline.cases import services as case_services
from ecohotline.cases.models import Case, CaseStatus
from ecohotline.org.models import User
from ecohotline.training import scenarios, services
from ecohotline.training.models import Run, Scenario

# (topic, seed) of the generated scenarios: social-life noise, cooking fumes, traffic noise (often not ours).
GENERATED = (("noise.social", 7), ("air.catering_fumes", 11), ("noise.traffic", 5))
GOOD_REPLY = ("您好！关于您反映的问题，我局执法人员已到现场核查，情况属实，已责令其整改，"
              "目前已整改到位，我局将跟踪复查。如有疑问请拨打联系电话：62551001。")


@dataclass
class TrainingDemo:
    scenarios: int
    runs: int


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _case(run: Run) -> Case:
    """The run's case, read inside its workspace (call within `services.inside(run)`)."""
    assert run.case_id is not None
    return Case.objects.get(pk=run.case_id)


def _play_well(run: Run, trainee: User) -> None:
    """Handle the run's case as the scenario expects, in good time."""
    expected = run.scenario.expected
    with services.inside(run):
        case = _case(run)
        if case.sub_category != expected["sub_category"]:
            case = case_services.set_category(actor=trainee, case=case, sub_category=expected["sub_category"])
        case_services.accept_case(actor=trainee, case=case)
        case_services.record_contact(actor=trainee, case=case, reached=True, summary="已电话联系诉求人，约定现场核查。")
        case_services.record_inspection(actor=trainee, case=case, findings="现场核查，情况属实。")
    services.jump(run=run, hours=2, actor=trainee)
    services.play_script(run)
    run.refresh_from_db()
    readings = next((n for n in run.notices if n["kind"] == "measurement_in"), None)
    with services.inside(run):
        case = _case(run)
        if readings is not None:
            case_services.record_measurement(actor=trainee, case=case, kind=readings["kind_of"],
                                             values=readings["values"])
            case_services.add_rectification(actor=trainee, case=case, requirement="限期整改，达标排放。")
        case_services.reply_to_complainant(actor=trainee, case=case, text=GOOD_REPLY)


def _play_badly(run: Run, trainee: User) -> None:
    """Accept without correcting the category, call a day and a half late, reply without substance."""
    with services.inside(run):
        case = _case(run)
        case_services.accept_case(actor=trainee, case=case)
    services.jump(run=run, hours=36, actor=trainee)
    with services.inside(run):
        case = _case(run)
        case_services.record_contact(actor=trainee, case=case, reached=True, summary="已联系。")
        case_services.reply_to_complainant(actor=trainee, case=case, text="您好，已处理。")


def build_training() -> TrainingDemo:
    """Scenarios and runs of the demo (nothing when they exist already)."""
    if Scenario.objects.exists():
        return TrainingDemo(Scenario.objects.count(), Run.objects.count())
    trainer = _user("trainer")
    made = [scenarios.generate(seed=seed, topic=topic, author=trainer) for topic, seed in GENERATED]
    closed = (Case.objects.filter(scenarios.closed_cases_for_scenarios(), measurements__isnull=False,
                                  status=CaseStatus.CLOSED).order_by("-closed_at", "-pk").first())
    if closed is not None:
        made.append(scenarios.from_case(closed, author=trainer))
    services.start_run(scenario=made[0], trainee=_user("handler1"), assigned_by=trainer)
    for scenario, username, play in ((made[1], "handler2", _play_well), (made[1], "handler3", _play_badly)):
        trainee = _user(username)
        run = services.start_run(scenario=scenario, trainee=trainee, assigned_by=trainer)
        play(run, trainee)
        run.refresh_from_db()
        services.finish_run(run=run, actor=trainee)
    return TrainingDemo(len(made), Run.objects.count())
