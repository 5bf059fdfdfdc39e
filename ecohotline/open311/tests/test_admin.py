"""API keys are issued in the admin (the key shown once, only its hash kept) and revoked by an admin action."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ecohotline.open311.models import ApiKey
from ecohotline.open311.selectors import active_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(org) -> Client:
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.language = "en"
    org.admin.save()
    client = Client()
    client.force_login(org.admin)
    return client


def test_a_key_issued_in_the_admin_is_shown_once_and_stored_hashed(admin_client: Client) -> None:
    response = admin_client.post("/admin/open311/apikey/add/",
                                 {"name": "随手拍", "contact": "ops@example.cn", "rate_limit_per_hour": "30"},
                                 follow=True)

    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"] if "copy it now" in str(m)]
    plain = re.search(r"is (\S+) —", message).group(1)  # type: ignore[union-attr]
    key = ApiKey.objects.get()
    assert key.rate_limit_per_hour == 30 and key.prefix == plain[:8]
    assert plain not in key.key_hash and key.key_hash == ApiKey.hash_key(plain)
    assert active_key(plain) == key
    # the change page does not show it again
    assert plain not in admin_client.get(f"/admin/open311/apikey/{key.pk}/change/").content.decode()


def test_the_revoke_action_stops_a_key(admin_client: Client, api_key) -> None:
    response = admin_client.post("/admin/open311/apikey/", {"action": "revoke",
                                                             "_selected_action": [api_key.key.pk]}, follow=True)

    assert response.status_code == 200
    assert ApiKey.objects.get().revoked_at is not None
    assert active_key(api_key.plain) is None
