"""Open311's rate limits, in one-hour windows: POSTs per API key (each key's own limit), GETs per client address
(`settings.OPEN311_GETS_PER_IP_PER_HOUR`; 0 turns it off)."""

from __future__ import annotations

from django.conf import settings

from ecohotline.core.ratelimit import Limit

WINDOW_SECONDS = 3600


def allow_key(key_id: int, limit: int, now: float | None = None) -> bool:
    """Count one request of the key; False over `limit` this hour (a limit of 0 blocks the key)."""
    return limit > 0 and Limit("open311-key", limit, WINDOW_SECONDS).allow(str(key_id), now=now)


def allow_address(address: str, now: float | None = None) -> bool:
    limit = int(settings.OPEN311_GETS_PER_IP_PER_HOUR)
    return Limit("open311-ip", limit, WINDOW_SECONDS).allow(address, now=now)
