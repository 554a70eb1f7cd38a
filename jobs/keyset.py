"""``KeySet``: the keys a file has shown, in 8-16 bytes a key (split out of
``jobs.import_checks``, which re-exports it, so that ``jobs.results`` can use it too)."""

from __future__ import annotations

from array import array


class KeySet:
    """The source keys a file has shown, as their 64-bit hashes in one open-addressing
    table (``array('q')``, at most half full): 8-16 bytes a key where a ``set`` of hash
    ints takes ~64, which is most of a 1,000,000-row plan's growth. Two keys with the same
    64-bit hash would read as one (the second row refused as a duplicate, never merged;
    in ``results.first_of_each``, left out of the decimal-mark evidence): about one chance
    in 10^7 for a million keys."""

    __slots__ = ("_count", "_mask", "_table")

    def __init__(self, capacity: int = 1 << 12) -> None:
        self._table = array("q", (0,)) * capacity  # 0 marks a free slot
        self._mask = capacity - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __contains__(self, key: object) -> bool:
        h = hash(key) or 1
        table, mask = self._table, self._mask
        i = h & mask
        while (v := table[i]) != 0:
            if v == h:
                return True
            i = (i + 1) & mask
        return False

    def add(self, key: str) -> bool:
        """Add ``key``; False when it was there already."""
        h = hash(key) or 1
        table, mask = self._table, self._mask
        i = h & mask
        while (v := table[i]) != 0:
            if v == h:
                return False
            i = (i + 1) & mask
        table[i] = h
        self._count += 1
        if 2 * self._count > len(table):
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._table
        # zeros repeated in place: array("q", bytes(n)) held a second copy of the new
        # table as bytes meanwhile (16 MB at 1,000,000 keys, the plan's peak RSS)
        self._table = table = array("q", (0,)) * (2 * len(old))
        self._mask = mask = len(table) - 1
        for h in old:
            if h:
                i = h & mask
                while table[i] != 0:
                    i = (i + 1) & mask
                table[i] = h


__all__ = ["KeySet"]
