"""Language choice (`?lang=en` wins, then the user's saved choice, then the cookie, then zh-Hans) and the sign-out of
sessions left idle."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh_hans": "zh-hans", "en-us": "en", "en-gb": "en"}


def normalise_language(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower()
    code = ALIASES.get(code, code)
    return code if code in LANGUAGE_CODES else None


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        asked = normalise_language(request.GET.get("lang"))
        user = getattr(request, "user", None)
        saved = normalise_language(getattr(user, "language", None)) if user and user.is_authenticated else None
        cookie = normalise_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        language = asked or saved or cookie or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if asked:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, asked, max_age=365 * 24 * 3600, samesite="Lax")
        translation.deactivate()
        return response


IDLE_KEY = "last_seen"
# A request marks the session as seen at most this often (seconds): not a session write per request.
TOUCH_SECONDS = 60


def mark_seen_at_login(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """A new session starts as seen (connected in `CoreConfig.ready`): its first page writes nothing more."""
    if hasattr(request, "session"):
        request.session[IDLE_KEY] = int(time.time())


class IdleSessionMiddleware:
    """Signs out a session that made no request for `SESSION_IDLE_SECONDS` (a desk left open in an empty office);
    `SESSION_COOKIE_AGE` still bounds a session however busy. The next page then asks to sign in again, saying why.
    Token-authenticated API calls have no session and are not concerned."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(IDLE_KEY)
            if isinstance(last, int) and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("You were signed out after %(minutes)d minutes without activity.")
                              % {"minutes": settings.SESSION_IDLE_SECONDS // 60})
            elif not isinstance(last, int) or now - last >= TOUCH_SECONDS:
                request.session[IDLE_KEY] = now
        return self.get_response(request)
