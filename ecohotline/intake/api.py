"""`POST /api/v1/hotline/orders`: the push endpoint of the hotline platforms (12345, 12369)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.core.http import read_limited_body
from ecohotline.intake.push import (
    MAX_BATCH,
    MAX_BODY_BYTES,
    MAX_SKEW_SECONDS,
    REJECTED,
    PushRefused,
    authenticate,
    parse_batch,
    take_in_pushed,
)

DESCRIPTION = f"""Push 12345/12369 orders: one order object, or `{{"orders": [...]}}` with up to {MAX_BATCH}.

**Authentication** (no session or token): every request carries

* `X-Source`: the code of the push source (set up in admin, with its shared secret);
* `X-Timestamp`: the time of sending, unix seconds;
* `X-Signature`: `sha256=` + hex HMAC-SHA256 with the source's secret over the bytes
  `"<X-Timestamp>."` followed by the raw body, e.g. in Python
  `hmac.new(secret, f"{{timestamp}}.".encode() + body, hashlib.sha256).hexdigest()`.

The timestamp is part of what is signed, so a captured request cannot be replayed with a new timestamp;
a timestamp more than {MAX_SKEW_SECONDS // 60} minutes before or after the server's clock is refused. A request
replayed unchanged within the window only delivers the same orders again, which are found unchanged.
401 with `code` `unknown_source`, `bad_signature` or `stale_timestamp`; the signature is checked before the
body is parsed. Bodies over {MAX_BODY_BYTES // 2**20} MB: 413 `too_large`. More than {MAX_BATCH} orders: 400
`batch_too_large`; not JSON: 400 `invalid_json`.

**Orders**: the fields of the 12345 export with English keys; `order_number`, `received_at` (ISO 8601; without
an offset it is Beijing time; `2026-05-03 14:05` and `2026/5/3 14:05` are accepted too), `address`,
`description`, `request_type` (投诉/举报/咨询/建议/求助/表扬 or the code) and `urgency` (紧急/一般/复杂 or the code)
are required; `longitude`/`latitude` both or neither, in `coordinate_system` `gcj02` (default), `wgs84` or `bd09`.

**Result**: 200 whenever the push was accepted, with one result per order in the order sent: `outcome`
`created` (a new case), `updated` (a 补充: the order was known with other content; its case got an
`order_updated` entry), `unchanged` (already known as it is) or `rejected` (with `errors` by field, in Chinese).
Each order is taken in its own transaction: a rejected order loses none of the others. Pushing the same orders
again creates nothing new.
"""

_ORDER = inline_serializer("HotlineOrder", {
    "order_number": serializers.CharField(max_length=64),
    "received_at": serializers.CharField(help_text="ISO 8601; Beijing time when no offset"),
    "complainant_name": serializers.CharField(required=False, allow_blank=True),
    "complainant_phone": serializers.CharField(required=False, allow_blank=True),
    "address": serializers.CharField(),
    "description": serializers.CharField(),
    "request_type": serializers.CharField(help_text="投诉, 举报, 咨询, 建议, 求助, 表扬 or the code"),
    "urgency": serializers.CharField(help_text="紧急, 一般, 普通, 复杂 or the code"),
    "district": serializers.CharField(required=False, allow_blank=True),
    "street": serializers.CharField(required=False, allow_blank=True, help_text="所属街乡"),
    "due_at": serializers.CharField(required=False, allow_blank=True, help_text="办理时限, ISO 8601"),
    "longitude": serializers.FloatField(required=False, allow_null=True),
    "latitude": serializers.FloatField(required=False, allow_null=True),
    "coordinate_system": serializers.ChoiceField(["gcj02", "wgs84", "bd09"], required=False),
})
_RESULTS_LIST = inline_serializer("HotlineOrderResult", many=True, fields={
    "index": serializers.IntegerField(),
    "order_number": serializers.CharField(),
    "outcome": serializers.ChoiceField(["created", "updated", "unchanged", REJECTED]),
    "case": serializers.IntegerField(allow_null=True),
    "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
})
_RESULTS = inline_serializer("HotlinePushResults", {
    "results": _RESULTS_LIST,
    "summary": serializers.DictField(child=serializers.IntegerField()),
})
_ERROR = inline_serializer("HotlinePushError", {"code": serializers.CharField(), "detail": serializers.CharField()})


def _header(request: Request, name: str) -> str:
    return str(request.headers.get(name, "") or "")


class HotlineOrdersView(APIView):
    """Orders pushed by a hotline platform, signed with its shared secret."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    parser_classes: list[Any] = []  # the raw body is read (and its signature checked) before any parsing

    @extend_schema(
        operation_id="hotline_orders_push",
        summary="Push hotline orders (HMAC-signed)",
        description=DESCRIPTION,
        auth=[],
        request={"application/json": _ORDER},
        parameters=[
            OpenApiParameter("X-Source", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
                             description="code of the push source"),
            OpenApiParameter("X-Timestamp", OpenApiTypes.INT, OpenApiParameter.HEADER, required=True,
                             description="unix seconds; part of what is signed"),
            OpenApiParameter("X-Signature", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
                             description="sha256=<hex HMAC-SHA256(secret, timestamp + '.' + body)>"),
        ],
        responses={
            200: _RESULTS,
            400: OpenApiResponse(_ERROR, description="invalid_json, invalid or batch_too_large"),
            401: OpenApiResponse(_ERROR, description="unknown_source, bad_signature or stale_timestamp"),
            413: OpenApiResponse(_ERROR, description="too_large (over 5 MB)"),
        },
        examples=[OpenApiExample("One order", request_only=True, value={
            "order_number": "2026050300001", "received_at": "2026-05-03T14:05:00+08:00",
            "complainant_name": "张三", "complainant_phone": "13812345678",
            "address": "北京市海淀区中关村大街12号", "description": "楼下烧烤店油烟直排。",
            "request_type": "投诉", "urgency": "一般", "street": "中关村街道",
            "longitude": 116.3162, "latitude": 39.9834, "coordinate_system": "gcj02",
        })],
    )
    def post(self, request: Request) -> Response:
        try:
            body = self._read_body(request)
            source = authenticate(source_code=_header(request, "X-Source"),
                                  timestamp=_header(request, "X-Timestamp"),
                                  signature=_header(request, "X-Signature"), body=body)
            orders = parse_batch(body)
        except PushRefused as refused:
            return Response({"code": refused.code, "detail": refused.detail}, status=refused.status)
        results = take_in_pushed(source=source, orders=orders)
        summary = {outcome: 0 for outcome in ("created", "updated", "unchanged", REJECTED)}
        for result in results:
            summary[result.outcome] += 1
        return Response({"results": [result.as_json() for result in results], "summary": summary},
                        status=status.HTTP_200_OK)

    @staticmethod
    def _read_body(request: Request) -> bytes:
        """The raw body, at most 5 MB (read from the stream: Django's own limit on `request.body` is lower)."""
        body = read_limited_body(request._request, MAX_BODY_BYTES)
        if body is None:
            raise PushRefused(413, "too_large", f"The body is larger than {MAX_BODY_BYTES // 2**20} MB.")
        return body
