"""``KeySet``: the keys a file has shown, in 10-13 bytes a key (split out of
``jobs.import_checks``, which re-exports it, so that ``jobs.results`` can use it too);
``Numbering``: 64-bit ints numbered in the order first seen, in ~14 bytes an int."""

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


class Numbering:
    """64-bit ints (hashes) numbered 0, 1, 2, ... in the order first seen: ``number`` of an
    int gives its number (a new one for an int not seen), ``get`` the number or None,
    ``keys[n]`` the int numbered ``n``. A ``dict`` of int to int took ~108 bytes an entry
    (the key's and the value's int objects and the slot: ~26 MB of a 1,000,000-row plan's
    238,000 person identities, issue 8); this holds ``keys`` (8 bytes an int) and
    open-addressing tables of numbers (``array('i')``, 4 bytes a slot, linear probing,
    62-80 % full, 32 shards growing alone as ``KeySet``'s): ~14 bytes an int. Exact: two
    ints are one only when equal (the tables hold numbers; ``keys`` is compared)."""

    __slots__ = ("_counts", "_limits", "_tables", "keys")

    def __init__(self, capacity: int = 1 << 12) -> None:
        per = max(capacity // _SHARDS, 4)
        self.keys = array("q")  # number -> its int
        self._tables = [array("i", (0,)) * per for _ in range(_SHARDS)]  # 0 free, else n + 1
        self._limits = [int(per * _FULLEST)] * _SHARDS
        self._counts = [0] * _SHARDS

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self.get(key) is not None

    def get(self, key: int) -> int | None:
        """The number of ``key``, None when it was never numbered."""
        table = self._tables[(key >> 1) & _SHARD_MASK]
        size, keys = len(table), self.keys
        i = (key >> (_SHARD_BITS + 1)) % size
        while (v := table[i]) != 0:
            if keys[v - 1] == key:
                return v - 1
            i += 1
            if i == size:
                i = 0
        return None

    def number(self, key: int) -> int:
        """The number of ``key``: the next one (``len`` before the call) when new."""
        shard = (key >> 1) & _SHARD_MASK  # (bit 0 left out: a caller may keep a kind there)
        table = self._tables[shard]
        size, keys = len(table), self.keys
        i = (key >> (_SHARD_BITS + 1)) % size
        while (v := table[i]) != 0:
            if keys[v - 1] == key:
                return v - 1
            i += 1
            if i == size:
                i = 0
        n = len(keys)
        keys.append(key)
        table[i] = n + 1
        counts = self._counts
        counts[shard] += 1
        if counts[shard] > self._limits[shard]:
            self._grow(shard)
        return n

    def clear(self) -> None:
        """Forget every int (the memory goes back); ``keys`` is then a new array, the old
        one left as it was to whoever holds it."""
        self.keys = array("q")
        self._tables = [array("i", (0,)) * 4 for _ in range(_SHARDS)]
        self._limits = [int(4 * _FULLEST)] * _SHARDS
        self._counts = [0] * _SHARDS

    def _grow(self, shard: int) -> None:
        old = self._tables[shard]
        size = int(len(old) * _GROWTH) + 1
        self._tables[shard] = table = array("i", (0,)) * size
        self._limits[shard] = int(size * _FULLEST)
        keys = self.keys
        for v in old:
            if v:
                i = (keys[v - 1] >> (_SHARD_BITS + 1)) % size
                while table[i] != 0:
                    i += 1
                    if i == size:
                        i = 0
                table[i] = v


__all__ = ["KeySet", "Numbering"]
