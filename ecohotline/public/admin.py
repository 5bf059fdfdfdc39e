
from django.contrib import admin

from ecohotline.core.admin import ReadOnlyAdmin
from ecohotline.public.models import PublicReport


@admin.register(PublicReport)
class PublicReportAdmin(ReadOnlyAdmin):
    """Read only: reports are filed on the public page and handled as cases."""

    list_display = ("tracking_number", "case", "consent_to_contact", "language", "created_at")
    search_fields = ("tracking_number", "case__external_id")
    fields = ("case", "tracking_number", "consent_to_contact", "language", "created_at")
    readonly_fields = fields

