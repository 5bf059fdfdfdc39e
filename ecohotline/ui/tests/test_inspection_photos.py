"""Photos taken on site: sent with the inspection form or the API, checked by their bytes, shown on the case
page and served only to those who may see the case."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from ecohotline.cases import services
from ecohotline.cases.attachments import MAX_PHOTOS, sniff_image
from ecohotline.cases.models import Attachment, CaseEvent, Inspection
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def case(org):
    case = make_case(street=org.street, title="餐馆油烟扰民")
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    services.accept_case(actor=org.handler, case=case)
    case.refresh_from_db()
    return case


def stored_files(media) -> list[str]:
    return sorted(path.name for path in media.rglob("*") if path.is_file())


@pytest.mark.parametrize(("head", "expected"), [
    (JPEG, "image/jpeg"), (PNG, "image/png"), (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"GIF89a\x01\x00", "image/gif"), (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
    (b"\x00\x00\x00\x18ftypmif1\x00\x00", "image/heif"), (b"<script>alert(1)</script>", None),
    (b"%PDF-1.7\n", None), (b"", None), (b"\x00\x00\x00\x18ftypisom\x00\x00", None),
])
def test_the_type_of_a_photo_is_read_from_its_bytes(head, expected):
    assert sniff_image(head) == expected


def test_the_form_sends_photos_and_the_page_shows_them(client, org, case, media):
    client.force_login(org.handler)
    page = client.get(reverse("ui:case-detail", args=[case.pk])).content.decode()
    # The inspection form is a multipart form with a photo input a phone opens its camera for.
    assert 'enctype="multipart/form-data"' in page and 'accept="image/*"' in page and 'name="photos"' in page
    response = client.post(reverse("ui:case-action", args=[case.pk, "record_inspection"]), {
        "version": case.version, "findings": "油烟净化器未开启", "people": "王五",
        "photos": [SimpleUploadedFile("现场1.jpg", JPEG), SimpleUploadedFile("现场2.png", PNG)],
    })
    assert response.status_code == 302
    inspection = Inspection.objects.get(case=case)
    photos = list(inspection.photos.order_by("pk"))
    assert [photo.original_name for photo in photos] == ["现场1.jpg", "现场2.png"]
    assert len(stored_files(media)) == 2
    assert CaseEvent.objects.get(case=case, action="record_inspection").payload["photos"] == 2
    page = client.get(reverse("ui:case-detail", args=[case.pk])).content.decode()
    for photo in photos:
        assert f'src="{reverse("ui:case-attachment", args=[case.pk, photo.pk])}"' in page


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_kept(client, org, case, media):
    client.force_login(org.handler)
    response = client.post(reverse("ui:case-action", args=[case.pk, "record_inspection"]), {
        "version": case.version, "findings": "油烟净化器未开启",
        "photos": [SimpleUploadedFile("现场1.jpg", JPEG), SimpleUploadedFile("照片.jpg", b"<?php system($_GET[1]);")],
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "照片.jpg" in html and "油烟净化器未开启" in html  # the file is named; what was typed is kept
    assert not Inspection.objects.filter(case=case).exists() and not Attachment.objects.exists()
    assert stored_files(media) == []


def test_too_many_photos_are_refused(org, case, media):
    photos = [SimpleUploadedFile(f"{n}.jpg", JPEG) for n in range(MAX_PHOTOS + 1)]
    with pytest.raises(services.RuleViolation) as raised:
        services.record_inspection(actor=org.handler, case=case, findings="x", photos=photos)
    assert raised.value.code == "too_many_photos"
    assert stored_files(media) == []


def test_files_written_before_a_failure_are_removed(org, case, media, monkeypatch):
    def broken_finish(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "_finish", broken_finish)
    with pytest.raises(RuntimeError):
        services.record_inspection(actor=org.handler, case=case, findings="x",
                                   photos=[SimpleUploadedFile("a.jpg", JPEG), SimpleUploadedFile("b.png", PNG)])
    assert stored_files(media) == [] and not Attachment.objects.exists()


def test_the_api_takes_photos_as_multipart(org, case, media):
    api = APIClient()
    api.force_authenticate(org.handler)
    url = f"/api/v1/cases/{case.pk}/actions/record_inspection"
    response = api.post(url, {"findings": "现场有异味", "photos": [SimpleUploadedFile("a.jpg", JPEG)]},
                        format="multipart")
    assert response.status_code == 200, response.content
    assert Attachment.objects.get(case=case).original_name == "a.jpg"
    refused = api.post(url, {"findings": "现场有异味", "photos": [SimpleUploadedFile("a.exe", b"MZ\x90\x00")]},
                       format="multipart")
    assert refused.status_code == 400 and refused.json()["code"] == "not_a_photo"
    # JSON without photos still works.
    assert api.post(url, {"findings": "复查"}, format="json").status_code == 200


def test_a_photo_is_served_only_to_those_who_may_see_the_case(client, org, case):
    services.record_inspection(actor=org.handler, case=case, findings="x",
                               photos=[SimpleUploadedFile("现场.jpg", JPEG)])
    photo = Attachment.objects.get(case=case)
    url = reverse("ui:case-attachment", args=[case.pk, photo.pk])
    client.force_login(org.handler)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff" and "inline" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == JPEG
    client.force_login(org.other_handler)  # another squad's handler may not see this case
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    # An attachment of another case is not reachable through this case's address.
    other = make_case(street=org.street, title="别的案件")
    client.force_login(org.dispatcher)
    assert client.get(reverse("ui:case-attachment", args=[other.pk, photo.pk])).status_code == 404


def test_a_file_that_is_not_an_image_is_downloaded_not_shown(client, org, case):
    attachment = Attachment.objects.create(case=case, file=SimpleUploadedFile("证据.html", b"<script>x</script>"),
                                           original_name="证据.html")
    client.force_login(org.handler)
    response = client.get(reverse("ui:case-attachment", args=[case.pk, attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
