"""The training sandbox's pages (情景模拟, thin: reads through `training.selectors`, writes through
`training.services` and `training.scenarios`).

A trainee sees their runs and starts one; a run's page shows the briefing, the simulated clock, what the script
told them and the score so far, and lets them enter the run (the desk then shows its case alone: see
`training.middleware`), jump the clock ahead and finish. Trainers also build and assign scenarios, set a run's
clock speed and follow every trainee in the overview.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecohotline.cases.exceptions import CaseError
from ecohotline.cases.selectors import category_label
from ecohotline.org.models import User
from ecohotline.training import scenarios, scoring, selectors, services
from ecohotline.training.forms import (
    JUMPS,
    AssignForm,
    FromCaseForm,
    GenerateForm,
    JumpForm,
    SpeedForm,
    speed_choices,
)
from ecohotline.training.middleware import SESSION_KEY
from ecohotline.training.models import Run, RunStatus, Scenario

View = Callable[..., HttpResponse]


def trainer_required(view: View) -> View:
    """Signed in and a trainer (or an administrator), else 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.is_trainer(request.user):  # type: ignore[arg-type]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _outside_a_run(request: HttpRequest) -> bool:
    """Scenarios are made and runs started from outside any run: inside one, only that run's case exists."""
    if getattr(request, "training_run", None) is None:
        return True
    messages.error(request, _("Leave the training run you are in first."))
    return False


def _visible_run(request: HttpRequest, pk: int) -> Run:
    """The run, for its trainee and trainers; for anybody else it does not exist."""
    run = get_object_or_404(Run.objects.select_related("scenario", "trainee", "assigned_by", "case"), pk=pk)
    if not services.may_enter(_user(request), run):
        raise Http404
    return run


# --- a trainee's pages ----------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My runs (in progress, finished with their score) and the scenarios I may start myself."""
    runs = list(selectors.my_runs(_user(request)))
    return render(request, "training/home.html", {
        "active_runs": [run for run in runs if run.status == RunStatus.ACTIVE],
        "finished_runs": [run for run in runs if run.status == RunStatus.FINISHED],
        "scenarios": selectors.startable_scenarios(),
        "is_trainer": services.is_trainer(_user(request)),
        "current_run_id": request.session.get(SESSION_KEY),
    })


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a scenario for myself and enter the run."""
    scenario = get_object_or_404(Scenario, pk=pk)
    if not _outside_a_run(request):
        return redirect("training:home")
    try:
        run = services.start_run(scenario=scenario, trainee=_user(request))
    except CaseError as error:
        messages.error(request, error.detail)
        return redirect("training:home")
    request.session[SESSION_KEY] = run.pk
    messages.success(request, _("Training run started: %(title)s.") % {"title": scenario.title})
    return redirect("training:run", pk=run.pk)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run: the briefing, the order, the simulated clock, what the script told the trainee, the score so far."""
    run = _visible_run(request, pk)
    inside = getattr(request, "training_run", None)
    # Inside this run the middleware has played the script already; from outside, what is due happens now.
    if (inside is None or inside.pk != run.pk) and run.status == RunStatus.ACTIVE and services.play_script(run):
        run.refresh_from_db()
    user = _user(request)
    is_trainer = services.is_trainer(user)
    # The standing score would give the answers away (the right category, an appeal's grounds): the trainee sees
    # it when the run is finished; a trainer looking in sees it as it stands.
    show_score = run.status != RunStatus.ACTIVE or is_trainer
    score = scoring.run_score(run) if show_score else None
    real_now = timezone.now()
    return render(request, "training/run.html", {
        "run": run, "scenario": run.scenario, "order": run.scenario.order,
        "order_category": category_label((run.scenario.order or {}).get("sub_category", "")),
        "sim_now": run.simulated_now(real_now), "notices": selectors.notices_newest_first(run),
        "score": score, "is_trainee": user.pk == run.trainee_id, "is_trainer": is_trainer,
        "is_active": run.status == RunStatus.ACTIVE, "inside": request.session.get(SESSION_KEY) == run.pk,
        "jumps": JUMPS, "speeds": speed_choices(),
    })


