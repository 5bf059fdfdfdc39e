"""Fixtures of the public page's tests: a filled-in report, real and fake photos, media in a temporary folder."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import Client as TestClient
from PIL import Image

from ecohotline.public.forms import issue_form_token

REPORT_URL = "/public/report/"
TRACK_URL = "/public/track/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(name: str = "photo.png", kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 140, 80)).save(buffer, format=kind)
    mime = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}[kind]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=mime)


def report_data(**overrides: Any) -> dict[str, Any]:
    """A valid report: a form handed out 20 seconds ago, an address, a description."""
    data: dict[str, Any] = {
        "token": issue_form_token(now=time.time() - 20),
        "sub_category": "noise.social",
        "address": "北京市海淀区中关村街道科学院南路2号",
        "description": "楼下广场舞音响每天晚上九点以后还很响，影响休息。",
        "name": "", "phone": "", "website": "", "longitude": "", "latitude": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def post_report(client: TestClient) -> Callable[..., Any]:
    def post(*, ip: str = "203.0.113.7", follow: bool = False, photos: list[Any] | None = None,
             **overrides: Any) -> Any:
        data = report_data(**overrides)
        if photos:
            data["photos"] = photos
        return client.post(REPORT_URL, data, REMOTE_ADDR=ip, follow=follow)

    return post
