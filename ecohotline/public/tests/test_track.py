"""Looking a report up by its tracking number (and the phone's last four digits): status in plain words,
the reply deadline and the public reply; nothing internal, and no oracle for wrong digits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ecohotline.cases.models import CaseStatus, Reply
from ecohotline.factories import force_status
from ecohotline.public.models import PublicReport
from ecohotline.public.tests.conftest import TRACK_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_phone(org, post_report) -> PublicReport:
    post_report(name="王五", phone="13912345678", consent="on")
    return PublicReport.objects.get()


@pytest.fixture
def anonymous(org, post_report) -> PublicReport:
    post_report()
    return PublicReport.objects.get()


def look_up(client, number: str, digits: str = "", ip: str = "198.51.100.1"):
    return client.post(TRACK_URL, {"tracking_number": number, "digits": digits}, REMOTE_ADDR=ip)


def test_with_the_right_digits_the_status_and_deadline_show(english, with_phone) -> None:
    response = look_up(english, with_phone.tracking_number, "5678")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-stage="received"' in text and "Registered" in text
    due = timezone.localtime(with_phone.case.reply_due_at)
    assert f'id="track-due">{due:%Y-%m-%d %H:%M}' in text
    # Nothing of the complainant nor of the case's inside.
    for secret in ("王五", "13912345678", with_phone.case.reference, with_phone.case.external_id):
        assert secret not in text


def test_wrong_digits_and_an_unknown_number_get_the_same_answer(english, with_phone) -> None:
    wrong = look_up(english, with_phone.tracking_number, "0000")
    unknown = look_up(english, "ABCDEFGHJKLM", "5678")
    missing_digits = look_up(english, with_phone.tracking_number, "")
    for response in (wrong, unknown, missing_digits):
        assert response.status_code == 404
        assert 'id="track-not-found"' in response.content.decode()
        assert "track-result" not in response.content.decode()


def test_the_number_may_be_typed_in_lower_case_with_dashes_and_spaces(english, with_phone) -> None:
    number = with_phone.tracking_number.lower()
    response = look_up(english, f" {number[:4]}-{number[4:8]} {number[8:]} ", "5678")
    assert response.status_code == 200


def test_an_anonymous_report_is_found_by_its_number_alone(english, anonymous) -> None:
    assert look_up(english, anonymous.tracking_number).status_code == 200
    assert look_up(english, "ABCDEFGHJKLM").status_code == 404


@pytest.mark.parametrize(("status", "stage"), [
    (CaseStatus.NEW, "received"), (CaseStatus.RETURNED, "received"), (CaseStatus.DISPATCHED, "handling"),
    (CaseStatus.IN_PROGRESS, "handling"), (CaseStatus.REPLIED, "replied"), (CaseStatus.CLOSED, "closed"),
])
def test_each_status_in_citizen_words(english, anonymous, org, status, stage) -> None:
    force_status(anonymous.case, status, handling_unit=org.squad, handler=org.handler)
    text = look_up(english, anonymous.tracking_number).content.decode()
    assert f'data-stage="{stage}"' in text
    assert org.squad.name not in text and org.handler.display_name not in text


def test_the_final_reply_shows_once_replied_escaped(english, anonymous, org) -> None:
    case = force_status(anonymous.case, CaseStatus.REPLIED, replied_at=timezone.now())
    Reply.objects.create(case=case, created_by=org.handler, at=timezone.now() - dt.timedelta(hours=1),
                         text="进度说明", final=False)
    Reply.objects.create(case=case, created_by=org.handler, at=timezone.now(),
                         text="经现场核查，已责令整改。<script>alert(1)</script>", final=True)
    text = look_up(english, anonymous.tracking_number).content.decode()
    assert "经现场核查，已责令整改。&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "进度说明" not in text  # not the final reply
    assert 'id="track-due"' not in text  # replied: no deadline any more
    assert org.handler.display_name not in text


def test_a_reopened_case_shows_no_earlier_reply(english, anonymous, org) -> None:
    case = force_status(anonymous.case, CaseStatus.IN_PROGRESS)
    Reply.objects.create(case=case, at=timezone.now(), text="已处理", final=True)
    text = look_up(english, anonymous.tracking_number).content.decode()
    assert 'data-stage="handling"' in text and "已处理" not in text


def test_a_merged_report_follows_the_case_it_was_merged_into(english, anonymous, org, post_report) -> None:
    post_report(description="同一处噪声，再次反映，晚上依旧很吵。")
    other = PublicReport.objects.exclude(pk=anonymous.pk).get().case
    force_status(other, CaseStatus.REPLIED, replied_at=timezone.now())
    Reply.objects.create(case=other, at=timezone.now(), text="已答复合并案件", final=True)
    force_status(anonymous.case, CaseStatus.MERGED, parent=other)
    text = look_up(english, anonymous.tracking_number).content.decode()
    assert 'data-stage="replied"' in text and "已答复合并案件" in text


def test_the_lookup_form_in_english(english) -> None:
    text = english.get(TRACK_URL).content.decode()
    assert "Last four digits of your phone number" in text and 'method="post"' in text
