"""Open311 test fixtures: an issued API key and a helper to post requests as apps do (form-encoded)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ecohotline.open311.services import IssuedKey, issue_api_key

ZHONGGUANCUN = {"lat": "39.9834", "long": "116.3162"}


@pytest.fixture
def api_key(db: None) -> IssuedKey:
    return issue_api_key(actor=None, name="海淀随手拍", contact="app@example.cn", rate_limit_per_hour=100)


def post_request(client: Client, fmt: str = "json", **params: Any) -> Any:
    return client.post(f"/open311/v2/requests.{fmt}", params)


def noise_request(key: str, **overrides: Any) -> dict[str, Any]:
    params = {"api_key": key, "service_code": "noise.social", **ZHONGGUANCUN,
              "address_string": "北京市海淀区中关村大街27号", "description": "楼下商铺每天晚上用大喇叭放音乐。",
              "attribute[at_night]": "yes", "attribute[noise_time]": "2026-11-20T22:30:00+08:00",
              "first_name": "小明", "last_name": "王", "phone": "13912345678", "email": "wang@example.cn",
              "media_url": "https://img.example.cn/p/1.jpg", "account_id": "acct-7", "device_id": "dev-9"}
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}
