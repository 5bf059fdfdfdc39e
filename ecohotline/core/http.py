"""Reading what systems push to us (the hotline's orders, station readings) without trusting its size."""

from __future__ import annotations

from django.http import HttpRequest


def read_limited_body(request: HttpRequest, max_bytes: int) -> bytes | None:
    """The raw body read from the stream (Django's own limit on `request.body` is lower than a push may need),
    or None when it is larger than `max_bytes`, by its declared length or by what it turns out to be."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        return None
    body = request.read(max_bytes + 1)
    return None if len(body) > max_bytes else body
