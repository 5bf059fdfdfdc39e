"""The one error an Open311 request ends with: an HTTP status and the specification's error list."""

from __future__ import annotations

from django.utils.functional import Promise


class Open311Error(Exception):
    """Answered as `<errors>` with `status` (400, 403, 404 or 429); each error has a code and a description."""

    def __init__(self, status: int, description: str | Promise, code: int | None = None) -> None:
        super().__init__(str(description))
        self.status = status
        self.errors: list[tuple[int, str]] = [(code or status, str(description))]

    @classmethod
    def many(cls, status: int, errors: list[tuple[int, str]]) -> Open311Error:
        error = cls(status, errors[0][1], errors[0][0])
        error.errors = errors
        return error
