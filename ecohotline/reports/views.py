"""The reports page: generate a document on demand, download from the archive."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/report_list.html", {})
