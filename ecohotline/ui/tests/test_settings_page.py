"""My settings: language, what the account holds, changing the password."""

import pytest
from django.conf import settings
from django.urls import reverse

from ecohotline.factories import UserFactory
from ecohotline.org.models import Role

pytestmark = pytest.mark.django_db


def test_settings_show_the_account_and_its_roles(client, org):
    person = UserFactory(username="both", display_name="<b>张三</b>", unit=org.squad,
                         roles=[Role.HANDLER, Role.UNIT_HEAD])
    client.force_login(person)
    response = client.get(reverse("ui:settings") + "?lang=en")
    text = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;张三&lt;/b&gt;" in text and "<b>张三</b>" not in text  # read-only, and escaped
    assert "both" in text and "执法一中队" in text
    assert "Handler" in text and "Unit head" in text
    assert reverse("ui:password-change") in text
    assert 'name="display_name"' not in text


def test_language_is_saved_on_the_account(client, org):
    client.force_login(org.handler)
    response = client.post(reverse("ui:settings"), {"language": "en", "display_name": "Hacker"})
    assert response.status_code == 302 and response.url == reverse("ui:settings")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    org.handler.refresh_from_db()
    assert org.handler.language == "en" and org.handler.display_name != "Hacker"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    assert '<html lang="en">' in client.get(reverse("ui:settings")).content.decode()


def test_an_unknown_language_is_refused(client, org):
    client.force_login(org.handler)
    client.post(reverse("ui:settings"), {"language": "xx"})
    org.handler.refresh_from_db()
    assert org.handler.language == ""


def test_change_password(client, org):
    client.force_login(org.handler)
    assert client.get(reverse("ui:password-change")).status_code == 200
    response = client.post(reverse("ui:password-change"), {
        "old_password": "pass-1234-word", "new_password1": "a-new-Secret-2026", "new_password2": "a-new-Secret-2026"})
    assert response.status_code == 302 and response.url == reverse("ui:settings")
    org.handler.refresh_from_db()
    assert org.handler.check_password("a-new-Secret-2026")
    # Still signed in after the change.
    assert client.get(reverse("ui:settings")).status_code == 200


def test_change_password_needs_the_old_one(client, org):
    client.force_login(org.handler)
    response = client.post(reverse("ui:password-change"), {
        "old_password": "wrong", "new_password1": "a-new-Secret-2026", "new_password2": "a-new-Secret-2026"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    org.handler.refresh_from_db()
    assert org.handler.check_password("pass-1234-word")


@pytest.mark.parametrize("name", ["ui:settings", "ui:password-change"])
def test_anonymous_is_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_settings_page_query_count(client, org, django_assert_max_num_queries):
    client.force_login(org.handler)
    with django_assert_max_num_queries(10):
        client.get(reverse("ui:settings"))
