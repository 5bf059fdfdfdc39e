"""A session left idle for `SESSION_IDLE_SECONDS` is signed out; a busy one is not, and is not written on every
request to stay alive."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def idle_limit(settings: Any) -> int:
    settings.SESSION_IDLE_SECONDS = 30 * 60
    return settings.SESSION_IDLE_SECONDS


@pytest.mark.django_db
def test_an_idle_session_is_signed_out_and_told_why(client: Any, org: Any, idle_limit: int) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(org.handler)
        assert client.get(reverse("ui:inbox")).status_code == 200
        clock.shift(dt.timedelta(seconds=idle_limit - 5))
        assert client.get(reverse("ui:inbox")).status_code == 200  # within the limit: still signed in
        clock.shift(dt.timedelta(seconds=idle_limit + 1))
        response = client.get(reverse("ui:inbox"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "30 分钟" in response.content.decode() or "30 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_busy_session_stays_and_is_touched_once_a_minute(client: Any, org: Any, idle_limit: int) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(org.handler)
        client.get(reverse("ui:inbox"))
        first = client.session["last_seen"]
        for _ in range(6):  # an hour of work, a request every 10 minutes
            clock.shift(dt.timedelta(minutes=10))
            assert client.get(reverse("ui:inbox")).status_code == 200
        clock.shift(dt.timedelta(seconds=20))
        client.get(reverse("ui:inbox"))
        assert client.session["last_seen"] == first + 3600  # not moved by a request 20 s after the last mark
