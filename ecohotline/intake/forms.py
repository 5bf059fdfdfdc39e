"""Forms of the intake pages."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from ecohotline.intake.models import ImportProfile

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")


class ImportForm(forms.Form):
    """Upload a 12345 export to import (or to check only: dry run)."""

    file = forms.FileField(label=_("Order file (CSV or XLSX)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}))
    profile = forms.ModelChoiceField(ImportProfile.objects.order_by("name"), required=False,
                                     label=_("Layout"), empty_label=_("Standard 12345 export"))
    dry_run = forms.BooleanField(required=False, label=_("Dry run: check every row, write nothing"))

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("Choose a CSV or XLSX file."))
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(size)d MB.") % {"size": MAX_UPLOAD_BYTES // 2**20})
        return upload
