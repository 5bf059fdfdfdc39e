"""Filing a complaint on the public page: it becomes a web-channel case in the dispatchers' inbox."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecohotline.cases import inbox
from ecohotline.cases.models import Attachment, Case, Category, Channel
from ecohotline.intake.models import OrderRecord, ReceivedVia
from ecohotline.public.forms import MAX_PHOTO_BYTES, MAX_REQUEST_BYTES, issue_form_token
from ecohotline.public.models import PublicReport
from ecohotline.public.tests.conftest import REPORT_URL, photo, report_data

pytestmark = pytest.mark.django_db


def nothing_filed() -> bool:
    return not (Case.objects.exists() or PublicReport.objects.exists() or Attachment.objects.exists())


def test_landing_page_offers_to_report_or_to_follow_up(client, org) -> None:
    response = client.get("/public/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'href="/public/report/"' in text and 'href="/public/track/"' in text
    assert org.bureau.name in text  # the bureau's own name in the header
    assert "/cases/" not in text  # no staff navigation


def test_the_form_lists_the_active_categories_in_the_page_language(english) -> None:
    Category.objects.filter(code="noise.traffic").update(is_active=False)
    en = english.get(REPORT_URL).content.decode()
    assert "Social-life noise" in en and 'label="Noise"' in en
    assert "Traffic noise" not in en  # inactive
    assert 'value="soil"' in en  # a family without sub-categories is a choice of its own
    assert "Report a problem" in en


def test_the_form_is_in_chinese_by_default(client) -> None:
    text = client.get(REPORT_URL).content.decode()
    assert "社会生活噪声" in text and 'lang="zh-hans"' in text
    assert 'enctype="multipart/form-data"' in text and "csrfmiddlewaretoken" in text
    assert "<script>" not in text  # no inline scripts: only <script src=...>


def test_an_anonymous_report_lands_in_the_dispatchers_inbox_as_a_web_order(client, org, post_report) -> None:
    response = post_report()
    assert response.status_code == 302 and response.url == "/public/report/done/"
    filed = PublicReport.objects.get()
    case = filed.case
    assert case.channel == Channel.WEB
    assert case.complainant_anonymous and case.complainant_phone == "" and case.complainant_name == ""
    assert case.sub_category == "noise.social" and case.category_confirmed
    assert case.street == org.street  # triage placed the address (中关村)
    assert case.reply_due_at is not None
    record = OrderRecord.objects.get(case=case)
    assert record.received_via == ReceivedVia.WEB and record.channel == Channel.WEB
    assert filed.tracking_number not in record.external_id
    assert case in inbox.new_and_returned(org.dispatcher)

    receipt = client.get(response.url)
    text = receipt.content.decode()
    shown = filed.tracking_number
    assert f"{shown[:4]}-{shown[4:8]}-{shown[8:]}" in text
    assert case.reference not in text


def test_a_report_with_photos_and_contact_details(client, org, post_report) -> None:
    response = post_report(name="张三", phone="138 0013 8000", consent="on",
                           photos=[photo("a.png"), photo("b.jpg", "JPEG"), photo("c.webp", "WEBP")])
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.complainant_name == "张三" and case.complainant_phone == "13800138000"
    assert not case.complainant_anonymous
    assert PublicReport.objects.get().consent_to_contact
    attachments = list(Attachment.objects.filter(case=case).order_by("pk"))
    assert [a.original_name for a in attachments] == ["a.png", "b.jpg", "c.webp"]
    assert all(a.file.size > 0 and a.created_by is None for a in attachments)


def test_a_point_picked_on_the_map_places_a_report_without_an_address(client, org, post_report) -> None:
    # 中关村 in GCJ-02 (the map's system); stored in WGS-84.
    response = post_report(address="", longitude="116.3160", latitude="39.9840")
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.longitude is not None and abs(case.longitude - 116.3160) > 1e-4  # converted to WGS-84
    assert abs(case.latitude - 39.9840) < 0.01


def test_without_an_address_or_a_point_nothing_is_filed(english, post_report) -> None:
    response = post_report(address="")
    assert response.status_code == 400
    assert "Enter the address or pick the place on the map." in response.content.decode()
    assert nothing_filed()


def test_a_point_outside_beijing_is_refused(english, post_report) -> None:
    response = post_report(address="", longitude="121.47", latitude="31.23")
    assert response.status_code == 400
    assert "outside Beijing" in response.content.decode()
    assert nothing_filed()


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("evil.jpg", b"<script>alert(1)</script>", content_type="image/jpeg"),
     "evil.jpg is not a photo"),
    # The right first bytes (what a sniffer looks at) but no image behind them.
    (SimpleUploadedFile("fake.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png"),
     "fake.png is not a photo"),
    (photo("anim.gif", "GIF"), "anim.gif is not a photo"),
])
def test_a_file_that_is_not_a_jpeg_png_or_webp_photo_is_refused(english, org, post_report, upload, message) -> None:
    response = post_report(photos=[photo("good.png"), upload])
    assert response.status_code == 400
    assert message in response.content.decode()
    assert nothing_filed()


def test_at_most_four_photos(english, org, post_report) -> None:
    response = post_report(photos=[photo(f"{n}.png") for n in range(5)])
    assert response.status_code == 400
    assert "At most 4 photos" in response.content.decode()
    assert nothing_filed()


def test_a_photo_over_five_megabytes_is_refused(english, org, post_report) -> None:
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_PHOTO_BYTES, content_type="image/png")
    response = post_report(photos=[big])
    assert response.status_code == 400
    assert "big.png is larger than 5 MB" in response.content.decode()
    assert nothing_filed()


def test_a_request_larger_than_the_limit_is_refused_before_it_is_read(english, org) -> None:
    response = english.post(REPORT_URL, report_data(), CONTENT_LENGTH=str(MAX_REQUEST_BYTES + 1))
    assert response.status_code == 413
    assert "The report is too large" in response.content.decode()
    assert nothing_filed()


def test_a_description_too_long_is_refused(english, post_report) -> None:
    response = post_report(description="吵" * 2001)
    assert response.status_code == 400
    assert nothing_filed()


def test_a_phone_number_needs_the_consent_to_be_contacted(english, post_report) -> None:
    response = post_report(phone="13800138000")
    assert response.status_code == 400
    assert "Tick this box so that we may call you" in response.content.decode()
    assert nothing_filed()


def test_a_malformed_phone_number_is_refused(english, post_report) -> None:
    response = post_report(phone="12ab", consent="on")
    assert response.status_code == 400
    assert "Enter a mobile number" in response.content.decode()
    assert nothing_filed()


def test_the_honeypot_filled_in_files_nothing(english, post_report) -> None:
    response = post_report(website="http://spam.example")
    assert response.status_code == 400
    assert "This report cannot be accepted." in response.content.decode()
    assert nothing_filed()


def test_a_form_sent_too_fast_files_nothing(english, post_report) -> None:
    response = post_report(token=issue_form_token())
    assert response.status_code == 400
    assert "sent too quickly" in response.content.decode()
    assert nothing_filed()


@pytest.mark.parametrize("token", ["forged", issue_form_token(now=time.time() - 13 * 3600)])
def test_a_forged_or_stale_form_files_nothing_and_gets_a_fresh_token(english, post_report, token) -> None:
    response = post_report(token=token)
    assert response.status_code == 400
    assert nothing_filed()
    assert token not in response.content.decode()  # the form comes back with a new one


def test_the_same_form_sent_twice_files_one_case(client, org, post_report) -> None:
    data = report_data()
    first = client.post(REPORT_URL, data)
    second = client.post(REPORT_URL, data)
    assert first.status_code == second.status_code == 302
    assert Case.objects.count() == 1 and PublicReport.objects.count() == 1


def test_hostile_text_is_shown_escaped(english, org, post_report) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = post_report(description=hostile, address=hostile, name=hostile, phone="bad", consent="on")
    text = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


def test_the_english_page_after_choosing_english(client) -> None:
    response = client.get(REPORT_URL + "?lang=en")
    text = response.content.decode()
    assert response.status_code == 200 and 'lang="en"' in text
    assert "Send the report" in text and "Contact details (optional)" in text
    # …and it stays English on the next page (the cookie).
    assert 'lang="en"' in client.get("/public/track/").content.decode()


def test_the_receipt_without_a_report_goes_back_to_the_start(client) -> None:
    response = client.get("/public/report/done/")
    assert response.status_code == 302 and response.url == "/public/"
