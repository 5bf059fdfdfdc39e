"""Passwords are hashed with Argon2id; a hash of the PBKDF2 days still lets its owner in and is rehashed then."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from ecohotline import settings as project_settings


@pytest.fixture
def production_hashers(settings: Any) -> None:
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the tests' fast MD5 undone


@pytest.mark.django_db
def test_new_passwords_are_argon2id(org: Any, production_hashers: None) -> None:
    org.handler.set_password("a long passphrase 2026")
    assert org.handler.password.startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_an_old_pbkdf2_hash_logs_in_and_is_rehashed(client: Any, org: Any, production_hashers: None) -> None:
    org.handler.password = make_password("a long passphrase 2026", hasher="pbkdf2_sha256")
    org.handler.save(update_fields=["password"])
    response = client.post(reverse("login"), {"username": org.handler.username, "password": "a long passphrase 2026"})
    assert response.status_code == 302
    org.handler.refresh_from_db()
    assert org.handler.password.startswith("argon2$argon2id$")
