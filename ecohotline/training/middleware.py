"""Puts a trainee's requests inside their training run (情景模拟): the desk then shows the run's case alone, on the
run's simulated clock, and the run's script plays what is due before each request.

The htmx panels of a page neither play the script nor, from a closed app, redirect: they answer nothing (204).

A session enters a run through `training:enter` and leaves through `training:leave`. Inside, only the desk's pages
about the case, the knowledge base and the training pages are open; any other page (intake, reports, analysis,
the API, the admin) sends the user back to the run's page with a message, so that nobody mistakes training for
real work, and no real page is ever computed inside a run.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from ecohotline.training import services
from ecohotline.training.models import Run

SESSION_KEY = "training_run"
# The desk pages a run uses; every page of the `training` and `knowledge` namespaces.
DESK_PAGES = frozenset({
    "ui:home", "ui:inbox", "ui:case-list", "ui:case-detail", "ui:case-action", "ui:case-attachment",
    "ui:reply-draft", "ui:reply-check", "ui:measurement-fields", "ui:measurement-verdict", "ui:set-language",
    "logout",
})
OPEN_NAMESPACES = frozenset({"training", "knowledge"})


def _allowed(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # a 404 says nothing of real data
    return match.view_name in DESK_PAGES or bool(OPEN_NAMESPACES & set(match.namespaces))


class TrainingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        run_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if not run_id:
            return self.get_response(request)
        run = Run.objects.select_related("scenario", "case").filter(pk=run_id).first()
        if run is None or not services.may_enter(request.user, run):  # type: ignore[arg-type]
            request.session.pop(SESSION_KEY, None)
            return self.get_response(request)
        fragment = request.headers.get("HX-Request") == "true"
        if not _allowed(request):
            if fragment:  # a panel of the case page from a closed app: nothing, not the run page inside the case page
                return HttpResponse(status=204)
            messages.info(request, _("You are in a training run: leave it to use this page."))
            return redirect("training:run", pk=run.pk)
        if not fragment:  # the page plays the script, not each of its panels at once
            services.play_script(run)
            run.refresh_from_db()
        request.training_run = run  # type: ignore[attr-defined]
        with services.inside(run):
            return self.get_response(request)
