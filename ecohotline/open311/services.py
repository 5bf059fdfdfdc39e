"""Open311 writes: issuing and revoking API keys, and filing a service request through the intake pipeline."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ecohotline.cases.models import Channel
from ecohotline.cases.selectors import category_labels
from ecohotline.intake.models import ReceivedVia
from ecohotline.intake.orders import OrderInput
from ecohotline.intake.services import take_in_order
from ecohotline.open311.catalogue import attributes_for
from ecohotline.open311.forms import NewRequest
from ecohotline.open311.models import ApiKey, ServiceRequest
from ecohotline.org.models import User

KEY_BYTES = 32
ORDER_PREFIX = "O311-"


@dataclass(frozen=True)
class IssuedKey:
    """A new key: `plain` is shown once to whoever issued it and never stored."""

    key: ApiKey
    plain: str


@transaction.atomic
def issue_api_key(*, actor: User | None, name: str, contact: str = "", rate_limit_per_hour: int = 60) -> IssuedKey:
    """Issue a key for an app that files requests (POST requests)."""
    plain = secrets.token_urlsafe(KEY_BYTES)
    key = ApiKey.objects.create(name=name, contact=contact, rate_limit_per_hour=rate_limit_per_hour,
                                prefix=plain[:8], key_hash=ApiKey.hash_key(plain), created_by=actor)
    return IssuedKey(key=key, plain=plain)


@transaction.atomic
def revoke_api_key(*, actor: User | None, key: ApiKey) -> ApiKey:
    """Revoke a key: the app's next POST gets 403. Requests it filed stay as they are."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def _complainant_name(request: NewRequest) -> str:
    first, last = request.first_name, request.last_name
    if (first + last).isascii():
        return " ".join(part for part in (first, last) if part)
    return f"{last}{first}"  # a Chinese name: family name first


def _description(request: NewRequest, service_name: str) -> str:
    """What the desk reads: the citizen's text, then the answers to the service's questions and the media."""
    lines = [request.description or service_name]
    labels = {attribute.code: (attribute.description, dict(attribute.values)) for attribute in
              attributes_for(request.service_code)}
    for code, value in request.attributes.items():
        label, names = labels.get(code, (code, {}))
        values = value if isinstance(value, list) else [value]
        shown = "、".join(str(names.get(item, item)) for item in values)
        lines.append(f"{label}：{shown}")
    for url in request.media_urls:
        lines.append(_("Photo or media: %(url)s") % {"url": url})
    if request.address_id:
        lines.append(_("Address id: %(id)s") % {"id": request.address_id})
    return "\n".join(lines)


@transaction.atomic
def file_request(*, api_key: ApiKey, request: NewRequest, raw: Mapping[str, object]) -> ServiceRequest:
    """Take a request posted through Open311 in like any other order (channel `open311`): triage places,
    routes and checks it for duplicates, and it waits in the dispatcher's inbox. The sub-category the app chose
    is kept. `raw` is the request as posted, without the API key (kept with the order as received)."""
    token = uuid.uuid4().hex
    now = timezone.now()
    names = category_labels().get(request.service_code, (request.service_code, request.service_code))
    with translation.override("zh-hans"):  # what the desk reads
        description = _description(request, names[0])
    name = _complainant_name(request)
    order = OrderInput(
        channel=Channel.OPEN311, external_id=ORDER_PREFIX + token, received_at=now, description=description,
        complainant_name=name, complainant_phone=request.phone, address=request.address_string,
        latitude=request.latitude, longitude=request.longitude, coordinate_system="wgs84",
        complainant_anonymous=not (name or request.phone or request.email), sub_category=request.service_code,
        raw={**raw, "api_key_id": api_key.pk, "api_key_name": api_key.name},
    )
    taken = take_in_order(order=order, via=ReceivedVia.OPEN311, actor=None)
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return ServiceRequest.objects.create(
        case=taken.case, token=token, api_key=api_key, service_code=request.service_code,
        attributes=request.attributes, media_urls=request.media_urls, account_id=request.account_id,
        device_id=request.device_id,
    )
