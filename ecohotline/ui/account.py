"""The user's own pages: notifications, my settings, changing the password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecohotline.core.middleware import normalise_language
from ecohotline.notify import selectors as notify_selectors
from ecohotline.notify import services as notify_services
from ecohotline.org.models import Role
from ecohotline.org.services import set_language_preference

NOTIFICATIONS_PER_PAGE = 50


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    page = Paginator(notify_selectors.notifications_for(user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page"))
    rows = [(item, notify_selectors.notification_text(item)) for item in page.object_list]
    return render(request, "ui/notifications.html", {"page": page, "rows": rows})


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    if not notify_services.mark_read(user=request.user, notification_id=pk):  # type: ignore[arg-type]
        raise Http404
    return redirect("ui:notifications")


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notify_services.mark_all_read(user=request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("ui:notifications")


@login_required
def my_settings(request: HttpRequest) -> HttpResponse:
    """My settings: the interface language (remembered on the account), and what the account holds."""
    user: Any = request.user
    languages = dict(settings.LANGUAGES)
    if request.method == "POST":
        language = normalise_language(request.POST.get("language"))
        if language not in languages:
            messages.error(request, _("Choose one of the languages offered."))
            return redirect("ui:settings")
        set_language_preference(user=user, language=language)
        translation.activate(language)
        messages.success(request, _("Your settings are saved."))
        response = redirect("ui:settings")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
        return response
    labels = dict(Role.choices)
    return render(request, "ui/settings.html", {
        "roles": [labels[code] for code in sorted(user.role_codes) if code in labels],
        "languages": settings.LANGUAGES,
        "current_language": user.language or translation.get_language(),
    })


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change, on the desk's layout, back to my settings when done."""

    template_name = "ui/settings.html"
    success_url = reverse_lazy("ui:settings")
    extra_context = {"changing_password": True, "title": gettext_lazy("Change password")}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response
