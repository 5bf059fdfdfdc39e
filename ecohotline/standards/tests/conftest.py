"""The standards' messages are English msgids: the tests read them in English (the project's default
language is zh-Hans; `test_messages_are_translated` checks the Chinese)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield
