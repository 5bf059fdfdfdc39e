"""In a real browser: the case page loads the fragment of what the case sent out, with a failing hotline feedback.
Screenshots go to /tmp/shots/hooks-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connections

from ecohotline.cases import services
from ecohotline.conftest import sign_in
from ecohotline.hooks.tests.conftest import hotline_order
from ecohotline.notify import outbox

SHOTS = Path("/tmp/shots")

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_case_page_shows_the_failing_feedback(browser, live_site, org, source, receiver, language):
    try:
        receiver.default = (503, b"the platform is under maintenance")
        case = hotline_order(org)
        services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
        services.accept_case(actor=org.handler, case=case)
        services.reply_to_complainant(actor=org.handler, case=case, text="已责令整改。", final=True)
        outbox.deliver_due()
        org.handler.set_password("pw-1234-word")
        org.handler.save()
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale=language)
        page.goto(f"{live_site}/cases/{case.pk}/?lang={language}")
        sign_in(page, "handler", "pw-1234-word")
        page.wait_for_url(f"**/cases/{case.pk}/**")
        fragment = page.locator("#case-outgoing")
        fragment.wait_for()
        assert "HTTP 503: the platform is under maintenance" in fragment.inner_text()
        assert fragment.locator("[data-status=pending] .badge.bg-warning").count() == 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        fragment.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"hooks-case-page-{language}.png"), full_page=True)
    finally:
        connections.close_all()