@login_required
@require_POST
def enter(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter the run: from now on the desk shows its case alone, on its clock."""
    run = _visible_run(request, pk)
    if run.case_id is None:
        messages.error(request, _("This run has no case."))
        return redirect("training:run", pk=run.pk)
    request.session[SESSION_KEY] = run.pk
    return redirect("ui:case-detail", pk=run.case_id)


@login_required
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Back to real work."""
    if request.session.pop(SESSION_KEY, None) is not None:
        messages.info(request, _("You have left the training run."))
    return redirect("training:home")


@login_required
@require_POST
def jump(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    form = JumpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how many hours to jump ahead."))
        return redirect("training:run", pk=run.pk)
    try:
        services.jump(run=run, hours=form.cleaned_data["hours"], actor=_user(request))
    except CaseError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The clock jumped %(hours)d h ahead.") % {"hours": form.cleaned_data["hours"]})
    return redirect("training:run", pk=run.pk)


@login_required
@require_POST
def speed(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the clock's speed (trainers: the service says so to anybody else)."""
    run = _visible_run(request, pk)
    form = SpeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a speed."))
        return redirect("training:run", pk=run.pk)
    try:
        services.set_speed(run=run, speed=form.cleaned_data["speed"], actor=_user(request))
    except CaseError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The clock now runs at ×%(speed)d.") % {"speed": form.cleaned_data["speed"]})
    return redirect("training:run", pk=run.pk)


@login_required
@require_POST
def finish(request: HttpRequest, pk: int) -> HttpResponse:
    """End the run and keep its score; the user leaves the run if they were in it."""
    run = _visible_run(request, pk)
    try:
        run = services.finish_run(run=run, actor=_user(request))
    except CaseError as error:
        messages.error(request, error.detail)
        return redirect("training:run", pk=run.pk)
    if request.session.get(SESSION_KEY) == run.pk:
        request.session.pop(SESSION_KEY)
    percent = run.score_percent
    messages.success(request, _("The run is finished. Score: %(percent)s%%.") % {
        "percent": "—" if percent is None else f"{percent:g}"})
    return redirect("training:run", pk=run.pk)


# --- trainers' pages ------------------------------------------------------------------------------------------


def _scenarios_page(request: HttpRequest, *, generate_form: GenerateForm | None = None,
                    from_case_form: FromCaseForm | None = None, status: int = 200) -> HttpResponse:
    items = [(scenario, selectors.trains(scenario)) for scenario in selectors.scenario_list()]
    return render(request, "training/scenarios.html", {
        "items": items, "generate_form": generate_form or GenerateForm(),
        "from_case_form": from_case_form or FromCaseForm(), "assign_form": AssignForm(),
    }, status=status)


@trainer_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    return _scenarios_page(request)


@trainer_required
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    """A scenario from the demo generator: the topic chosen (or drawn), the seed given (or drawn)."""
    form = GenerateForm(request.POST)
    if not form.is_valid():
        return _scenarios_page(request, generate_form=form, status=400)
    if not _outside_a_run(request):
        return redirect("training:scenarios")
    seed = form.cleaned_data["seed"]
    if seed is None:
        seed = secrets.randbelow(1_000_000)
    try:
        scenario = scenarios.generate(seed=seed, author=_user(request), topic=form.cleaned_data["topic"] or None)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("training:scenarios")
    messages.success(request, _("Scenario generated: %(title)s (seed %(seed)d).") % {
        "title": scenario.title, "seed": seed})
    return redirect("training:scenario", pk=scenario.pk)


@trainer_required
@require_POST
def from_case(request: HttpRequest) -> HttpResponse:
    """A scenario from a closed real case, the complainant's identity removed."""
    if not _outside_a_run(request):
        return redirect("training:scenarios")
    form = FromCaseForm(request.POST)
    if not form.is_valid():
        return _scenarios_page(request, from_case_form=form, status=400)
    case = form.cleaned_data["reference"]
    try:
        scenario = scenarios.from_case(case, author=_user(request))
    except ValueError as error:
        form.add_error("reference", str(error))
        return _scenarios_page(request, from_case_form=form, status=400)
    messages.success(request, _("Scenario made from case %(reference)s.") % {"reference": case.reference})
    return redirect("training:scenario", pk=scenario.pk)


@trainer_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a run of the scenario for each trainee chosen, assigned by the trainer."""
    scenario = get_object_or_404(Scenario, pk=pk)
    if not _outside_a_run(request):
        return redirect("training:scenarios")
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one or more trainees."))
        return _back(request, pk)
    started = []
    for trainee in form.cleaned_data["trainees"]:
        try:
            services.start_run(scenario=scenario, trainee=trainee, assigned_by=_user(request))
        except CaseError as error:
            messages.error(request, _("%(trainee)s: %(problem)s") % {"trainee": trainee, "problem": error.detail})
        else:
            started.append(str(trainee))
    if started:
        messages.success(request, _("“%(title)s” assigned to %(trainees)s.") % {
            "title": scenario.title, "trainees": "、".join(started)})
    return _back(request, pk)


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    """To the page the form was on: the scenario's own page or the list."""
    if request.POST.get("back") == "scenario":
        return redirect("training:scenario", pk=pk)
    return redirect("training:scenarios")


@trainer_required
@require_POST
def set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a scenario (no new runs; those under way go on) or put it back."""
    active = request.POST.get("active") == "1"
    scenario = get_object_or_404(Scenario, pk=pk)
    services.set_scenario_active(scenario=scenario, active=active, actor=_user(request))
    messages.success(request, _("The scenario is available again.") if active else _("The scenario is withdrawn."))
    return _back(request, pk)


@trainer_required
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario.objects.select_related("created_by", "based_on"), pk=pk)
    return render(request, "training/scenario.html", {
        "scenario": scenario, "order": scenario.order if isinstance(scenario.order, dict) else {},
        "order_category": category_label((scenario.order or {}).get("sub_category", "")),
        "expected": selectors.expected_lines(scenario), "script": selectors.script_lines(scenario),
        "trains": selectors.trains(scenario),
        "runs": scenario.runs.select_related("trainee", "assigned_by"), "assign_form": AssignForm(),
        "problems": scenarios.check_scenario(scenario.order, scenario.expected, scenario.script),
    })


@trainer_required
def overview(request: HttpRequest) -> HttpResponse:
    """Every trainee's runs, point by point, with each trainee's average and each point's pass rate."""
    data = selectors.overview(page_number=request.GET.get("page"))
    return render(request, "training/overview.html", {"overview": data, "page": data.page})
