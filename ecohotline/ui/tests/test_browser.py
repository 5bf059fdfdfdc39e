"""In a real browser (Debian's Chromium driven by Playwright): a member of staff logs in to the demo district
and sees the case list and a case page, in Chinese and in English. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from ecohotline.cases.models import Case
from ecohotline.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"

# serialized_rollback: the deadline policies and categories that migrations load survive each test's flush.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]



@pytest.mark.parametrize(("language", "width"), [("zh-hans", 1280), ("en", 1280), ("zh-hans", 375)])
def test_staff_log_in_and_see_the_demo_case_list(browser, live_site, language: str, width: int) -> None:
    try:
        call_command("demo-data", cases=80, seed=7, end="2026-11-20", verbosity=0)
        assert not Case.objects.filter(policy__isnull=True).exists()  # every demo case has its deadlines
        page = browser.new_page(  # type: ignore[attr-defined]
            viewport={"width": width, "height": 900}, locale=language)
        page.goto(f"{live_site}/cases/?lang={'en' if language == 'en' else 'zh-hans'}")
        assert "/login/" in page.url
        sign_in(page, "dispatcher", "ecohotline-demo")
        page.wait_for_url("**/cases/**")
        rows = page.locator("table tbody tr")
        assert rows.count() == 50  # one full page of the 80 demo cases
        heading = page.locator("h1").inner_text()
        assert heading == ("Cases" if language == "en" else "案件")
        assert page.locator("html").get_attribute("lang") == language
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"case-list-{language}-{width}.png"), full_page=False)

        newest = Case.objects.order_by("-received_at", "-pk").first()
        assert newest is not None
        rows.first.locator("a").click()
        page.wait_for_url(f"**/cases/{newest.pk}/")
        assert newest.reference in page.locator("h1").inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"case-page-{language}-{width}.png"), full_page=True)
    finally:
        # This body runs while Playwright's event loop is up, on database connections of that context.
        connections.close_all()
