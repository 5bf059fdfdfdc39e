"""In a real browser (Debian's Chromium driven by Playwright): a member of staff logs in to the demo district
and sees the case list and a case page, in Chinese and in English. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.db import connections

from ecohotline.cases.models import Case

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"

# serialized_rollback: the deadline policies and categories that migrations load survive each test's flush.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

if not Path(CHROMIUM).exists():
    if os.environ.get("ECOHOTLINE_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"Chromium is required for the browser tests but {CHROMIUM} is missing")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class Server:
    def __init__(self, url: str) -> None:
        self.url = url


@pytest.fixture
def server(transactional_db: None) -> Iterator[Server]:
    """A live server of this test only: its thread closes its database connections when it stops, so the
    PostgreSQL test database can be dropped afterwards (pytest-django's session-wide one keeps them open)."""
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield Server(f"http://127.0.0.1:{thread.port}")
    thread.terminate()


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()
    # The database flush after each test also runs while Playwright is up, on connections of that context:
    # close them so that the PostgreSQL test database can be dropped. Hence the tests ask for `browser`
    # before `server`: this teardown then runs last.
    connections.close_all()


@pytest.mark.parametrize(("language", "width"), [("zh-hans", 1280), ("en", 1280), ("zh-hans", 375)])
def test_staff_log_in_and_see_the_demo_case_list(browser, server, language: str, width: int) -> None:
    try:
        call_command("demo-data", cases=80, seed=7, end="2026-11-20", verbosity=0)
        assert not Case.objects.filter(policy__isnull=True).exists()  # every demo case has its deadlines
        page = browser.new_page(  # type: ignore[attr-defined]
            viewport={"width": width, "height": 900}, locale=language)
        page.goto(f"{server.url}/cases/?lang={'en' if language == 'en' else 'zh-hans'}")
        assert "/login/" in page.url
        page.fill("#id_username", "dispatcher")
        page.fill("#id_password", "ecohotline-demo")
        page.click("main form button[type=submit]")
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
