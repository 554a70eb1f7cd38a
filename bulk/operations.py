"""The table of Pipedrive operations the engine knows: method, path, version, token cost.

Built from ``operations_data.py`` (generated from the official specs). Nothing
here talks to the network; the client builds URLs from it, the scheduler
charges its costs and the sandbox bills with the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .operations_data import OPERATION_ROWS

ApiVersion = Literal["v1", "v2"]


@dataclass(frozen=True, slots=True)
class Operation:
    """One Pipedrive API operation as the official spec describes it."""

    id: str
    method: str
    path: str  # template relative to the version base, e.g. "/deals/{id}"
    version: ApiVersion
    token_cost: int
    idempotent: bool
    search: bool

    @property
    def is_write(self) -> bool:
        return self.method != "GET"

    def base_path(self) -> str:
        """The URL prefix of this operation's API version on a Pipedrive origin."""
        return "/api/v2" if self.version == "v2" else "/v1"

    def render_path(self, params: dict[str, object] | None = None) -> str:
        """Full path on the origin, with path parameters filled in."""
        path = self.path
        for key, value in (params or {}).items():
            path = path.replace("{" + key + "}", str(value))
        if "{" in path:
            raise ValueError(f"{self.id}: path parameter missing in {path}")
        # ``base_path``, inline: once per request (issue 8)
        return ("/api/v2" if self.version == "v2" else "/v1") + path


OPERATIONS: dict[str, Operation] = {
    row[0]: Operation(row[0], row[1], row[2], row[3], row[4], row[5], row[6])  # type: ignore[arg-type]
    for row in OPERATION_ROWS
}


def get_operation(operation_id: str) -> Operation:
    try:
        return OPERATIONS[operation_id]
    except KeyError:
        raise ValueError(f"unknown Pipedrive operation {operation_id!r}") from None


__all__ = ["ApiVersion", "OPERATIONS", "Operation", "get_operation"]
