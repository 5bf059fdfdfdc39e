"""Errors the case services raise; each carries the stable code the API returns."""

from __future__ import annotations

from typing import Any


class CaseError(Exception):
    code = "case_error"
    http_status = 400

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ActionForbidden(CaseError):
    """The actor's roles (or their reach over this case) do not allow the action."""

    code = "forbidden"
    http_status = 403


class TransitionNotAllowed(CaseError):
    """The action is not allowed from the case's current status."""

    code = "transition_not_allowed"
    http_status = 409


class StaleVersion(CaseError):
    """The client acted on an older version of the case than the one stored."""

    code = "stale_version"
    http_status = 409


class RuleViolation(CaseError):
    """The action is allowed but its input breaks a rule (e.g. an extension longer than the policy allows)."""

    http_status = 400

    def __init__(self, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.code = code
