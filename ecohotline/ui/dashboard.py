"""The leaders' dashboard (领导驾驶舱): rankings, the 12-month trend of the rates, cases per street on a map."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/dashboard.html", {})
