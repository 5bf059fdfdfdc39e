"""Insight pages and API: hot_issues."""

from __future__ import annotations

from typing import Any

# Page routes (under /insight/) and API routes (under /api/v1/insight/) of this topic; insight/urls.py and
# insight/api_urls.py join every topic's lists.
urlpatterns: list[Any] = []
api_urlpatterns: list[Any] = []
