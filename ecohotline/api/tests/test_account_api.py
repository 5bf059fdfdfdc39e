"""The caller's own account through the API: the interface language, the password (Django's validators) and the
saved case-list filters, each reaching only the caller's own."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from ecohotline.api.tests.test_cases_api import client_for
from ecohotline.org.models import User
from ecohotline.ui.models import SavedFilter

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"  # the factories' password


def test_the_caller_reads_their_account_and_sets_the_language(org: Any) -> None:
    client = client_for(org.handler)
    account = client.get("/api/v1/account")
    assert account.status_code == 200 and account.json()["username"] == "handler"
    assert account.json()["roles"] == ["handler"] and "en" in account.json()["languages"]
    done = client.post("/api/v1/account/language", {"language": "en"}, format="json")
    assert done.status_code == 200 and done.json()["language"] == "en"
    assert User.objects.get(pk=org.handler.pk).language == "en"


@pytest.mark.parametrize("value", ["fr", "", None, 3])
def test_an_unknown_language_is_refused_and_nothing_changes(org: Any, value: Any) -> None:
    User.objects.filter(pk=org.handler.pk).update(language="zh-hans")
    response = client_for(org.handler).post("/api/v1/account/language", {"language": value}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "language" in response.json()["errors"]
    assert User.objects.get(pk=org.handler.pk).language == "zh-hans"


def test_the_account_needs_a_signed_in_caller() -> None:
    assert APIClient().get("/api/v1/account").status_code in (401, 403)
    assert APIClient().post("/api/v1/account/password", {}, format="json").status_code in (401, 403)


def test_the_password_changes_with_the_current_one_and_a_strong_new_one(org: Any) -> None:
    client = APIClient()
    assert client.login(username="handler", password=PASSWORD)
    response = client.post("/api/v1/account/password",
                           {"old_password": PASSWORD, "new_password": "a quiet river at dusk 42"}, format="json")
    assert response.status_code == 204, response.content
    assert User.objects.get(pk=org.handler.pk).check_password("a quiet river at dusk 42")
    assert client.get("/api/v1/account").status_code == 200  # the session stays signed in


@pytest.mark.parametrize(("body", "field"), [
    ({"old_password": "wrong", "new_password": "a quiet river at dusk 42"}, "old_password"),
    ({"old_password": PASSWORD, "new_password": "password"}, "new_password"),  # common and short
    ({"old_password": PASSWORD, "new_password": "12345678901234"}, "new_password"),  # all digits
    ({"old_password": PASSWORD}, "new_password"),
])
def test_a_wrong_or_weak_password_is_refused_and_nothing_changes(org: Any, body: dict[str, str],
                                                                  field: str) -> None:
    org.handler.language = "en"
    org.handler.save(update_fields=["language"])
    response = client_for(org.handler).post("/api/v1/account/password", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert field in response.json()["errors"], response.json()
    assert User.objects.get(pk=org.handler.pk).check_password(PASSWORD)


def test_saved_filters_are_the_callers_own(org: Any) -> None:
    mine = client_for(org.handler)
    created = mine.post("/api/v1/account/saved-filters",
                        {"name": " 超期 ", "query": "overdue=true&status=in_progress&page=3&evil=1"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "超期"
    assert created.json()["query"] == "status=in_progress&overdue=true"  # only the list's filters, as on the desk
    replaced = mine.post("/api/v1/account/saved-filters", {"name": "超期", "query": "status=new"}, format="json")
    assert replaced.status_code == 200 and replaced.json()["id"] == created.json()["id"]
    theirs = SavedFilter.objects.create(user=org.dispatcher, name="派单", query="status=new")
    listed = mine.get("/api/v1/account/saved-filters").json()
    assert [row["name"] for row in listed["results"]] == ["超期"]
    assert mine.delete(f"/api/v1/account/saved-filters/{theirs.pk}").status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()
    assert mine.delete(f"/api/v1/account/saved-filters/{created.json()['id']}").status_code == 204
    assert not SavedFilter.objects.filter(user=org.handler).exists()


@pytest.mark.parametrize("body", [{"name": "  "}, {"name": "x" * 81}, {"query": "status=new"},
                                  {"name": "a", "query": "q=" + "x" * 1000}])
def test_a_bad_saved_filter_is_refused_and_nothing_saved(org: Any, body: dict[str, str]) -> None:
    response = client_for(org.handler).post("/api/v1/account/saved-filters", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert not SavedFilter.objects.exists()


def test_the_saved_filter_list_has_a_flat_query_count(org: Any, django_assert_max_num_queries: Any) -> None:
    SavedFilter.objects.bulk_create([SavedFilter(user=org.handler, name=f"f{n}", query="status=new")
                                     for n in range(20)])
    with django_assert_max_num_queries(3):
        response = client_for(org.handler).get("/api/v1/account/saved-filters")
    assert response.json()["count"] == 20
