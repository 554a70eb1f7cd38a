"""``KeySet``: the keys a file has shown, in 10-13 bytes a key (split out of
``jobs.import_checks``, which re-exports it, so that ``jobs.results`` can use it too)."""

from __future__ import annotations

from array import array

_FULLEST = 0.8  # the share of slots in use that makes the table grow
_GROWTH = 1.3  # a grown table's size over the old one's: at most 0.62 full after


class KeySet:
    """The source keys a file has shown, as their 64-bit hashes in one open-addressing
    table (``array('q')``, linear probing, 62-80 % full): 10-13 bytes a key where a ``set``
    of hash ints takes ~64, which is most of a 1,000,000-row plan's growth. The table
    grows by 1.3 times, not 2: a power-of-two table at most half full held 16.8 MB at
    1,000,000 keys (issue 8: a plan's peak RSS); this one 10.5 MB. A fuller table's
    longer probes cost ~6 comparisons a key, far below a row's mapping.
    Two keys with the same 64-bit hash would read as one (the second row refused as a
    duplicate, never merged; in ``results.first_of_each``, left out of the decimal-mark
    evidence): about one chance in 10^7 for a million keys."""

    __slots__ = ("_count", "_limit", "_table")

    def __init__(self, capacity: int = 1 << 12) -> None:
        self._table = array("q", (0,)) * capacity  # 0 marks a free slot
        self._limit = int(capacity * _FULLEST)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __contains__(self, key: object) -> bool:
        h = hash(key) or 1
        table = self._table
        size = len(table)
        i = h % size
        while (v := table[i]) != 0:
            if v == h:
                return True
            i += 1
            if i == size:
                i = 0
        return False

    def add(self, key: str) -> bool:
        """Add ``key``; False when it was there already."""
        h = hash(key) or 1
        table = self._table
        size = len(table)
        i = h % size
        while (v := table[i]) != 0:
            if v == h:
                return False
            i += 1
            if i == size:
                i = 0
        table[i] = h
        self._count += 1
        if self._count > self._limit:
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._table
        size = int(len(old) * _GROWTH) + 1
        # zeros repeated in place: array("q", bytes(n)) held a second copy of the new
        # table as bytes meanwhile (16 MB at 1,000,000 keys, the plan's peak RSS)
        self._table = table = array("q", (0,)) * size
        self._limit = int(size * _FULLEST)
        for h in old:
            if h:
                i = h % size
                while table[i] != 0:
                    i += 1
                    if i == size:
                        i = 0
                table[i] = h


__all__ = ["KeySet"]
