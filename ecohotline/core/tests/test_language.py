"""The interface language: zh-Hans by default, `?lang=` to switch (remembered in a cookie), a signed-in
user's saved choice. Translations may be incomplete, so only the language code is checked."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from ecohotline.core.middleware import normalise_language
from ecohotline.factories import UserFactory
from ecohotline.org.models import Role

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]*)"', response.content.decode())
    assert match, "no <html lang> on the page"
    return match.group(1)


def test_chinese_is_the_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert html_lang(response) == "zh-hans"
    assert COOKIE not in response.cookies  # nothing asked, nothing set


def test_browser_accept_language_does_not_override_the_default(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert html_lang(response) == "zh-hans"


def test_lang_parameter_switches_to_english_and_sets_the_cookie(client):
    response = client.get("/login/?lang=en")
    assert response["Content-Language"] == "en"
    assert html_lang(response) == "en"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax" and int(cookie["max-age"]) == 365 * 24 * 3600


def test_the_cookie_is_honoured_on_the_next_request(client):
    client.get("/login/?lang=en")
    response = client.get("/login/")  # the test client keeps the cookie
    assert response["Content-Language"] == "en"
    assert html_lang(response) == "en"


def test_lang_parameter_back_to_chinese(client):
    client.cookies[COOKIE] = "en"
    response = client.get("/login/?lang=zh-hans")
    assert response["Content-Language"] == "zh-hans" and html_lang(response) == "zh-hans"
    assert response.cookies[COOKIE].value == "zh-hans"
    # Common aliases are understood and stored in the canonical form.
    response = client.get("/login/?lang=zh-CN")
    assert response["Content-Language"] == "zh-hans"
    assert response.cookies[COOKIE].value == "zh-hans"


def test_unknown_language_falls_back_to_chinese(client):
    response = client.get("/login/?lang=xx")
    assert response["Content-Language"] == "zh-hans"
    assert html_lang(response) == "zh-hans"
    assert COOKIE not in response.cookies


def test_unknown_cookie_falls_back_to_chinese(client):
    client.cookies[COOKIE] = "klingon"
    response = client.get("/login/")
    assert response["Content-Language"] == "zh-hans" and html_lang(response) == "zh-hans"


def test_unknown_language_keeps_an_earlier_choice(client):
    client.cookies[COOKIE] = "en"
    response = client.get("/login/?lang=xx")
    assert response["Content-Language"] == "en"


def test_a_signed_in_users_saved_language_is_honoured(client, org):
    user = UserFactory(username="english_speaker", unit=org.bureau, roles=[Role.DISPATCHER], language="en")
    client.force_login(user)
    response = client.get("/cases/")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert html_lang(response) == "en"
    # The saved choice beats a stale cookie.
    client.cookies[COOKIE] = "zh-hans"
    assert client.get("/cases/")["Content-Language"] == "en"


def test_a_signed_in_user_without_a_saved_language_gets_chinese(client, org):
    client.force_login(org.dispatcher)
    response = client.get("/cases/")
    assert response["Content-Language"] == "zh-hans" and html_lang(response) == "zh-hans"


def test_the_language_switcher_remembers_the_choice_on_the_account(client, org):
    client.force_login(org.dispatcher)
    response = client.post("/language/", {"language": "en", "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert response.cookies[COOKIE].value == "en"
    org.dispatcher.refresh_from_db()
    assert org.dispatcher.language == "en"
    assert client.get("/cases/")["Content-Language"] == "en"
    # An outside address is not followed.
    response = client.post("/language/", {"language": "zh-hans", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_language_does_not_leak_into_the_next_request(client):
    client.get("/login/?lang=en")
    client.cookies.clear()
    response = client.get("/login/")
    assert response["Content-Language"] == "zh-hans" and html_lang(response) == "zh-hans"


@pytest.mark.parametrize(("value", "code"), [
    ("en", "en"), ("EN", "en"), (" en-GB ", "en"), ("en-us", "en"), ("zh-hans", "zh-hans"),
    ("zh-Hans", "zh-hans"), ("zh", "zh-hans"), ("zh-CN", "zh-hans"), ("zh_Hans", "zh-hans"),
    ("xx", None), ("", None), (None, None), ("fr", None),
])
def test_normalise_language(value, code):
    assert normalise_language(value) == code
