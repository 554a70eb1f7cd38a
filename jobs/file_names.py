"""The name a file gives a person it first names by a bare address (x44r9 F6): a row of an
e-mail and no name (``jane@roe.com`` in a name / e-mail cell, or an empty name column) is
named by its address (``RowMapper``: ``PersonRef.name`` is the address), and the first row
of an address makes its person — so ``jane@roe.com``, then ``Jane Roe <jane@roe.com>``
twice, made a person named ``jane@roe.com`` (93 of a 1,365-row file's persons). The
planner's learning pass (``RowPlanner._learn_persons``, before any row is decided) shows
this every row's address and name; the person a bare first row makes is then named the
file's **most frequent** name for the address (names compared by their name key; a tie:
the first seen; the spelling: its first). From the file alone, never from the row order of
a run, so a resume or a load again names it the same.

Only addresses whose first row is bare are followed (a row naming the address first makes
or finds its person by that name): one byte an address, by the number the learning pass
gives it, and a few names for each one a later row names (a file of bare addresses alone,
a million of them, holds a megabyte). Pure; no I/O. Never renames a person of
the account: a row linked by e-mail is linked as it is (the caller asks only when it
creates)."""

from __future__ import annotations

from . import transforms as tf


class FileNames:
    """``see`` each row's first address (by its number in the learning pass, ``new`` when
    first seen there) with its name; then ``done``; then ``name_for(address)``: the name the
    file gives that address (a ``str``), None when it gives none or the address's first row
    was not bare."""

    __slots__ = ("_bare", "_best", "_names")

    def __init__(self) -> None:
        self._bare = bytearray()  # address number -> 1 when its first row gave no name
        # a followed address's number -> (its email_key, {name key: (first spelling, rows)}),
        # the names first seen first
        self._names: dict[int, tuple[str, dict[str, tuple[str, int]]]] = {}
        self._best: dict[str, str] = {}  # an address's email_key -> its name (``done``)

    def __repr__(self) -> str:
        return f"FileNames({len(self._best)} addresses named, {len(self._names)} followed)"

    def __len__(self) -> int:
        return len(self._best)

    def see(self, number: int, new: bool, address: str, name: str, name_key: str) -> None:
        """A row whose first address is ``address`` (numbered ``number``, ``new`` when no
        earlier row gave it) and whose person is named ``name`` (the address itself when
        the row gives no name), ``name_key`` its ``tf.name_match_key``."""
        bare = unnamed(name, address)
        if new:
            if len(self._bare) <= number:
                self._bare.extend(bytes(number + 1 - len(self._bare)))
            if bare:  # (one byte: a file of bare addresses alone holds nothing more)
                self._bare[number] = 1
            return
        if bare or number >= len(self._bare) or not self._bare[number]:
            return
        if (followed := self._names.get(number)) is None:
            followed = self._names[number] = (tf.email_key(address), {})
        named = followed[1]
        spelled, rows = named.get(name_key, (name, 0))
        named[name_key] = (spelled, rows + 1)

    def done(self) -> None:
        """Decide each followed address's name: its most frequent, a tie to the first seen
        (``max`` keeps the first of equals)."""
        self._best = {key: max(named.values(), key=lambda seen: seen[1])[0]
                      for key, named in self._names.values() if named}
        self._names.clear()
        self._bare = bytearray()

    def name_for(self, address: str | None) -> str | None:
        """The name the file gives ``address`` when its first row gave none (``done``)."""
        if not address or not self._best:
            return None
        return self._best.get(tf.email_key(address))


def unnamed(name: str | None, address: str | None) -> bool:
    """Whether a row's person of ``address`` has no name of its own: ``RowMapper`` names it
    by its address then (``PersonRef(str(name or email), ...)``)."""
    return bool(address) and (not name or name == address)


__all__ = ["FileNames", "unnamed"]
