"""``RepeatedKeys``: the source keys a file gives more than one row, and what each later
row of such a key is beside the first: the same record exported twice, or another.

A file with two rows of one key and the same cells (an export that wrote a record twice)
is one record: the first row is imported, the later one is reported a duplicate of it
(skipped: nothing sent, no hold, the key not contested), on every import of the file alike
(x28r2: a nightly import of such a file held the second row, then contested the key and
failed both rows, exit 3, every night). Rows of one key whose cells differ are two records
for one deal: the later row stays held (``duplicate-key``), its reason naming the first row
and the cells that differ, and the key is contested as before (``bulk.contested``).

"The same cells" are the cells the mapping reads (``Mapping.columns``): a column nothing
reads writes nothing, so two rows differing only there make the same deal. A row the reader
refused (``SourceRow.error``: a cell too many, a byte it could not decode) or whose cells
cannot be read unambiguously (a JSON path two keys spell) is never the same as another.

Memory: a pass over the keys before any row is decided (``learn``, or ``learning`` along
another pass: a ``KeySet`` of 10-13 bytes a key, freed after, and one of the keys seen
twice); then the first row's cells of
a repeated key only, in a ``SpilledDict`` (on disk once large: a file whose every key
repeats holds no more than a few MB in memory).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any, NamedTuple, TypeVar

from bulk.errors import InputError
from bulk.manifest import SourceRow

from .keyset import KeySet
from .learned import SpilledDict

T = TypeVar("T")
Cells = tuple[tuple[str, str | None], ...]  # (column, its cell's text) in a fixed order
_SHOWN = 40  # characters of a differing cell a reason shows


class Repeat(NamedTuple):
    """A later row of a repeated key beside the key's first row: that row's number and
    line, whether the cells are the same (``same``), and the cells that differ, as
    ``(column, first row's text, this row's text)`` (empty when unknown: a refused row)."""

    row: int
    line: int
    same: bool
    differing: tuple[tuple[str, str | None, str | None], ...]


def _text(value: object) -> str | None:
    """A cell as text that tells its type too: a text cell as is, ``None`` for none, any
    other typed cell (a number, a date, an array of an XLSX / JSON source) tagged with its
    type, so that ``"1"`` and ``1`` differ."""
    if value is None or type(value) is str:
        return value  # (a str subclass, JSON's number text, is tagged: marshal takes str only)
    return f"\0{type(value).__name__}\0{value!r}"


def shown(text: str | None) -> str:
    """How a reason shows a cell's text (``_text``): quoted, cut at ``_SHOWN`` characters."""
    if not text:
        return "(empty)"
    if text.startswith("\0"):
        text = text.split("\0", 2)[2]
    else:
        text = repr(text)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"


def cells(row: SourceRow, columns: Collection[str] | None) -> Cells | None:
    """The cells of ``row`` in ``columns`` (None: every column), the row's own column order
    first; None when the row cannot be compared (the reader refused it, or a JSON path
    reads two keys)."""
    if row.error is not None:
        return None
    values: Mapping[str, Any] = row.values
    wanted = list(values) if columns is None else (
        [c for c in values if c in columns] + sorted(c for c in columns if c not in values))
    try:
        return tuple((str(c), _text(values.get(c))) for c in wanted)
    except InputError:  # AmbiguousPath: two keys of the record spell the path
        return None


class RepeatedKeys:
    """The keys a file repeats (``learn``) and the first row of each (``first``); ``again``
    compares a later row with it. Not learned, every key is taken for unrepeated: a later
    row of one is then never found the same (it is held, as before this class)."""

    __slots__ = ("_firsts", "_repeated")

    def __init__(self) -> None:
        self._repeated: KeySet | None = None
        # key -> (row, line, cells or None) of its first row, for repeated keys only
        self._firsts = SpilledDict()

    def __repr__(self) -> str:
        learned = "not learned" if self._repeated is None else f"{len(self._repeated):,} repeated"
        return f"RepeatedKeys({learned}, {len(self._firsts):,} first rows kept)"

    def __len__(self) -> int:
        """How many keys the file repeats (0 when not learned)."""
        return 0 if self._repeated is None else len(self._repeated)

    @property
    def learned(self) -> bool:
        """Whether every row's key was read (``learn`` or a whole ``learning`` pass)."""
        return self._repeated is not None

    def learn(self, keys: Iterable[str | None]) -> None:
        """Read every row's key (None: a row without one), in file order."""
        for _ in self.learning(keys, lambda key: key):
            pass

    def learning(self, rows: Iterable[T], key: Callable[[T], str | None]) -> Iterator[T]:
        """``rows`` as they are, each one's ``key`` read on the way (another pass over the
        file learns the keys too: no pass of its own). Learned once the last row has
        passed; a pass cut short learns nothing."""
        seen, repeated = KeySet(), KeySet()
        for row in rows:
            k = key(row)
            if k and not seen.add(k):
                repeated.add(k)
            yield row
        self._repeated = repeated

    def first(self, key: str, row: SourceRow, columns: Collection[str] | None) -> None:
        """``row`` is the first of ``key``: keep its cells when the key repeats."""
        if self._repeated is not None and key in self._repeated:
            self._firsts[key] = (int(row.row), int(row.line), cells(row, columns))

    def again(self, key: str, row: SourceRow, columns: Collection[str] | None
              ) -> Repeat | None:
        """``row``, a later row of ``key``, beside the key's first row (None: that row is
        not known, the key not learned as repeated)."""
        if key not in self._firsts:
            return None
        at, line, before = self._firsts[key]
        now = cells(row, columns)
        if before is None or now is None:
            return Repeat(at, line, False, ())
        if before == now:
            return Repeat(at, line, True, ())
        old, new = dict(before), dict(now)
        differing = tuple((c, old.get(c), new.get(c)) for c in dict.fromkeys([*old, *new])
                          if old.get(c) != new.get(c))
        return Repeat(at, line, False, differing)


def differing_note(repeat: Repeat) -> str:
    """``title: 'Three' there, 'Three B' here; stage: ...`` (a few cells at most)."""
    shown_cells = [f"{c}: {shown(a)} there, {shown(b)} here" for c, a, b in repeat.differing[:3]]
    more = len(repeat.differing) - len(shown_cells)
    return "; ".join(shown_cells) + (f"; and {more} more" if more > 0 else "")


__all__ = ["Repeat", "RepeatedKeys", "cells", "differing_note", "shown"]
