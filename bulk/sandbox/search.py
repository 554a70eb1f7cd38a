"""Search: a versioned index with an optional lag, and term matching like Pipedrive's.

Every write stores a version of the record with its write time; a search at
time t sees, per record, the newest version written at or before t - lag.
So with ``search_lag`` a fresh record is missing and an updated one shows its
old values for a while, as an eventually consistent index would.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import invalid

Record = dict[str, Any]


class SearchIndex:
    """Per (kind, id): versions (write time, record or None once deleted), oldest first."""

    __slots__ = ("_versions",)

    def __init__(self) -> None:
        self._versions: dict[str, dict[int, list[tuple[float, Record | None]]]] = {}

    def record(self, kind: str, rid: int, record: Record | None, at: float) -> None:
        """Index a write; ``record`` must not be mutated afterwards (records are replaced)."""
        self._versions.setdefault(kind, {}).setdefault(rid, []).append((at, record))

    def settle(self, kind: str, rid: int, record: Record | None) -> None:
        """Make ``record`` the only version, visible at once (restored or loaded data)."""
        self._versions.setdefault(kind, {})[rid] = [(float("-inf"), record)]

    def visible(self, kind: str, now: float, lag: float) -> Iterator[Record]:
        cutoff = now - lag
        for versions in self._versions.get(kind, {}).values():
            seen: Record | None = None
            keep_from = 0
            for i, (at, rec) in enumerate(versions):
                if at > cutoff:
                    break
                seen, keep_from = rec, i
            if keep_from:
                del versions[:keep_from]  # older versions can never be seen again
            if seen is not None:
                yield seen

    def clear(self) -> None:
        self._versions.clear()


@dataclass(frozen=True, slots=True)
class Term:
    """A validated search term: >= 2 characters, or >= 1 with exact_match."""

    text: str
    exact: bool

    @classmethod
    def parse(cls, term: str | None, exact: bool) -> Term:
        text = (term or "").strip()
        if len(text) < (1 if exact else 2):
            raise invalid("term", "must be at least 2 characters long (1 with exact_match)")
        return cls(text.lower(), exact)

    def score(self, value: str | None) -> float:
        """0 when ``value`` does not match; higher for closer matches."""
        if not value:
            return 0.0
        low = value.lower()
        if low == self.text:
            return 2.0
        if self.exact:
            return 0.0
        if self.text in low:
            return round(0.5 + len(self.text) / len(low), 4)
        return 0.0

    def best(self, values: Iterable[str | None]) -> tuple[float, list[str]]:
        """Best score over ``values`` and the values that matched."""
        top, hits = 0.0, []
        for value in values:
            score = self.score(value)
            if score:
                top = max(top, score)
                hits.append(value or "")
        return top, hits


def search_fields(raw: str | None, allowed: tuple[str, ...]) -> frozenset[str]:
    if not raw:
        return frozenset(allowed)
    chosen = frozenset(p.strip() for p in raw.split(",") if p.strip())
    bad = chosen - set(allowed)
    if bad:
        raise invalid("fields", f"must be among {', '.join(allowed)}")
    return chosen


__all__ = ["SearchIndex", "Term", "search_fields"]
