"""Rate limits counted in Django's cache (CAPTCHA-free abuse control of the public page and Open311).

Fixed windows: a counter per (limit, who, window) that expires with its window. The identities are hashed, so
an IP address, a phone number or an API key never sits in the cache as such. With the embedded default the cache
is per process (LocMemCache); with Redis (`REDIS_URL`) every web process counts together.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    """At most `count` uses per `seconds` by one identity; a `count` of 0 or less means no limit."""

    name: str
    count: int
    seconds: int

    def _key(self, who: str, now: float) -> str:
        digest = hashlib.sha256(f"{settings.SECRET_KEY}:{self.name}:{who}".encode()).hexdigest()[:32]
        return f"limit:{self.name}:{digest}:{int(now // self.seconds)}"

    def exceeded(self, who: str, *, now: float | None = None) -> bool:
        """Whether `who` has used up this limit in the current window (counts nothing)."""
        if not who or self.count <= 0:
            return False
        used = cache.get(self._key(who, time.time() if now is None else now), 0)
        return bool(used >= self.count)

    def hit(self, who: str, *, now: float | None = None) -> int:
        """Count one use by `who`; the uses in the current window, this one included."""
        if not who:
            return 0
        key = self._key(who, time.time() if now is None else now)
        cache.add(key, 0, timeout=self.seconds + 60)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.seconds + 60)
            return 1

    def allow(self, who: str, *, now: float | None = None) -> bool:
        """Count one use by `who`; False when it goes over the limit."""
        return self.count <= 0 or self.hit(who, now=now) <= self.count


def client_ip(request: HttpRequest) -> str:
    """The address the request came from. Behind reverse proxies, `settings.TRUSTED_PROXIES` (how many proxies
    append to X-Forwarded-For; 0 by default) says which entry of that header is the client's: without it every
    client would share the proxy's address, and with it set too high a client could choose its own."""
    proxies = int(getattr(settings, "TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        chain = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "")
