"""One training scenario end to end in a real browser (Debian's Chromium driven by Playwright): a trainer assigns a
scenario to a handler; the handler opens the run from 培训, handles its case on the normal desk (corrects the
category, accepts, reaches the complainant, inspects), jumps the run's clock until the readings come in, records
them through the desk's measurement form, orders a rectification, replies, finishes the run and reads the score;
the trainer sees the run in the overview.

Each main step is saved to artifacts/screenshots/training-<step>.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from ecohotline.cases.models import Case, CaseStatus
from ecohotline.conftest import act, sign_in
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import UserFactory
from ecohotline.org.models import Role
from ecohotline.training.models import Run, RunStatus, Scenario

SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=BEIJING)

# serialized_rollback: the categories, deadline policies and reply templates that migrations load survive the flush.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def make_scenario(org: Any, trainer: Any) -> Scenario:
    """Night-time KTV noise the hotline labelled as construction noise: ours, a noise measurement over the limit,
    no appeal. The complainant calls again 3 hours in; the readings come an hour after the inspection; the return
    visit comes a day after the reply."""
    return Scenario.objects.create(
        title="夜间KTV噪声扰民（浏览器演练）", starts_at=START, created_by=trainer,
        briefing="12345派来一张噪声工单，请按平时的办法办理。",
        order={"title": "楼下KTV夜间噪声扰民", "description": "来电人反映：小区楼下KTV每天夜里唱歌声音很大，影响休息。",
               "address": "北京市海淀区某社区3号楼", "street": org.street.code, "community": "某社区",
               "latitude": 39.96, "longitude": 116.31, "polluter": "某KTV", "sub_category": "noise.construction",
               "channel": "hotline_12345", "complainant_name": "李明", "complainant_phone": "13800001111"},
        expected={"sub_category": "noise.social", "remit": "ours", "measurement": {"kind": "noise", "exceeds": True},
                  "appeal": None},
        script=[
            {"kind": "call_again", "at_hours": 3, "text": "诉求人再次来电催办。"},
            {"kind": "measurement_in", "after": "record_inspection", "delay_hours": 1, "kind_of": "noise",
             "values": {"standard": "GB22337", "zone": "2", "leq_db": 65}},
            {"kind": "visit", "after": "reply", "delay_hours": 24, "satisfaction": "dissatisfied", "solved": False,
             "contacted": True},
        ],
    )


class Desk:
    """One person in the browser: a logged-in context and its page."""

    def __init__(self, browser: Any, url: str, username: str) -> None:
        self.url = url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.goto(f"{url}/login/?lang=zh-hans")
        sign_in(self.page, username)
        self.page.wait_for_url("**/inbox/")

    def go(self, path: str) -> Any:
        self.page.goto(f"{self.url}{path}")
        return self.page

    def shoot(self, step: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"training-{step}.png"), full_page=True)


def submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def test_a_training_scenario_end_to_end(browser, live_site, org):
    try:
        walk(browser, live_site, org)
    finally:
        # This body runs while Playwright's event loop is up, on database connections of that context.
        connections.close_all()


def walk(browser: Any, server: str, org: Any) -> None:
    trainer = UserFactory(username="coach", display_name="周培训", unit=org.bureau, roles=[Role.TRAINER])
    scenario = make_scenario(org, trainer)

    # --- the trainer assigns the scenario to the handler --------------------------------------------------
    coach = Desk(browser, server, "coach")
    page = coach.go("/training/scenarios/")
    row = page.locator(f"#scenario-{scenario.pk}")
    assert scenario.title in row.inner_text()
    row.locator("select[name=trainees]").select_option(str(org.handler.pk))
    coach.shoot("01-trainer-assigns")
    with page.expect_navigation():
        row.locator(".assign-form button").click()
    assert page.locator("main .alert-success").count() == 1
    run = Run.objects.get(scenario=scenario, trainee=org.handler)
    assert run.assigned_by == trainer
    coach.shoot("02-assigned")

    # --- the handler opens the run from 培训 and enters its case ------------------------------------------
    desk = Desk(browser, server, "handler")
    page = desk.page
    submit(page, "#nav-training")
    assert page.locator(f"#active-runs #run-{run.pk}").count() == 1
    desk.shoot("03-handler-training-home")
    submit(page, f"#active-runs #run-{run.pk} a")
    assert page.locator("#briefing").count() == 1 and page.locator("#training-bar").count() == 0
    desk.shoot("04-run-page")
    submit(page, "#enter-run")
    assert page.url.endswith(f"/cases/{run.case_id}/")
    bar = page.locator("#training-bar")
    assert scenario.title in bar.inner_text() and "2026-06-01 09:" in bar.inner_text()
    # The case page's fragments (htmx) load too; one of a page that is closed inside a run must not bring the
    # run's page into the case page.
    page.wait_for_load_state("networkidle")
    assert page.locator("#training-bar").count() == 1
    desk.shoot("05-training-case")

    # --- the normal desk: category, accept, contact, inspection -----------------------------------------
    act(page, "set_category", lambda panel: panel.locator("[name=sub_category]").select_option("noise.social"))
    act(page, "accept", lambda panel: None)

    def reached(panel: Any) -> None:
        panel.locator("[name=reached]").select_option("true")
        panel.locator("[name=summary]").fill("已联系李明，约定今晚到现场核查。")

    def inspection(panel: Any) -> None:
        panel.locator("[name=findings]").fill("现场核查：楼下KTV夜间营业，音响声较大，未采取隔声措施。")
        panel.locator("[name=people]").fill("执法一中队 刘强、陈静")

    act(page, "record_contact", reached)
    act(page, "record_inspection", inspection)
    case = Case.all_objects.get(pk=run.case_id)
    assert case.status == CaseStatus.IN_PROGRESS and case.sub_category == "noise.social"
    assert case.first_contact_at is not None and case.first_contact_at.astimezone(BEIJING).date() == START.date()
    desk.shoot("06-case-inspected")

    # --- the run page: jump the clock, the readings come in ---------------------------------------------
    submit(page, "#training-bar a.btn")
    assert page.locator('#notices [data-kind="measurement_in"]').count() == 0
    submit(page, "#run-actions [data-jump='1']")
    notice = page.locator('#notices [data-kind="measurement_in"]')
    assert notice.count() == 1 and "65" in notice.inner_text()
    desk.shoot("07-readings-in")

    # --- the readings recorded through the desk's measurement form, a rectification, the reply -----------
    submit(page, "#enter-run")

    def noise(panel: Any) -> None:
        assert panel.locator("[name=kind]").input_value() == "noise"
        panel.locator("[name='values.standard']").select_option("GB22337")
        panel.locator("[name='values.existing_railway']").wait_for(state="detached")
        panel.locator("[name='values.zone']").select_option("2")
        panel.locator("[name='values.leq_db']").fill("65")
        panel.locator("[name='values.point']").fill("敏感点窗外1米")
        panel.locator("#measurement-verdict [data-verdict=exceeds]").wait_for()
        desk.shoot("08-measurement-form")

    act(page, "record_measurement", noise)
    act(page, "add_rectification", lambda panel: panel.locator("[name=requirement]").fill(
        "责令该KTV加装隔声设施，夜间降低音量。"))

    page.locator("#action-reply summary").click()
    page.wait_for_selector("#reply-text")
    text = str(page.input_value("#reply-text"))
    for name, words in {"核查结论": "属实", "整改措施": "责令该KTV加装隔声设施并降低夜间音量。",
                        "办理结果": "经复查，该KTV已整改到位，夜间噪声达标。", "联系电话": "62345678"}.items():
        text = re.sub(rf"【待填写：{name}[^】]*】", words, text)
    if "【待填写" in text or not text.strip():
        text = ("您好！关于您反映的噪声问题，我局执法人员到现场核查，情况属实，经监测超标，已责令该商户整改，"
                "目前已整改到位，我局将复查。联系电话：62345678。")
    page.fill("#reply-text", text)
    page.locator("#reply-draft button[hx-post]").click()
    page.wait_for_selector("[data-reply-check] .text-success")
    desk.shoot("09-reply")
    with page.expect_navigation():
        page.locator("#action-reply button[type=submit]").click()
    assert page.locator("main .alert-success").count() == 1
    assert Case.all_objects.get(pk=run.case_id).status == CaseStatus.REPLIED
    desk.shoot("10-case-replied")

    # --- finish the run and read the score -------------------------------------------------------------
    submit(page, "#training-bar a.btn")
    page.once("dialog", lambda dialog: dialog.accept())
    submit(page, "#finish-run")
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    outcomes = {item["key"]: item["outcome"] for item in run.score["checks"]}
    assert outcomes == {"category": "passed", "remit": "passed", "first_contact": "passed",
                        "measurement": "passed", "deadline": "passed", "reply": "passed", "appeal": "passed"}
    assert page.locator("#score-percent").inner_text().strip() == "100%"
    assert page.locator("#score [data-outcome=passed]").count() == 7
    assert page.locator("#point-measurement td.small").inner_text().strip()  # each point has its feedback
    assert page.locator("#training-bar").count() == 0  # finishing leaves the run
    desk.shoot("11-score")

    # --- the trainer's overview -------------------------------------------------------------------------
    page = coach.go("/training/overview/")
    line = page.locator(f"#overview-table tr[data-run='{run.pk}']")
    assert line.count() == 1 and "100%" in line.inner_text() and line.locator("[data-outcome=passed]").count() == 7
    assert "100%" in page.locator("#overview-table tr[data-average='handler']").inner_text()
    coach.shoot("12-trainer-overview")
    for person in (coach, desk):
        person.context.close()

