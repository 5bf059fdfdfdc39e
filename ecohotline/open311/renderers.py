"""GeoReport v2 documents in XML and JSON, shaped as the specification shows them.

XML: `<?xml version="1.0" encoding="utf-8"?>`, no namespace, a root element holding one child element per item
(`<services><service>`, `<service_requests><request>`, `<errors><error>`); nested lists get the singular of their
name (`<attributes><attribute>`, `<values><value>`, `<formats><format>`). JSON is the same tree with the lists as
arrays (the "Spark convention" the specification uses): a list document is a top-level array.
Booleans are `true`/`false`; a missing value is an empty element in XML and `null` in JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.utils.functional import Promise

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
FORMATS = ("xml", "json")

# Characters XML 1.0 cannot hold (control characters that come in with imported orders): dropped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# The element of each item of a nested list, by the list's element name.
ITEM_TAGS = {"attributes": "attribute", "values": "value", "formats": "format", "endpoints": "endpoint"}


def w3c_datetime(value: dt.datetime | None) -> str | None:
    """A W3C date-time with the offset of the server's time zone: 2026-05-03T14:05:00+08:00."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(settings.TIME_ZONE)).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3c_datetime(value) or ""
    return NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        element.text = _text(value)


def xml_document(root: str, item: str | None, content: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> bytes:
    """`root` holding one `item` element per mapping of `content` (or, with `item` None, one mapping's fields)."""
    element = ET.Element(root)
    if item is None:
        assert isinstance(content, Mapping)
        _fill(element, content)
    else:
        for entry in content:
            _fill(ET.SubElement(element, item), entry)
    return (XML_DECLARATION + ET.tostring(element, encoding="unicode")).encode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return w3c_datetime(value)
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_document(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, default=_json_default).encode("utf-8")


def respond(fmt: str, root: str, item: str | None, content: Any, *, status: int = 200) -> HttpResponse:
    """A document in the format the URL asked for (`.xml` or `.json`)."""
    if fmt == "json":
        body = json_document(content)
        return HttpResponse(body, status=status, content_type=JSON_CONTENT_TYPE)
    return HttpResponse(xml_document(root, item, _strings(content)), status=status, content_type=XML_CONTENT_TYPE)


def _strings(content: Any) -> Any:
    """Lazy translations as text (ElementTree wants str)."""
    if isinstance(content, Promise):
        return str(content)
    if isinstance(content, Mapping):
        return {key: _strings(value) for key, value in content.items()}
    if isinstance(content, list | tuple):
        return [_strings(value) for value in content]
    return content


def error_response(fmt: str, errors: Iterable[tuple[int, str]], *, status: int) -> HttpResponse:
    """The specification's error list: `<errors><error><code/><description/></error></errors>` or
    `[{"code": 400, "description": "..."}]`."""
    content = [{"code": code, "description": str(description)} for code, description in errors]
    return respond(fmt if fmt in FORMATS else "xml", "errors", "error", content, status=status)
