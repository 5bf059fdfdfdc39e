"""The desk's 登记工单 page: who may register, the form's defaults and choices, an order through the intake
(triage, what the desk knows kept), the same number again, errors on the fields with nothing lost, and hostile
text kept as typed and shown escaped."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ecohotline.cases.models import Case, CaseEvent, Category
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import make_case
from ecohotline.intake.models import OrderRecord, TriageSuggestion

pytestmark = pytest.mark.django_db

NEW = reverse("ui:case-new")
NOW = dt.datetime(2026, 5, 3, 14, 7, 31, tzinfo=BEIJING)
ORDER = {
    "channel": "phone",
    "external_id": "DH-0503-01",
    "received_at": "2026-05-03T10:15",
    "request_type": "complaint",
    "urgency": "normal",
    "complainant_name": "张三丰",
    "complainant_phone": "13812345678",
    "address": "北京市海淀区中关村街道中关村大街12号",
    "description": "楼下烧烤店油烟直排，熏得没法开窗。",
}


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def desk(client, org):
    client.force_login(org.dispatcher)
    return client


def last_message(response):
    """(level, text) of the message this response added."""
    message = list(get_messages(response.wsgi_request))[-1]
    return message.level_tag, str(message)


# --- who may register -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["dispatcher", "admin"])
def test_dispatchers_and_admins_see_the_button_and_the_page(client, org, role):
    client.force_login(getattr(org, role))
    assert NEW in client.get(reverse("ui:case-list")).content.decode()
    assert client.get(NEW).status_code == 200


@pytest.mark.parametrize("role", ["handler", "unit_head", "leader", "analyst", "street_liaison"])
def test_others_get_no_button_and_a_403(client, org, role):
    client.force_login(getattr(org, role))
    assert NEW not in client.get(reverse("ui:case-list")).content.decode()
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, ORDER).status_code == 403
    assert not Case.objects.exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(NEW)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- the form ---------------------------------------------------------------------------------------------


def test_the_form_starts_with_a_phone_order_received_now(desk, org):
    response = desk.get(NEW)
    form = response.context["form"]
    html = response.content.decode()
    assert form["channel"].value() == "phone"
    assert [value for value, _label in form.fields["channel"].choices] == [
        "phone", "letter", "visit", "eco_12369", "web", "hotline_12345"]
    assert 'type="datetime-local"' in html and 'value="2026-05-03T14:07"' in html  # Beijing time, to the minute
    assert (form["request_type"].value(), form["urgency"].value()) == ("complaint", "normal")


def test_the_form_offers_active_streets_and_sub_categories(desk, org):
    Category.objects.filter(code="noise.traffic").update(is_active=False)
    form = desk.get(NEW).context["form"]
    assert list(form.fields["street"].queryset) == sorted([org.street, org.other_street], key=lambda s: s.name)
    flat = dict(form.fields["sub_category"].choices)
    assert ("air.catering_fumes", "餐饮油烟") in flat["大气"]
    assert "noise.traffic" not in dict(flat["噪声"]) and "noise.social" in dict(flat["噪声"])
    assert flat["soil"] == "土壤"  # a family without sub-categories may be chosen itself
    assert "air" not in flat and "noise" not in flat


def test_sub_categories_are_named_in_the_users_language(desk):
    html = desk.get(NEW + "?lang=en").content.decode()
    assert 'label="Air"' in html and "Catering fumes" in html


# --- registering ------------------------------------------------------------------------------------------


def test_an_order_is_registered_and_triaged(desk, org):
    response = desk.post(NEW, ORDER)
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("ui:case-detail", args=[case.pk])
    level, text = last_message(response)
    assert level == "success" and "DH-0503-01" in text
    assert case.channel == "phone" and case.external_id == "DH-0503-01"
    assert case.received_at == dt.datetime(2026, 5, 3, 10, 15, tzinfo=BEIJING)
    assert case.street == org.street and case.sub_category == "air.catering_fumes" and not case.category_confirmed
    assert case.complainant_name == "张三丰" and case.due_at is not None
    assert list(case.events.order_by("pk").values_list("action", flat=True)) == ["created", "triaged"]
    assert case.events.get(action="created").actor == org.dispatcher
    assert TriageSuggestion.objects.filter(case=case).exists()
    assert OrderRecord.objects.get(case=case).received_via == "manual"
    page = desk.get(response.url)
    assert page.status_code == 200 and 'role="alert"' in page.content.decode() and text in page.content.decode()
    assert text not in desk.get(response.url).content.decode()  # shown once


def test_what_the_desk_knows_is_kept(desk, org):
    desk.post(NEW, {**ORDER, "street": org.other_street.pk, "sub_category": "noise.social", "polluter": "老王烧烤",
                    "complainant_anonymous": "on", "complainant_confidential": "on", "channel": "letter",
                    "request_type": "report", "urgency": "urgent"})
    case = Case.objects.get()
    assert case.street == org.other_street and (case.category, case.sub_category) == ("noise", "noise.social")
    assert case.category_confirmed and case.polluter == "老王烧烤"
    assert case.complainant_anonymous and case.complainant_confidential
    assert (case.channel, case.request_type, case.urgency) == ("letter", "report", "urgent")


def test_without_a_number_each_entry_is_a_new_case(desk):
    desk.post(NEW, {**ORDER, "external_id": ""})
    desk.post(NEW, {**ORDER, "external_id": ""})
    assert Case.objects.count() == 2 and not OrderRecord.objects.exists()


def test_the_same_order_again_opens_the_case_unchanged(desk):
    first = desk.post(NEW, ORDER)
    again = desk.post(NEW, ORDER)
    assert again.status_code == 302 and again.url == first.url
    assert Case.objects.count() == 1
    level, text = last_message(again)
    assert level == "info" and "DH-0503-01" in text
    assert not CaseEvent.objects.filter(action="order_updated").exists()


def test_a_changed_order_is_a_supplement_on_the_existing_case(desk):
    first = desk.post(NEW, ORDER)
    again = desk.post(NEW, {**ORDER, "description": "补充：凌晨一点仍在排放油烟。"})
    assert again.url == first.url and Case.objects.count() == 1
    level, text = last_message(again)
    assert level == "warning" and "DH-0503-01" in text
    event = CaseEvent.objects.get(action="order_updated")
    assert event.actor.username == "dispatcher" and event.payload["via"] == "manual"
    assert event.payload["changes"]["description"]["new"] == "补充：凌晨一点仍在排放油烟。"


def test_messages_in_english(desk):
    response = desk.post(NEW + "?lang=en", ORDER)
    assert last_message(response) == ("success", "The order is registered as DH-0503-01.")
    again = desk.post(NEW + "?lang=en", ORDER)
    assert last_message(again) == ("info", "Order number DH-0503-01 was already registered with the same content: "
                                           "nothing has changed.")


# --- errors -----------------------------------------------------------------------------------------------


def test_errors_are_on_the_fields_and_nothing_typed_is_lost(desk):
    response = desk.post(NEW, {**ORDER, "description": "", "received_at": "2026-05-03T10:1x"})
    assert response.status_code == 200 and not Case.objects.exists()
    form = response.context["form"]
    assert set(form.errors) == {"description", "received_at"}
    html = response.content.decode()
    assert html.count("is-invalid") >= 2 and "invalid-feedback" in html
    for typed in ("张三丰", "13812345678", "北京市海淀区中关村街道中关村大街12号", "DH-0503-01", "2026-05-03T10:1x"):
        assert typed in html


def test_a_time_of_receipt_in_the_future_is_refused(desk):
    response = desk.post(NEW, {**ORDER, "received_at": "2026-05-03T15:00"})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"received_at"}
    assert desk.post(NEW, {**ORDER, "received_at": "2026-05-03T14:10"}).status_code == 302  # a clock a bit fast


def test_a_family_or_unknown_sub_category_is_refused(desk):
    for code in ("noise", "nonsense"):
        response = desk.post(NEW, {**ORDER, "sub_category": code})
        assert response.status_code == 200 and set(response.context["form"].errors) == {"sub_category"}
    assert not Case.objects.exists()


def test_a_number_held_by_a_case_without_an_order_record_is_an_error_on_the_number(desk):
    make_case(channel="phone", external_id="DH-0503-01")
    response = desk.post(NEW, ORDER)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["external_id"] and form.errors["external_id"]
    html = response.content.decode()
    assert "楼下烧烤店油烟直排，熏得没法开窗。" in html and "张三丰" in html
    assert Case.objects.count() == 1


# --- hostile input ----------------------------------------------------------------------------------------


def test_markup_is_stored_as_typed_and_shown_escaped(desk):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    response = desk.post(NEW, {**ORDER, "description": hostile, "complainant_name": "<b>王</b>",
                               "address": "<i>中关村街道</i>", "polluter": '"><script>alert(3)</script>'})
    case = Case.objects.get()
    assert case.description == hostile and case.complainant_name == "<b>王</b>"
    html = desk.get(response.url).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>王</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;王&lt;/b&gt;" in html


def test_markup_in_a_refused_form_is_shown_escaped(desk):
    response = desk.post(NEW, {**ORDER, "received_at": "", "description": "<script>alert(1)</script>"})
    html = response.content.decode()
    assert response.status_code == 200 and "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
