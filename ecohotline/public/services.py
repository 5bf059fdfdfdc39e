"""Filing a complaint from the public page (网上投诉): it goes through the intake like every order."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from ecohotline.cases import services as case_services
from ecohotline.cases.attachments import check_photos
from ecohotline.cases.models import Channel, RequestType
from ecohotline.intake.models import ReceivedVia
from ecohotline.intake.orders import OrderInput
from ecohotline.intake.services import take_in_order
from ecohotline.public.forms import TRACKING_ALPHABET
from ecohotline.public.models import PublicReport

TRACKING_LENGTH = 12  # 60 random bits: not guessable, and still easy to read out and type


@dataclass(frozen=True)
class PublicComplaint:
    """A complaint as the public form delivers it, already checked."""

    description: str
    address: str = ""
    sub_category: str = ""
    longitude: float | None = None  # GCJ-02, the system of the page's map
    latitude: float | None = None
    name: str = ""
    phone: str = ""
    consent_to_contact: bool = False
    language: str = ""


def new_tracking_number() -> str:
    while True:
        number = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
        if not PublicReport.objects.filter(tracking_number=number).exists():
            return number


def format_tracking_number(number: str) -> str:
    """ABCD-EFGH-JKLM: easier to read out and copy."""
    return "-".join(number[i:i + 4] for i in range(0, len(number), 4))


@transaction.atomic
def file_public_report(*, complaint: PublicComplaint, photos: Sequence[UploadedFile] = (), submission_key: str,
                       now: dt.datetime | None = None) -> PublicReport:
    """Take a citizen's complaint in as an order of the web channel (triaged, in the dispatchers' inbox), attach
    its photos to the case and give it a tracking number. The same form sent again (`submission_key`) files
    nothing more and returns the first report. There is no actor: the citizen is not a user."""
    known = PublicReport.objects.filter(submission_key=submission_key).select_related("case").first()
    if known is not None:
        return known
    check_photos(photos)
    received_at = now or timezone.now()
    anonymous = not (complaint.name or complaint.phone)
    order = OrderInput(
        channel=Channel.WEB,
        # The order number the desk sees: random, and not the tracking number (which is the citizen's key).
        external_id=f"WEB-{received_at:%Y%m%d}-{secrets.token_hex(5).upper()}",
        received_at=received_at, description=complaint.description, request_type=RequestType.COMPLAINT,
        complainant_name=complaint.name, complainant_phone=complaint.phone, complainant_anonymous=anonymous,
        address=complaint.address, sub_category=complaint.sub_category,
        longitude=complaint.longitude, latitude=complaint.latitude, coordinate_system="gcj02",
        raw={"source": "public_page", "language": complaint.language, "photos": len(photos),
             "consent_to_contact": complaint.consent_to_contact},
    )
    case = take_in_order(order=order, via=ReceivedVia.WEB, actor=None).case
    case_services.attach_complainant_photos(case=case, photos=photos, via=ReceivedVia.WEB)
    return PublicReport.objects.create(case=case, tracking_number=new_tracking_number(),
                                       submission_key=submission_key,
                                       consent_to_contact=complaint.consent_to_contact,
                                       language=complaint.language[:10])
