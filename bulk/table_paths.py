"""Path spellings in a CSV or XLSX header.

A failed-rows file written from a JSON source (failed.csv, failed.xlsx) heads each nested
value with one spelling of the path grammar (``bulk.json_paths``): ``props.deal name``.
The mapping that read the source may name the same value with another spelling —
``props["deal name"]``, ``props['deal name']``, ``["props"]["deal name"]`` — and the user
re-imports the fixed file with that same mapping. So in a table whose header names paths
(a column with a ``.`` or a ``[``), a column reference that is not a header name as it is
reads the header column that names the same keys (``TableRow``); ``header_column`` says
which, for the mapping's header check. A header name as it is always wins; a reference two
header columns would answer (``a.b`` and ``a["b"]`` both in the header) answers none.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from .json_paths import parse_path

PathIndex = Mapping[tuple[str, ...], str | None]
_ABSENT = object()


def names_paths(names: Iterable[str]) -> bool:
    """Whether a header with these column names may name paths (one holds a . or a [)."""
    return any("." in n or "[" in n for n in names)


def path_index(names: Iterable[str]) -> dict[tuple[str, ...], str | None]:
    """Each header name's keys (``a.b`` → ``("a", "b")``, and ``("a.b",)`` for the name as
    one top-level key) → the name; None where two names give the same keys."""
    index: dict[tuple[str, ...], str | None] = {}
    for name in names:
        parsed = parse_path(name)
        for keys in {(name,), *(() if parsed is None else (parsed[0],))}:
            index[keys] = name if index.get(keys, name) == name else None
    return index


def header_column(names: Collection[str], index: PathIndex, column: str) -> str | None:
    """The header name ``column`` reads: itself when it is one of ``names``, else the one
    naming the same keys (``index``: ``path_index(names)``), else None."""
    if column in names:
        return column
    parsed = parse_path(column)
    return None if parsed is None else index.get(parsed[0])


class TableRow(dict[str, Any]):
    """A CSV/XLSX row (a ``dict`` keyed by header names) that reads a column reference in
    any spelling of the path grammar (module docstring). Only built when the header
    ``names_paths``: other rows stay plain dicts."""

    __slots__ = ("index",)

    def __init__(self, values: Iterable[tuple[str, Any]], index: PathIndex) -> None:
        super().__init__(values)
        self.index = index

    def _key(self, key: str) -> str | None:
        """The stored key another spelling ``key`` reads (only called when ``key`` itself
        is not one)."""
        parsed = parse_path(key)
        at = None if parsed is None else self.index.get(parsed[0])
        return at if at is not None and at != key and dict.__contains__(self, at) else None

    def __missing__(self, key: str) -> Any:
        at = self._key(key) if isinstance(key, str) else None
        if at is None:
            raise KeyError(key)
        return dict.__getitem__(self, at)

    def get(self, key: str, default: Any = None) -> Any:
        value = dict.get(self, key, _ABSENT)
        if value is not _ABSENT:
            return value
        at = self._key(key)
        return default if at is None else dict.__getitem__(self, at)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (dict.__contains__(self, key)
                                         or self._key(key) is not None)
