"""The case page shows what the case sent to other systems, with failures, to those who may see the case."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ecohotline.cases import services
from ecohotline.hooks.tests.conftest import hotline_order
from ecohotline.notify import outbox

pytestmark = pytest.mark.django_db


def client_for(user: Any, language: str = "en") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_the_case_page_shows_a_failing_feedback(org, source, receiver):
    receiver.default = (502, b"gateway down")
    case = hotline_order(org)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    services.accept_case(actor=org.handler, case=case)
    services.reply_to_complainant(actor=org.handler, case=case, text="已处理。", final=True)
    assert outbox.deliver_due() == 0
    fragment_url = reverse("hooks:case-outgoing", args=[case.pk])

    page = client_for(org.handler).get(reverse("ui:case-detail", args=[case.pk])).content.decode()
    assert f'hx-get="{fragment_url}"' in page
    fragment = client_for(org.handler).get(fragment_url).content.decode()
    assert "Hotline feedback · 北京12345平台" in fragment
    assert "Failing, will retry" in fragment and "HTTP 502: gateway down" in fragment
    assert "1 attempt" in fragment and "next attempt" in fragment

    # Those who may not see the case see nothing of it.
    assert client_for(org.other_handler).get(fragment_url).status_code == 404


def test_a_case_that_sent_nothing_has_no_fragment(org):
    case = hotline_order(org)
    response = client_for(org.dispatcher).get(reverse("hooks:case-outgoing", args=[case.pk]))
    assert response.status_code == 200 and response.content == b""
