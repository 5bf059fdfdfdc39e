"""In a real browser on a phone-sized screen (Debian's Chromium driven by Playwright): a citizen files a
complaint (category, a place picked on the map, the text, a photo), reads the tracking number off the receipt,
then looks the report up and sees its status; in Chinese and in English. Screenshots go to /tmp/shots/."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.db import connections
from PIL import Image

from ecohotline.cases.models import Attachment, Channel
from ecohotline.public import forms
from ecohotline.public.models import PublicReport

SHOTS = Path(os.environ.get("ECOHOTLINE_SHOTS", "/tmp/shots"))

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_citizen_files_a_complaint_on_a_phone_and_follows_it_up(browser, live_site, org, monkeypatch,
                                                                  tmp_path, settings, language: str) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(forms, "MIN_FILL_SECONDS", 0)  # Playwright types faster than a person
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page = browser.new_page(  # type: ignore[attr-defined]
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True,
            locale=language)
        errors: list[str] = []  # script errors, and files the pages asked for and did not get
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda response: errors.append(response.url)
                if response.status >= 400 and "favicon" not in response.url else None)
        page.goto(f"{live_site}/public/?lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        page.screenshot(path=str(SHOTS / f"public-landing-{language}.png"))
        page.click("#choose-report")
        page.wait_for_url("**/public/report/")

        # Sent empty: the form comes back with the errors marked, nothing filed.
        page.click("#report-submit")
        page.wait_for_selector("#form-errors")
        assert page.locator(".is-invalid").count() >= 2
        page.screenshot(path=str(SHOTS / f"public-errors-{language}.png"), full_page=False)
        assert not PublicReport.objects.exists()
        errors.clear()  # the refused form's 400

        page.select_option("#id_sub_category", "noise.construction")
        page.fill("#id_description", "工地夜间施工，电锯声音一直持续到凌晨一点。")
        # The map shows on the phone; a tap on it picks the place.
        page.wait_for_selector("#place-map canvas")
        box = page.locator("#place-map").bounding_box()
        assert box is not None and box["width"] > 300
        page.locator("#place-map").scroll_into_view_if_needed()
        page.locator("#place-map").tap(position={"x": box["width"] / 2, "y": box["height"] / 2})
        page.wait_for_function("document.querySelector('#id_longitude').value !== ''")
        assert not page.locator("#place-chosen").is_hidden()
        page.set_input_files("#id_photos", files=[{"name": "site.png", "mimeType": "image/png", "buffer": png()}])
        page.screenshot(path=str(SHOTS / f"public-report-{language}.png"), full_page=True)
        page.click("#report-submit")

        page.wait_for_url("**/public/report/done/")
        number = page.locator("#tracking-number").inner_text().strip()
        page.screenshot(path=str(SHOTS / f"public-receipt-{language}.png"), full_page=True)
        filed = PublicReport.objects.select_related("case").get()
        assert number.replace("-", "") == filed.tracking_number
        case = filed.case
        assert case.channel == Channel.WEB and case.sub_category == "noise.construction"
        assert case.longitude is not None and case.latitude is not None and case.complainant_anonymous
        assert Attachment.objects.filter(case=case).count() == 1

        page.click("#go-track")
        page.wait_for_url("**/public/track/")
        page.fill("#id_tracking_number", number.lower())
        page.click("#track-submit")
        page.wait_for_selector("#track-result")
        assert page.locator("#track-stage").get_attribute("data-stage") == "received"
        assert page.locator("#track-due").inner_text().strip() != ""
        page.screenshot(path=str(SHOTS / f"public-track-{language}.png"), full_page=True)
        assert not errors, errors
    finally:
        connections.close_all()
