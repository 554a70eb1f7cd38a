"""Pipedrive's error answers, as the sandbox raises and renders them.

The account model raises ``ApiFailure``; the HTTP layer turns it into the
status and body Pipedrive sends (FACTS.md, "Envelopes and errors"). Nothing
here knows about HTTP beyond the status number.
"""

from __future__ import annotations

from typing import Any

ERROR_INFO = "Please check developers.pipedrive.com"
SCHEMA_CODE = "ERR_SCHEMA_VALIDATION_FAILED"

# The 429 body exactly as integrators reported it; it does not say which limit ran out.
RATE_LIMITED_BODY: dict[str, Any] = {
    "success": False, "error": "Request over limit", "errorCode": 429, "error_info": ERROR_INFO,
}


class ApiFailure(Exception):
    """An error answer: status, message and, for some, Pipedrive's ``code``."""

    def __init__(self, status: int, error: str, *, code: str | None = None) -> None:
        super().__init__(f"{status} {error}")
        self.status = status
        self.error = error
        self.code = code

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "success": False, "error": self.error, "error_info": ERROR_INFO,
            "data": None, "additional_data": None, "errorCode": self.status,
        }
        if self.code is not None:
            body["code"] = self.code
        return body


def invalid(key: str, reason: str) -> ApiFailure:
    """v2 schema validation: 400 ERR_SCHEMA_VALIDATION_FAILED naming the key."""
    return ApiFailure(400, f"Validation failed: {key}: {reason}", code=SCHEMA_CODE)


def combined(problems: list[ApiFailure]) -> ApiFailure:
    """One 400 naming every bad key of a body (not only the first), ``; ``-separated;
    a schema failure when any part is one."""
    if len(problems) == 1:
        return problems[0]
    parts = [p.error.removeprefix("Validation failed: ") for p in problems]
    schema = any(p.code == SCHEMA_CODE for p in problems)
    return ApiFailure(400, ("Validation failed: " if schema else "") + "; ".join(parts),
                      code=SCHEMA_CODE if schema else None)


def bad_request(message: str) -> ApiFailure:
    return ApiFailure(400, message)


def not_found(entity: str) -> ApiFailure:
    return ApiFailure(404, f"{entity} not found")


def unauthorized() -> ApiFailure:
    return ApiFailure(401, "unauthorized access")


def open_deals_limit() -> ApiFailure:
    return ApiFailure(403, "Open deals limit reached", code="feature_capping_deals_limit")


def server_error(status: int) -> ApiFailure:
    return ApiFailure(status, "Service unavailable" if status == 503 else "Internal server error")


__all__ = ["ERROR_INFO", "RATE_LIMITED_BODY", "SCHEMA_CODE", "ApiFailure", "bad_request", "combined",
           "invalid", "not_found", "open_deals_limit", "server_error", "unauthorized"]
