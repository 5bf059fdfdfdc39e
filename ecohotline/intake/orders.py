"""The one shape every channel's order takes on its way in (file rows, pushed JSON, the desk's form)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any

from ecohotline.cases.models import CaseKind, RequestType, Urgency

# Canonical columns of a 12345 order export, and the field each fills.
CANONICAL_COLUMNS: dict[str, str] = {
    "工单编号": "external_id",
    "受理时间": "received_at",
    "诉求人": "complainant_name",
    "联系电话": "complainant_phone",
    "诉求地址": "address",
    "诉求内容": "description",
    "诉求类型": "request_type",
    "紧急程度": "urgency",
    "所属区": "district",
    "所属街乡": "street_name",
    "办理时限": "hotline_due_at",
    "经度": "longitude",
    "纬度": "latitude",
}
REQUIRED_COLUMNS = ("工单编号", "受理时间", "诉求人", "联系电话", "诉求地址", "诉求内容", "诉求类型", "紧急程度")

REQUEST_TYPES = {"投诉": RequestType.COMPLAINT, "举报": RequestType.REPORT, "咨询": RequestType.ENQUIRY,
                 "建议": RequestType.SUGGESTION, "求助": RequestType.HELP, "表扬": RequestType.PRAISE}
URGENCIES = {"紧急": Urgency.URGENT, "一般": Urgency.NORMAL, "普通": Urgency.NORMAL, "复杂": Urgency.COMPLEX,
             "复杂疑难": Urgency.COMPLEX}


@dataclass
class OrderInput:
    """An order as a channel delivered it, already checked and typed (times are aware)."""

    channel: str
    external_id: str
    received_at: dt.datetime
    description: str
    complainant_name: str = ""
    complainant_phone: str = ""
    address: str = ""
    request_type: str = RequestType.COMPLAINT
    urgency: str = Urgency.NORMAL
    district: str = ""
    street_name: str = ""
    hotline_due_at: dt.datetime | None = None
    longitude: float | None = None
    latitude: float | None = None
    # What the coordinates are in: "wgs84", "gcj02" (高德/腾讯) or "bd09" (百度).
    coordinate_system: str = "wgs84"
    title: str = ""
    complainant_anonymous: bool = False
    # What the person entering an order at the desk (or an API client) already knows; triage keeps it.
    kind: str = CaseKind.COMPLAINT
    sub_category: str = ""  # a pollution code such as "noise.social"; empty: triage classifies
    street_id: int | None = None  # the street/town unit; None: triage places the address
    community: str = ""
    polluter: str = ""
    complainant_confidential: bool = False
    raw: dict[str, Any] = field(default_factory=dict)
    # The content and its hash, once computed (an order is not changed after it is read).
    _content: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    _digest: str | None = field(default=None, init=False, repr=False, compare=False)

    def content(self) -> dict[str, Any]:
        """The order's content, comparable across deliveries (not the raw row nor the channel)."""
        if self._content is None:
            values = ((name, getattr(self, name)) for name in _CONTENT_FIELDS)
            self._content = {name: value.isoformat() if isinstance(value, dt.datetime) else value
                             for name, value in values}
        return self._content

    def content_hash(self, content: dict[str, Any] | None = None) -> str:
        """`content`: this order's `content()` when the caller has it already."""
        if self._digest is None:
            encoded = json.dumps(self.content() if content is None else content, ensure_ascii=False,
                                 sort_keys=True).encode()
            self._digest = hashlib.sha256(encoded).hexdigest()
        return self._digest


_CONTENT_FIELDS = tuple(f.name for f in fields(OrderInput) if f.name != "raw" and not f.name.startswith("_"))
