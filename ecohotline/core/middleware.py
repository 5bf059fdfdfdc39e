"""Language choice: `?lang=en` wins, then the user's saved choice, then the cookie, then zh-Hans."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

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
