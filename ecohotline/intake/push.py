"""Orders pushed by the hotline platforms (12345, 12369): who is pushing (HMAC signature with the source's
shared secret over the timestamp and the body), and each pushed order taken in like a file row.

Signature: `X-Signature: sha256=<hex>` where hex = HMAC-SHA256(secret, f"{X-Timestamp}.".encode() + raw body).
The timestamp (unix seconds) is inside what is signed, so a captured request cannot be replayed later with a
fresh timestamp; one replayed as it is inside the 5-minute window only delivers the same orders again, which
`take_in_order` finds unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from ecohotline.cases.exceptions import CaseError
from ecohotline.intake.models import HotlineSource, ReceivedVia
from ecohotline.intake.orders import OrderInput
from ecohotline.intake.parsing import COORDINATE_SYSTEM_COLUMN, Cell, Layout, SeenOrders, build_order
from ecohotline.intake.services import take_in_order
from ecohotline.intake.triage import TriageContext

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_BATCH = 500
MAX_SKEW_SECONDS = 300
SIGNATURE_PREFIX = "sha256="
REJECTED = "rejected"

# JSON key → the canonical column it fills (the same checks as a file row).
FIELDS: dict[str, str] = {
    "order_number": "工单编号",
    "received_at": "受理时间",
    "complainant_name": "诉求人",
    "complainant_phone": "联系电话",
    "address": "诉求地址",
    "description": "诉求内容",
    "request_type": "诉求类型",
    "urgency": "紧急程度",
    "district": "所属区",
    "street": "所属街乡",
    "due_at": "办理时限",
    "longitude": "经度",
    "latitude": "纬度",
    "coordinate_system": COORDINATE_SYSTEM_COLUMN,
}
KEYS_BY_COLUMN = {column: key for key, column in FIELDS.items()}


class PushRefused(Exception):
    """The push is not accepted as a whole (401, 400 or 413) with a stable code."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


def signature_for(secret: str, timestamp: str | int, body: bytes) -> str:
    """The `X-Signature` header value a source sends with `body` at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def authenticate(*, source_code: str, timestamp: str, signature: str, body: bytes,
                 now: float | None = None) -> HotlineSource:
    """The active source whose secret signed this body at this time; else PushRefused (401)."""
    source = HotlineSource.objects.filter(code=source_code.strip(), is_active=True).first() if source_code else None
    if source is None:
        raise PushRefused(401, "unknown_source", "Unknown or inactive source (X-Source).")
    timestamp = timestamp.strip()
    if not timestamp.isdigit():
        raise PushRefused(401, "stale_timestamp", "X-Timestamp must be the time of sending in unix seconds.")
    expected = signature_for(source.secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise PushRefused(401, "bad_signature", "The signature does not match the body (X-Signature).")
    skew = (time.time() if now is None else now) - int(timestamp)
    if abs(skew) > MAX_SKEW_SECONDS:
        raise PushRefused(401, "stale_timestamp", "X-Timestamp is more than 5 minutes away from the server's "
                                                  "clock: a replay, or the sender's clock is wrong.")
    return source


def parse_batch(body: bytes) -> list[Any]:
    """The orders of a push body: one order object, or {"orders": [...]} with 1 to 500."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PushRefused(400, "invalid_json", f"The body is not JSON in UTF-8: {exc}") from exc
    if isinstance(data, dict) and "orders" in data:
        orders = data["orders"]
        if not isinstance(orders, list) or not orders:
            raise PushRefused(400, "invalid", "`orders` must be a non-empty list of order objects.")
        if len(orders) > MAX_BATCH:
            raise PushRefused(400, "batch_too_large", f"At most {MAX_BATCH} orders per push ({len(orders)} sent).")
        return orders
    if isinstance(data, dict):
        return [data]
    raise PushRefused(400, "invalid", "The body must be one order object or {\"orders\": [...]}.")


def order_from_json(data: Any, layout: Layout) -> tuple[OrderInput | None, dict[str, list[str]]]:
    """A pushed order checked like a file row; errors by JSON key."""
    if not isinstance(data, dict):
        return None, {"non_field_errors": ["工单须为 JSON 对象"]}
    cells: dict[str, Cell] = {}
    errors: dict[str, list[str]] = {}
    for key, column in FIELDS.items():
        value = data.get(key)
        if value is None or isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
            cells[column] = value
        else:
            errors.setdefault(key, []).append("类型不正确，应为文字或数字")
    if errors:
        return None, errors
    if isinstance(cells.get("受理时间"), int | float) or isinstance(cells.get("办理时限"), int | float):
        for key in ("received_at", "due_at"):
            if isinstance(data.get(key), int | float):
                errors.setdefault(key, []).append("日期须为文字，如 2026-05-03T14:05:00+08:00")
        return None, errors
    order, problems = build_order(cells, layout, raw=data)
    for problem in problems:
        errors.setdefault(KEYS_BY_COLUMN.get(problem.column, "non_field_errors"), []).append(problem.reason)
    return order, errors


@dataclass
class PushResult:
    index: int
    order_number: str
    outcome: str  # created, updated, unchanged or rejected
    case: int | None
    errors: dict[str, list[str]]

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "order_number": self.order_number, "outcome": self.outcome,
                "case": self.case, "errors": self.errors}


def take_in_pushed(*, source: HotlineSource, orders: list[Any]) -> list[PushResult]:
    """Take each pushed order in, each in its own transaction (one bad order loses none of the others).
    The source's channel is the orders' channel."""
    layout = Layout(channel=source.channel)
    context = TriageContext.load()
    seen = SeenOrders(where=lambda index: f"本批 index {index} 的工单")
    results: list[PushResult] = []
    for index, data in enumerate(orders):
        number = str(data.get("order_number") or "") if isinstance(data, dict) else ""
        order, errors = order_from_json(data, layout)
        if order is not None:
            _repeat, problem = seen.check(index, order)
            if problem is not None:
                order, errors = None, {"order_number": [problem.reason]}
        if order is None:
            results.append(PushResult(index, number, REJECTED, None, errors))
            continue
        try:
            taken = take_in_order(order=order, via=ReceivedVia.PUSH, actor=None, context=context)
        except CaseError as exc:
            results.append(PushResult(index, number, REJECTED, None, {"non_field_errors": [str(exc.detail)]}))
            continue
        except Exception as exc:
            logger.exception("Push from %s: order %s (index %d) could not be taken in", source.code, number, index)
            results.append(PushResult(index, number, REJECTED, None,
                                      {"non_field_errors": [f"导入时出错：{type(exc).__name__}"]}))
            continue
        results.append(PushResult(index, order.external_id, str(taken.outcome), taken.case.pk, {}))
    return results

