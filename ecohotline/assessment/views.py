"""The ledger (台账) and retrospectives (回访回溯) pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    return render(request, "assessment/ledger.html", {})
