"""``KeySet``: the keys a file has shown, in 10-13 bytes a key (split out of
``jobs.import_checks``, which re-exports it, so that ``jobs.results`` can use it too)."""

from __future__ import annotations

from array import array

_FULLEST = 0.8  # the share of a shard's slots in use that makes it grow
_GROWTH = 1.3  # a grown shard's size over the old one's: at most 0.62 full after
_SHARD_BITS = 5  # 32 shards, chosen by a hash's low bits
_SHARDS = 1 << _SHARD_BITS
_SHARD_MASK = _SHARDS - 1


class KeySet:
    """The source keys a file has shown, as their 64-bit hashes in open-addressing tables
    (``array('q')``, linear probing, 62-80 % full): 10-13 bytes a key where a ``set`` of
    hash ints takes ~64, which is most of a 1,000,000-row plan's growth. The tables grow
    by 1.3 times, not 2: a power-of-two table at most half full held 16.8 MB at 1,000,000
    keys (issue 8: a plan's peak RSS); these 10.5 MB. A fuller table's longer probes cost
    ~6 comparisons a key, far below a row's mapping.

    The keys are spread over 32 shards (a hash's low 5 bits), each its own table that
    grows alone: a grow holds its old and new table at once, which for one table of
    1,000,000 keys was ~18 MB beside the 10.5 (the last grow's transient was the plan's
    peak RSS, issue 8); a shard's is a 32nd of that. Freed shards are small enough to go
    back to the allocator for the next one instead of leaving an 8 MB hole.

    Two keys with the same 64-bit hash would read as one (the second row refused as a
    duplicate, never merged; in ``results.first_of_each``, left out of the decimal-mark
    evidence): about one chance in 10^7 for a million keys."""

    __slots__ = ("_count", "_counts", "_limits", "_tables")

    def __init__(self, capacity: int = 1 << 12) -> None:
        per = max(capacity // _SHARDS, 4)
        self._tables = [array("q", (0,)) * per for _ in range(_SHARDS)]  # 0: a free slot
        self._limits = [int(per * _FULLEST)] * _SHARDS
        self._counts = [0] * _SHARDS
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __contains__(self, key: object) -> bool:
        h = hash(key) or 1
        table = self._tables[h & _SHARD_MASK]
        size = len(table)
        i = (h >> _SHARD_BITS) % size
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
        shard = h & _SHARD_MASK
        table = self._tables[shard]
        size = len(table)
        i = (h >> _SHARD_BITS) % size
        while (v := table[i]) != 0:
            if v == h:
                return False
            i += 1
            if i == size:
                i = 0
        table[i] = h
        self._count += 1
        counts = self._counts
        counts[shard] += 1
        if counts[shard] > self._limits[shard]:
            self._grow(shard)
        return True

    def copy(self) -> KeySet:
        """Another set of the same keys (its tables copied: as much memory again)."""
        other = KeySet(capacity=0)
        other._tables = [array("q", table) for table in self._tables]
        other._limits, other._counts = list(self._limits), list(self._counts)
        other._count = self._count
        return other

    def slots(self) -> int:
        """The slots of all shards (8 bytes each): the memory the set holds."""
        return sum(len(t) for t in self._tables)

    def _grow(self, shard: int) -> None:
        old = self._tables[shard]
        size = int(len(old) * _GROWTH) + 1
        # zeros repeated in place: array("q", bytes(n)) held a second copy of the new
        # table as bytes meanwhile
        self._tables[shard] = table = array("q", (0,)) * size
        self._limits[shard] = int(size * _FULLEST)
        for h in old:
            if h:
                i = (h >> _SHARD_BITS) % size
                while table[i] != 0:
                    i += 1
                    if i == size:
                        i = 0
                table[i] = h


__all__ = ["KeySet"]
