"""The one error every standards function raises for impossible or incomplete input."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured


class StandardsError(ValueError):
    """Input a standard cannot judge: a negative concentration, an unknown zone class, a missing key.

    `code` is stable (for programs), `field` names the offending input (for forms), `message` is a
    translatable sentence (Django's `gettext_lazy`, English msgid) formatted with `params`.
    """

    def __init__(self, code: str, message: Any, *, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.field = field
        self.message = message
        self.params = params
        super().__init__(code)

    def __str__(self) -> str:
        try:
            text = str(self.message)
        except (ImproperlyConfigured, AppRegistryNotReady):  # outside a set-up Django project: the English original
            text = getattr(self.message, "_args", (self.message,))[0]
        return text % self.params if self.params else text
