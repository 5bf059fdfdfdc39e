"""The training pages through the views: who sees what, starting, assigning, entering and leaving a run, its clock,
finishing it, the trainers' pages (scenarios, overview) and the training bar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from ecohotline.cases.models import Case, CaseStatus, Channel
from ecohotline.factories import make_case
from ecohotline.org.models import Role
from ecohotline.training import services
from ecohotline.training.middleware import SESSION_KEY
from ecohotline.training.models import Run, RunStatus, Scenario, ScenarioSource
from ecohotline.training.tests.test_scripted_run import scenario as make_scenario

pytestmark = pytest.mark.django_db


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def checks(**outcomes: str) -> dict[str, Any]:
    keys = ("category", "remit", "first_contact", "measurement", "deadline", "reply", "appeal")
    return {"checks": [{"key": key, "outcome": outcomes.get(key, "passed"), "detail": {}} for key in keys]}


def finished_run(scenario: Scenario, trainee: Any, percent: float, **outcomes: str) -> Run:
    run = services.start_run(scenario=scenario, trainee=trainee)
    Run.objects.filter(pk=run.pk).update(status=RunStatus.FINISHED, score=checks(**outcomes), score_percent=percent)
    return Run.objects.get(pk=run.pk)


# --- permissions -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["training:scenarios", "training:overview"])
def test_a_handler_may_not_see_the_trainers_pages(client, org, name):
    client.force_login(org.handler)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(org.trainer)
    assert client.get(reverse(name)).status_code == 200


def test_anonymous_is_sent_to_log_in(client, org):
    response = client.get(reverse("training:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_run_is_seen_by_its_trainee_and_trainers_only(client, org):
    run = services.start_run(scenario=make_scenario(org), trainee=org.handler, assigned_by=org.trainer)
    url = reverse("training:run", args=[run.pk])
    client.force_login(org.other_handler)
    assert client.get(url).status_code == 404
    assert client.post(reverse("training:enter", args=[run.pk])).status_code == 404
    assert client.post(reverse("training:finish", args=[run.pk])).status_code == 404
    client.force_login(org.handler)
    page = client.get(url)
    assert page.status_code == 200 and "夜间噪声扰民" in page.content.decode()
    client.force_login(org.trainer)
    assert client.get(url).status_code == 200
    client.force_login(org.admin)
    assert client.get(url).status_code == 200


def test_the_scenario_page_is_for_trainers(client, org):
    scenario = make_scenario(org)
    client.force_login(org.handler)
    assert client.get(reverse("training:scenario", args=[scenario.pk])).status_code == 403
    assert client.post(reverse("training:assign", args=[scenario.pk]), {"trainees": [org.handler.pk]}).status_code \
        == 403
    assert not Run.objects.exists()
    client.force_login(org.trainer)
    text = client.get(reverse("training:scenario", args=[scenario.pk])).content.decode()
    # The script in words: the kinds and when each happens.
    assert "诉求人再次来电催办。" in text and "楼下KTV夜间噪声扰民" in text
    assert text.count('<li class="mb-1" data-kind=') == 4 and 'data-kind="measurement_in"' in text


# --- a trainee's run through the views ---------------------------------------------------------------------


def test_the_home_page_lists_my_runs_and_what_i_may_start(client, org):
    mine = services.start_run(scenario=make_scenario(org, title="我的情景"), trainee=org.handler)
    services.start_run(scenario=make_scenario(org, title="别人的情景"), trainee=org.other_handler)
    finished_run(make_scenario(org, title="做完的情景"), org.handler, 42.9)
    make_scenario(org, title="已撤下的情景", is_active=False)
    client.force_login(org.handler)
    text = client.get(reverse("training:home")).content.decode()
    assert "我的情景" in text and f'id="run-{mine.pk}"' in text and "42.9%" in text
    assert "别人的情景" in text  # a scenario anybody may start ...
    assert f'href="{reverse("training:run", args=[mine.pk + 1])}"' not in text  # ... but not their run
    assert "已撤下的情景" not in text
    assert 'id="trainer-links"' not in text and reverse("training:overview") not in text  # not for a handler
    client.force_login(org.trainer)
    assert reverse("training:overview") in client.get(reverse("training:home")).content.decode()


def test_start_enter_the_case_and_leave(client, org):
    scenario = make_scenario(org)
    client.force_login(org.handler)
    response = client.post(reverse("training:start", args=[scenario.pk]))
    run = Run.objects.get(trainee=org.handler)
    assert response.status_code == 302 and response.url == reverse("training:run", args=[run.pk])
    assert client.session[SESSION_KEY] == run.pk
    assert run.case.channel == Channel.TRAINING and run.assigned_by is None

    client.post(reverse("training:leave"))
    assert SESSION_KEY not in client.session
    page = client.get(reverse("training:home")).content.decode()
    assert 'id="training-bar"' not in page  # the bar only inside a run

    response = client.post(reverse("training:enter", args=[run.pk]))
    assert response.url == reverse("ui:case-detail", args=[run.case_id])
    case_page = client.get(response.url)
    text = case_page.content.decode()
    assert case_page.status_code == 200 and 'id="training-bar"' in text
    assert "夜间噪声扰民" in text and 'id="training-clock">2026-06-01 09:' in text and "(×1)" in text
    # Inside the run the desk acts on the training case, on the run's clock.
    response = client.post(reverse("ui:case-action", args=[run.case_id, "accept"]),
                           {"version": Case.all_objects.get(pk=run.case_id).version})
    assert response.status_code == 302
    case = Case.all_objects.get(pk=run.case_id)
    assert case.status == CaseStatus.IN_PROGRESS and case.accepted_at.year == 2026 and case.accepted_at.month == 6
    # Real pages send a trainee back to the run.
    assert client.get(reverse("ui:dashboard")).url == reverse("training:run", args=[run.pk])

    response = client.post(reverse("training:leave"))
    assert response.url == reverse("training:home") and SESSION_KEY not in client.session
    assert 'id="training-bar"' not in client.get(reverse("ui:case-list")).content.decode()
    assert client.get(reverse("ui:case-detail", args=[run.case_id])).status_code == 404  # outside: no such case


def test_jump_plays_the_script_and_finish_keeps_the_score(client, org):
    run = services.start_run(scenario=make_scenario(org), trainee=org.handler, assigned_by=org.trainer)
    client.force_login(org.handler)
    url = reverse("training:run", args=[run.pk])
    response = client.post(reverse("training:jump", args=[run.pk]), {"hours": "4"})
    assert response.url == url
    run.refresh_from_db()
    assert run.simulated_now() >= run.sim_started_at + dt.timedelta(hours=4)
    text = client.get(url).content.decode()
    assert "诉求人再次来电催办。" in text  # the repeat call, 3 hours in
    assert 'id="point-category"' not in text and '<html lang="zh-hans">' in text  # no score before the end

    response = client.post(reverse("training:jump", args=[run.pk]), {"hours": "100000"})
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("0" in m and "720" in m for m in messages)  # the service's bounds

    client.post(reverse("training:finish", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED and run.score_percent == round(100 / 7, 1)
    text = client.get(url).content.decode()
    assert "14.3%" in text and 'data-outcome="failed"' in text and 'id="finish-run"' not in text
    response = client.post(reverse("training:finish", args=[run.pk]), follow=True)
    assert zh("This training run is finished.") in response.content.decode()


def test_the_run_page_is_in_english_for_an_english_reader(client, org):
    org.handler.language = "en"
    org.handler.save(update_fields=["language"])
    run = services.start_run(scenario=make_scenario(org), trainee=org.handler)
    client.force_login(org.handler)
    client.post(reverse("training:jump", args=[run.pk]), {"hours": "24"})
    text = client.get(reverse("training:run", args=[run.pk])).content.decode()
    assert "Open the case" in text and "Simulated clock" in text and "Jump ahead" in text
    assert "shows when you finish the run" in text  # the standing score would give the answers away
    assert "Read the description" not in text
    org.trainer.language = "en"
    org.trainer.save(update_fields=["language"])
    client.force_login(org.trainer)  # a trainer looking in sees it as it stands
    text = client.get(reverse("training:run", args=[run.pk])).content.decode()
    assert "Read the description, not the hotline&#x27;s label." in text  # the category point's feedback


def test_only_a_trainer_sets_the_speed_and_within_range(client, org):
    run = services.start_run(scenario=make_scenario(org), trainee=org.handler)
    url = reverse("training:speed", args=[run.pk])
    client.force_login(org.handler)
    assert 'id="speed-form"' not in client.get(reverse("training:run", args=[run.pk])).content.decode()
    response = client.post(url, {"speed": "60"}, follow=True)
    assert zh("Only trainers set the clock's speed.").replace("'", "&#x27;") in response.content.decode()
    run.refresh_from_db()
    assert run.speed == 1
    client.force_login(org.trainer)
    response = client.post(url, {"speed": "5000"}, follow=True)
    assert "1440" in response.content.decode()
    run.refresh_from_db()
    assert run.speed == 1
    response = client.post(url, {"speed": "nonsense"}, follow=True)
    assert response.status_code == 200
    client.post(url, {"speed": "60"})
    run.refresh_from_db()
    assert run.speed == 60


# --- trainers' pages ---------------------------------------------------------------------------------------


def test_a_trainer_assigns_a_scenario_to_two_trainees(client, org):
    scenario = make_scenario(org)
    client.force_login(org.trainer)
    page = client.get(reverse("training:scenarios")).content.decode()
    assert scenario.title in page and f'id="scenario-{scenario.pk}"' in page
    response = client.post(reverse("training:assign", args=[scenario.pk]),
                           {"trainees": [org.handler.pk, org.other_handler.pk]})
    assert response.url == reverse("training:scenarios")
    runs = Run.objects.filter(scenario=scenario)
    assert {run.trainee for run in runs} == {org.handler, org.other_handler}
    assert all(run.assigned_by == org.trainer for run in runs)
    response = client.post(reverse("training:assign", args=[scenario.pk]), {"trainees": []}, follow=True)
    assert Run.objects.count() == 2 and response.status_code == 200


def test_withdraw_and_reactivate(client, org):
    scenario = make_scenario(org)
    client.force_login(org.trainer)
    client.post(reverse("training:set-active", args=[scenario.pk]), {"active": "0"})
    scenario.refresh_from_db()
    assert not scenario.is_active
    client.force_login(org.handler)
    response = client.post(reverse("training:start", args=[scenario.pk]), follow=True)
    assert not Run.objects.exists() and zh("This scenario is withdrawn.") in response.content.decode()
    client.force_login(org.trainer)
    client.post(reverse("training:set-active", args=[scenario.pk]), {"active": "1"})
    scenario.refresh_from_db()
    assert scenario.is_active


def test_generate_a_scenario(client, org):
    client.force_login(org.trainer)
    response = client.post(reverse("training:generate"), {"topic": "air.catering_fumes", "seed": "7"})
    scenario = Scenario.objects.get()
    assert response.url == reverse("training:scenario", args=[scenario.pk])
    assert scenario.source == ScenarioSource.DEMO and scenario.expected["sub_category"] == "air.catering_fumes"
    assert scenario.created_by == org.trainer
    response = client.post(reverse("training:generate"), {"topic": "no.such.topic"})
    assert response.status_code == 400 and Scenario.objects.count() == 1


def test_a_scenario_from_a_closed_case_and_errors_for_bad_references(client, org):
    closed = make_case(street=org.street, complainant_name="张三丰", complainant_phone="13812345678",
                       title="餐馆油烟扰民", sub_category="air.catering_fumes")
    Case.all_objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    open_case = make_case(street=org.street, title="工地夜间施工噪声", external_id="2026112200999")
    run = services.start_run(scenario=make_scenario(org), trainee=org.handler)
    client.force_login(org.trainer)
    url = reverse("training:from-case")

    response = client.post(url, {"reference": "EH-999999"})
    assert response.status_code == 400 and "EH-999999" in response.content.decode()
    response = client.post(url, {"reference": "2026112200999"})
    assert response.status_code == 400 and open_case.reference in response.content.decode()
    response = client.post(url, {"reference": run.case.reference})  # a training case is no real case
    assert response.status_code == 400 and not Scenario.objects.filter(source=ScenarioSource.CASE).exists()

    response = client.post(url, {"reference": f"eh-{closed.pk}"})
    scenario = Scenario.objects.get(source=ScenarioSource.CASE)
    assert response.url == reverse("training:scenario", args=[scenario.pk])
    assert scenario.based_on == closed and "张三丰" not in str(scenario.order)


def test_the_overview_numbers_for_two_trainees(client, org, django_assert_max_num_queries):
    first, second = make_scenario(org, title="情景一", script=[]), make_scenario(org, title="情景二", script=[])
    finished_run(first, org.handler, 100.0)
    finished_run(second, org.handler, 71.4, first_contact="failed", appeal="failed")
    finished_run(first, org.other_handler, 42.9, category="failed", remit="failed", first_contact="failed",
                 measurement="failed")
    active = services.start_run(scenario=second, trainee=org.other_handler)
    client.force_login(org.trainer)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("training:overview"))
    text = response.content.decode()
    assert response.status_code == 200
    overview = response.context["overview"]
    averages = {summary.trainee.username: summary.average for summary in overview.trainees}
    assert averages == {"handler": 85.7, "handler2": 42.9}  # (100 + 71.4) / 2 and 42.9
    rates = {key: rate for key, rate, _counted in overview.pass_rates}
    assert rates == {"category": 66.7, "remit": 66.7, "first_contact": 33.3, "measurement": 66.7,
                     "deadline": 100.0, "reply": 100.0, "appeal": 66.7}
    row = next(row for summary in overview.trainees for row in summary.rows if row.run.pk == active.pk)
    assert row.standing and row.percent == 0.0  # the active run's standing score: the category is wrong so far
    assert 'data-average="handler"' in text and "85.7%" in text and "33.3%" in text
    assert text.count("✓") >= 5 and "✗" in text and "…" in text


def test_a_trainer_role_is_enough(client, org):
    from ecohotline.factories import UserFactory

    trainer = UserFactory(username="coach", unit=org.bureau, roles=[Role.TRAINER])
    client.force_login(trainer)
    assert client.get(reverse("training:scenarios")).status_code == 200
    assert reverse("training:home") in client.get(reverse("training:home")).content.decode()


# --- the admin ---------------------------------------------------------------------------------------------


def test_the_admin_form_shows_each_problem_under_its_field(org):
    from ecohotline.training.forms import ScenarioAdminForm

    base = make_scenario(org)
    data = {"title": "坏情景", "briefing": "", "source": "manual", "is_active": "on",
            "order": '{"description": ""}', "expected": '{"sub_category": "noise.social", "remit": "maybe"}',
            "script": '[{"kind": "visit", "satisfaction": "angry"}]'}
    form = ScenarioAdminForm(data=data, instance=base)
    assert not form.is_valid()
    assert any("order.description" in error for error in form.errors["order"])
    assert any("expected.remit" in error for error in form.errors["expected"])
    assert any("script[0].satisfaction" in error for error in form.errors["script"])
    form = ScenarioAdminForm(data={**data, "order": "{not json"}, instance=base)
    assert not form.is_valid() and "order" in form.errors and "expected" in form.errors


def test_the_admin_lists_scenarios_and_runs(client, org):
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save(update_fields=["is_staff", "is_superuser"])
    run = services.start_run(scenario=make_scenario(org), trainee=org.handler)
    client.force_login(org.admin)
    assert client.get(reverse("admin:training_scenario_changelist")).status_code == 200
    assert client.get(reverse("admin:training_scenario_change", args=[run.scenario_id])).status_code == 200
    assert client.get(reverse("admin:training_run_changelist")).status_code == 200
    assert client.get(reverse("admin:training_run_change", args=[run.pk])).status_code == 200
    assert client.get(reverse("admin:training_run_add")).status_code == 403
