"""The parameters of Open311 requests, checked: each problem becomes an error of the specification's list."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from ecohotline.open311.catalogue import Attribute, Datatype, attributes_for
from ecohotline.open311.exceptions import Open311Error

MAX_RANGE = dt.timedelta(days=90)
MAX_IDS = 1000
MAX_DESCRIPTION = 4000
MAX_MEDIA_URLS = 5
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]{1,50})\](\[\])?$")
HTML_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,28}$")
STATUSES = ("open", "closed")


def jurisdiction_id() -> str:
    """The jurisdiction this server answers for (`settings.OPEN311_JURISDICTION_ID`)."""
    return str(settings.OPEN311_JURISDICTION_ID)


def check_jurisdiction(params: QueryDict) -> None:
    """A single-jurisdiction server: `jurisdiction_id` is optional, but when given it must be ours."""
    given = (params.get("jurisdiction_id") or "").strip()
    if given and given.lower() != jurisdiction_id().lower():
        raise Open311Error(404, _("jurisdiction_id %(given)s was not found; this server serves %(ours)s.")
                           % {"given": given, "ours": jurisdiction_id()})


def _when(value: str, name: str) -> dt.datetime:
    parsed: dt.datetime | None = None
    try:
        parsed = parse_datetime(value)
        if parsed is None and (day := parse_date(value)) is not None:
            parsed = dt.datetime.combine(day, dt.time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(400, _("%(name)s must be a W3C date-time such as 2026-05-03T00:00:00+08:00.")
                           % {"name": name})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.split(",") if code.strip()]


@dataclass(frozen=True)
class RequestFilter:
    """What `GET requests` asks for: ids (which override everything else), or a window and filters."""

    ids: list[int] | None = None
    service_codes: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: list[str] = field(default_factory=list)


def parse_request_filter(params: QueryDict, now: dt.datetime | None = None) -> RequestFilter:
    """The filter of `GET requests`: at most 90 days (the last 90 by default), at most 1,000 ids."""
    if raw_ids := (params.get("service_request_id") or "").strip():
        ids = _codes(raw_ids)
        if len(ids) > MAX_IDS:
            raise Open311Error(400, _("At most %(count)d service_request_id values at once.") % {"count": MAX_IDS})
        # An id that is not one of ours finds nothing, as an unknown number would.
        return RequestFilter(ids=[int(value) for value in ids if value.isdigit() and len(value) < 19])
    now = now or timezone.now()
    start_text, end_text = (params.get("start_date") or "").strip(), (params.get("end_date") or "").strip()
    start = _when(start_text, "start_date") if start_text else None
    end = _when(end_text, "end_date") if end_text else None
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - MAX_RANGE
    if end is None:
        end = start + MAX_RANGE
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > MAX_RANGE:
        raise Open311Error(400, _("start_date and end_date may be at most 90 days apart."))
    statuses = [status.lower() for status in _codes(params.get("status") or "")]
    if unknown := [status for status in statuses if status not in STATUSES]:
        raise Open311Error(400, _("status must be open or closed (comma separated), not %(value)s.")
                           % {"value": ", ".join(unknown)})
    return RequestFilter(service_codes=_codes(params.get("service_code") or ""), start=start, end=end,
                         statuses=statuses)


@dataclass
class NewRequest:
    """A `POST requests` as checked: the service, where, what, and who (all contact fields optional)."""

    service_code: str
    latitude: float | None = None
    longitude: float | None = None
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    media_urls: list[str] = field(default_factory=list)
    attributes: dict[str, str | list[str]] = field(default_factory=dict)
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    device_id: str = ""
    account_id: str = ""


def _coordinate(value: str, name: str, limit: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > limit:
        raise Open311Error(400, _("%(name)s must be a WGS-84 decimal degree between -%(limit)d and %(limit)d.")
                           % {"name": name, "limit": limit})
    return number


def _short(params: QueryDict, name: str, limit: int = 100) -> str:
    value = (params.get(name) or "").strip()
    if len(value) > limit:
        raise Open311Error(400, _("%(name)s is longer than %(limit)d characters.") % {"name": name, "limit": limit})
    return value


def parse_attributes(params: QueryDict, service_code: str) -> dict[str, str | list[str]]:
    """`attribute[code]=value` (`attribute[code][]=v` for a multivaluelist) checked against the definition.
    Codes the definition does not know are kept as given (FixMyStreet sends `attribute[fixmystreet_id]`)."""
    given: dict[str, str | list[str]] = {}
    for key in params:
        if match := ATTRIBUTE_KEY.match(key):
            values = [value.strip()[:1000] for value in params.getlist(key)]
            given[match.group(1)] = values if match.group(2) else (values[-1] if values else "")
    errors: list[tuple[int, str]] = []
    for attribute in attributes_for(service_code):
        value = given.get(attribute.code)
        if value is None or value in ("", []):
            if attribute.required and attribute.variable:
                errors.append((400, _("attribute[%(code)s] is required for this service.")
                               % {"code": attribute.code}))
            continue
        if problem := _attribute_problem(attribute, value):
            errors.append((400, problem))
    if errors:
        raise Open311Error.many(400, errors)
    return given


def _attribute_problem(attribute: Attribute, value: str | list[str]) -> str | None:
    values = value if isinstance(value, list) else [value]
    keys = {key for key, _name in attribute.values}
    if attribute.datatype in (Datatype.SINGLE, Datatype.MULTI):
        if attribute.datatype == Datatype.SINGLE and len(values) > 1:
            return _("attribute[%(code)s] takes one value.") % {"code": attribute.code}
        if wrong := [item for item in values if item not in keys]:
            return _("attribute[%(code)s] must be one of %(keys)s, not %(value)s.") % {
                "code": attribute.code, "keys": ", ".join(sorted(keys)), "value": ", ".join(wrong)}
    elif attribute.datatype == Datatype.DATETIME:
        try:
            _when(values[0], f"attribute[{attribute.code}]")
        except Open311Error as exc:
            return exc.errors[0][1]
    elif attribute.datatype == Datatype.NUMBER:
        try:
            float(values[0])
        except ValueError:
            return _("attribute[%(code)s] must be a number.") % {"code": attribute.code}
    return None


def parse_new_request(params: QueryDict, known_codes: set[str]) -> NewRequest:
    """A new request's parameters; the first problem found raises (404 for an unknown service_code)."""
    service_code = (params.get("service_code") or "").strip()
    if not service_code:
        raise Open311Error(400, _("service_code was not provided."))
    if service_code not in known_codes:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": service_code[:50]})
    request = NewRequest(service_code=service_code)
    lat, long = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
    if lat or long:
        if not (lat and long):
            raise Open311Error(400, _("lat and long must be sent together."))
        request.latitude = _coordinate(lat, "lat", 90)
        request.longitude = _coordinate(long, "long", 180)
    request.address_string = _short(params, "address_string", 300)
    request.address_id = _short(params, "address_id")
    if request.latitude is None and not request.address_string and not request.address_id:
        raise Open311Error(400, _("A location is required: lat and long, address_string or address_id."))
    description = (params.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description is longer than 4,000 characters."))
    if HTML_TAG.search(description):
        raise Open311Error(400, _("description may not contain HTML."))
    request.description = description
    urls = [url.strip() for url in params.getlist("media_url") if url.strip()]
    if len(urls) > MAX_MEDIA_URLS:
        raise Open311Error(400, _("At most %(count)d media_url values.") % {"count": MAX_MEDIA_URLS})
    validate_url = URLValidator(schemes=["http", "https"])
    for url in urls:
        try:
            if len(url) > 1000:
                raise ValidationError("too long")
            validate_url(url)
        except ValidationError:
            raise Open311Error(400, _("media_url must be an http or https URL.")) from None
    request.media_urls = urls
    request.email = _short(params, "email", 254)
    if request.email:
        try:
            EmailValidator()(request.email)
        except ValidationError:
            raise Open311Error(400, _("email is not a valid e-mail address.")) from None
    request.phone = _short(params, "phone", 30)
    if request.phone and not PHONE.match(request.phone):
        raise Open311Error(400, _("phone must be a telephone number (digits, spaces, hyphens, a leading +)."))
    request.first_name = _short(params, "first_name", 50)
    request.last_name = _short(params, "last_name", 50)
    request.device_id = _short(params, "device_id")
    request.account_id = _short(params, "account_id")
    request.attributes = parse_attributes(params, service_code)
    return request
