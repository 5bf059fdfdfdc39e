"""The public page's rate limits (CAPTCHA-free abuse control): reports per IP and per phone, lookups per IP."""

from __future__ import annotations

from ecohotline.core.ratelimit import Limit, client_ip

__all__ = ["LOOKUPS_PER_IP", "REPORTS_PER_IP", "REPORTS_PER_PHONE", "Limit", "client_ip"]

REPORTS_PER_IP = Limit("report-ip", 5, 3600)
REPORTS_PER_PHONE = Limit("report-phone", 3, 24 * 3600)
LOOKUPS_PER_IP = Limit("lookup-ip", 20, 3600)
