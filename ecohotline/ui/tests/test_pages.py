"""The desk pages: log in, the case list and the case page, in both languages, with masking."""

import pytest
from django.urls import reverse

from ecohotline.cases import services
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(org):
    mine = make_case(street=org.street, complainant_name="张三丰", complainant_phone="13812345678",
                     title="餐馆油烟扰民")
    services.dispatch_case(actor=org.dispatcher, case=mine, unit=org.squad)
    other = make_case(street=org.other_street, title="工地夜间施工噪声")
    services.dispatch_case(actor=org.dispatcher, case=other, unit=org.other_squad)
    return mine, other


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("ui:case-list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_log_in_then_see_the_case_list(client, org, cases):
    response = client.post(reverse("login"), {"username": "dispatcher", "password": "pass-1234-word"})
    assert response.status_code == 302
    page = client.get(reverse("ui:case-list"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "餐馆油烟扰民" in text and "工地夜间施工噪声" in text
    assert '<html lang="zh-hans">' in text


def test_case_list_only_shows_the_handlers_unit(client, org, cases):
    client.force_login(org.handler)
    text = client.get(reverse("ui:case-list")).content.decode()
    assert "餐馆油烟扰民" in text and "工地夜间施工噪声" not in text


def test_case_page_masks_the_complainant_for_those_who_may_not_see_them(client, org, cases):
    mine, _other = cases
    client.force_login(org.handler)
    text = client.get(reverse("ui:case-detail", args=[mine.pk])).content.decode()
    assert "张三丰" in text and "13812345678" in text
    client.force_login(org.analyst)
    text = client.get(reverse("ui:case-detail", args=[mine.pk])).content.decode()
    assert "张三丰" not in text and "13812345678" not in text
    assert "张**" in text and "138****5678" in text


def test_case_page_of_another_unit_is_not_found(client, org, cases):
    _mine, other = cases
    client.force_login(org.handler)
    assert client.get(reverse("ui:case-detail", args=[other.pk])).status_code == 404


def test_case_page_offers_only_the_allowed_actions(client, org, cases):
    mine, _other = cases
    client.force_login(org.handler)
    response = client.get(reverse("ui:case-detail", args=[mine.pk]))
    labels = [str(t.label) for t in response.context["actions"]]
    assert sorted(t.action for t in response.context["actions"]) == ["accept", "add_note", "return_order"]
    assert labels


def test_english_on_request(client, org, cases):
    client.force_login(org.dispatcher)
    text = client.get(reverse("ui:case-list") + "?lang=en").content.decode()
    assert '<html lang="en">' in text


def test_language_switch_is_remembered_for_the_user(client, org):
    client.force_login(org.dispatcher)
    response = client.post(reverse("ui:set-language"), {"language": "en", "next": "/cases/"})
    assert response.status_code == 302 and response.url == "/cases/"
    org.dispatcher.refresh_from_db()
    assert org.dispatcher.language == "en"
    client.cookies.clear()
    client.force_login(org.dispatcher)
    assert '<html lang="en">' in client.get(reverse("ui:case-list")).content.decode()


def test_language_switch_refuses_foreign_redirects(client, org):
    client.force_login(org.dispatcher)
    response = client.post(reverse("ui:set-language"), {"language": "en", "next": "https://evil.example/"})
    assert response.url == "/"


def test_case_list_query_count_does_not_grow_with_cases(client, org, django_assert_max_num_queries):
    for _ in range(3):
        make_case(street=org.street)
    client.force_login(org.dispatcher)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("ui:case-list"))
    for _ in range(30):
        make_case(street=org.street)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("ui:case-list"))


def test_category_names_follow_the_admin(client, org):
    from ecohotline.cases.models import Category

    make_case(street=org.street, sub_category="noise.social", category="noise", title="KTV噪声")
    client.force_login(org.dispatcher)
    assert "社会生活噪声" in client.get(reverse("ui:case-list")).content.decode()
    Category.objects.filter(code="noise.social").update(name_zh="生活噪声")  # bulk update: no signal
    Category.objects.get(code="noise.social").save()  # a save in admin
    assert "生活噪声" in client.get(reverse("ui:case-list")).content.decode()
    assert "社会生活噪声" not in client.get(reverse("ui:case-list")).content.decode()
