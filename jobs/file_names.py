"""The name a file gives a person it names somewhere by a bare address (x44r9 F6; x45r3
F1-F3): a row of an e-mail and no name (``jane@roe.com`` in a name / e-mail cell, or an
empty name column) is named by its address (``RowMapper``: ``PersonRef.name`` is the
address), and an address links the rows of one name only (``import_rows._identities``) —
so ``jane@roe.com``, then ``Jane Roe <jane@roe.com>`` twice, made a person named
``jane@roe.com`` (93 of a 1,365-row file's persons), and ``K1,,thomas@a.com`` then
``K2,Thomas Paul,thomas@a.com,+49 30 1234567`` then ``K3,Thomas Paul,,+49 30 1234567`` two
persons "Thomas Paul" (one with the address, one with the phone), where the rows in any
other order made one.

A bare row is a row like any other once named: the planner's learning pass
(``RowPlanner._learn_persons``, before any row is decided) shows this every named row's
addresses (``see``), keeps the bare rows aside and, once every row is read, names each
by the file's **most frequent** name for the addresses of its cell (``name_of``: names
compared by their name key; a tie: the fullest spelling, then the least, ``most_given``;
the spelling: of most of the name's rows, ``proper_names``), then learns it under that
name; a row of it is decided under that name too (``name_for``). A function of the
file's rows, never of their order (README, "Persons and organizations of the file"), so
a resume or a load again names it the same. An address no named row gives keeps its
bare name. A bare cell (or group) whose addresses the named rows give no one name in
common is two persons of the file: its rows fail (``split_for``), learned by no one (x45r10 F1: ``J. Roe`` of
``jane@roe.com``, ``Jr New`` of ``jr@new.com`` and a bare ``jane@roe.com; jr@new.com``
made one person in 2 of 6 orders, two in the others).

Memory (a 1,000,000-row file): 16 bytes an address of a named row (its first name's
number and rows), ~14 bytes a distinct name (``Numbering``) and ~8 more with the UTF-8 of
its first spelling, 4 its rows (``spell``); a dict only for the addresses two names give,
the names spelled two ways or more and the bare cells the file names. Pure; no I/O.
Never renames a person of the account: a row linked by e-mail is linked as it is (the
caller asks only when it creates, or to tell which of the file's persons a bare row
is)."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable

from . import transforms as tf
from .keyset import Numbering

_SHOWN = 3  # the addresses a split cell's reason names


class FileNames:
    """``see`` each named row's addresses (by their numbers in the learning pass) with its
    name; then ``name_of`` (and ``name``) each bare row's cell; then ``done``; then
    ``name_for(addresses)``: the name the file gives that bare cell, or
    ``split_for(addresses)``: why it is no one person of the file."""

    __slots__ = ("_best", "_count", "_ends", "_first", "_more", "_names", "_other",
                 "_proper", "_rows", "_spelled", "_split")

    def __init__(self) -> None:
        self._first = array("q")  # address number -> its first name's number (-1: none)
        self._count = array("q")  # address number -> the rows of that name giving it
        # an address given by two names or more -> {name number: rows}, first seen first
        self._more: dict[int, dict[int, int]] = {}
        self._names = Numbering()  # a name key's hash -> its number
        # each name's first spelling, UTF-8, one after another; a name's number -> its end
        # (~10 bytes a name where a dict of str took ~100, and a SpilledDict a third of
        # the pass's time)
        self._spelled = bytearray()
        self._ends = array("q")
        # a name's number -> its named rows (``spell``; 4 bytes a name); a name the rows
        # spell two ways or more -> {each spelling but its first: rows} (only those)
        self._rows = array("i")
        self._other: dict[int, dict[str, int]] = {}
        self._proper: dict[int, str] = {}  # such a name -> its spelling (``proper_names``)
        self._best: dict[tuple[str, ...], str] = {}  # a bare cell's email keys -> its name
        # a bare cell whose addresses the file names as two persons -> why it fails
        self._split: dict[tuple[str, ...], str] = {}

    def __repr__(self) -> str:
        return (f"FileNames({len(self._best)} bare cells named, {len(self._split)} split, "
                f"{len(self._names)} names seen)")

    def __len__(self) -> int:
        return len(self._best) + len(self._split)

    def _number(self, name: str, name_key: str) -> int:
        n = self._names.number(hash(name_key))
        if n == len(self._ends):
            self._spelled += name.encode("utf-8", "surrogatepass")
            self._ends.append(len(self._spelled))
        return n

    def spell(self, name: str, name_key: str) -> None:
        """A named row of the learning pass (once a row), its person named ``name``
        (``name_key`` its ``tf.name_match_key``): its spelling tallied. A name of one
        spelling keeps its rows alone (4 bytes); one spelled two ways or more keeps a
        tally of its other spellings (z55r1 F1: the first row's ``rosa moreau`` named a
        person 7 rows spell ``Rosa Moreau``)."""
        if not name_key:
            return
        n = self._number(name, name_key)
        rows = self._rows
        if n == len(rows):
            rows.append(1)
            return
        rows[n] += 1
        other = self._other.get(n)
        if other is not None and name in other:
            other[name] += 1
        elif name != self._first_spelling(n):  # (another spelling: tallied from here)
            self._other.setdefault(n, {})[name] = 1

    def proper_names(self) -> tuple[dict[int, str], dict[str, str]]:
        """Once every named row is ``spell``-ed: each other spelling of a name the rows
        spell two ways or more -> the name's spelling (``proper_spelling``: the spelling of
        most rows, a tie to the fullest, then mixed case, then the least), a function of
        the set of rows, never of their order; ``name_of`` names by it from here. A name
        of one spelling is not in it (its rows' spelling is its name). Returned twice: by
        the hash of the name key (one entry a name: what a planner keeps), and by each
        other spelling as written (read in the pass, no name key computed again)."""
        found: dict[int, str] = {}
        respelled: dict[str, str] = {}
        keys = self._names.keys
        for n, other in self._other.items():
            tally = {self._first_spelling(n): self._rows[n] - sum(other.values()), **other}
            found[keys[n]] = self._proper[n] = proper = proper_spelling(tally)
            respelled.update((spelled, proper) for spelled in tally if spelled != proper)
        self._other = {}
        return found, respelled

    def see(self, address: int, name: str, name_key: str) -> None:
        """A named row giving the address numbered ``address`` (of the learning pass),
        its person named ``name`` (``name_key`` its ``tf.name_match_key``)."""
        n = self._number(name, name_key)
        first, count = self._first, self._count
        if len(first) <= address:
            grow = address + 1 - len(first)
            first.extend(array("q", [-1]) * grow)
            count.extend(array("q", [0]) * grow)
        if (more := self._more.get(address)) is not None:
            more[n] = more.get(n, 0) + 1
        elif first[address] < 0:
            first[address], count[address] = n, 1
        elif first[address] == n:
            count[address] += 1
        else:
            self._more[address] = {first[address]: count[address], n: 1}

    def name_of(self, addresses: Iterable[int]) -> str | None:
        """The name the file's named rows give a bare cell of these addresses (their
        numbers, the cell's order): the most frequent over them all, a tie to the fullest
        spelling, then the least (``most_given``: no row order in it, x46r4 F2); None when
        no named row gives one."""
        tally: dict[int, int] = {}
        for a in addresses:
            for n, rows in self._given(a):
                tally[n] = tally.get(n, 0) + rows
        if not tally:
            return None
        return most_given({self._spelling(n): rows for n, rows in tally.items()})

    def _given(self, address: int) -> Iterable[tuple[int, int]]:
        """The (name number, rows) the named rows give the address numbered ``address``."""
        if (more := self._more.get(address)) is not None:
            return more.items()
        if address < len(self._first) and (n := self._first[address]) >= 0:
            return ((n, self._count[address]),)
        return ()

    def _spelling(self, n: int) -> str:
        """Name ``n`` as the file spells it: its ``proper_names`` spelling when spelled two
        ways or more, else its one (first) spelling."""
        if self._proper and (proper := self._proper.get(n)) is not None:
            return proper
        return self._first_spelling(n)

    def _first_spelling(self, n: int) -> str:
        start = self._ends[n - 1] if n else 0
        return self._spelled[start:self._ends[n]].decode("utf-8", "surrogatepass")

    def _split_reason(self, given: dict[int, str]) -> str | None:
        """Why a bare group of these addresses (number -> as written; those named rows
        give) is no one person: no name the named rows give every one of them (x45r10 F1:
        ``jane@roe.com`` of "J. Roe", ``jr@new.com`` of "Jr New", and a bare cell of both
        — which person is it?); None when one name is given them all."""
        common: set[int] | None = None
        for a in given:
            names = {n for n, _ in self._given(a)}
            common = names if common is None else common & names
        if common is None or common:
            return None
        shown = [f"{address} is {' or '.join(repr(self._spelling(n)) for n, _ in self._given(a))}"
                 for a, address in list(given.items())[:_SHOWN]]
        more = ", ..." if len(given) > _SHOWN else ""
        return ("the row gives no name, and other rows of this file give its addresses to "
                f"persons of different names ({'; '.join(shown)}{more}): which person is it? "
                "Give the row its person's name and that person's addresses alone")

    def name_cells(self, cells: Callable[[], Iterable[tuple[str, ...]]],
                   numbered: Callable[[str], int | None]) -> None:
        """Name the file's bare cells for ``name_for`` (``cells()``: each bare row's
        addresses, read three times; ``numbered``: an address's number in ``see``, None
        when no named row gives it). The bare cells sharing an address, directly or
        through others, are one group (a union-find over their addresses), named by
        ``name_of`` all its addresses the named rows give; a group no named row gives, of
        two addresses or more, by its least address (by email key; spelled as a cell of it
        first writes it) — one name, so its rows are one person in any order. A group of
        one address no named row gives keeps its rows' names (the address).

        A cell whose addresses no one name is given for by the named rows (each by a name
        of its own: two persons the file names differently) is split (``split_for``): its
        rows fail, taking no part in a group; so are the cells of a group whose addresses
        no one name is given for (through a chain of cells), but a cell of such a group
        whose every address the named rows give, one name for all (a bare
        ``jane@roe.com`` of "J. Roe"), which is theirs. A function of the set of
        rows: which names the rows give, not which comes first (x45r10 F1: such a cell
        was one person with both in 2 of 6 orders, two persons in the others)."""
        number, parent, size = Numbering(), array("q"), array("q")

        def root(x: int) -> int:
            while (up := parent[x]) != x:
                parent[x] = x = parent[up]  # (path halving)
            return x

        def group(cell: tuple[str, ...]) -> int:
            return root(number.get(hash(tf.email_key(cell[0]))) or 0)

        def own(cell: tuple[str, ...]) -> dict[int, str]:
            return {a: address for address in cell if (a := numbered(address)) is not None}
        for cell in cells():
            if len(cell) > 1 and (why := self._split_reason(own(cell))) is not None:
                self._split[_cell(cell)] = why
                continue
            first = -1
            for address in cell:
                if (n := number.number(hash(tf.email_key(address)))) == len(parent):
                    parent.append(n)
                    size.append(1)
                if first < 0:
                    first = root(n)
                elif (other := root(n)) != first:
                    parent[other] = first
                    size[first] += size[other]
        split = self._split
        given: dict[int, dict[int, str]] = {}  # a group -> its addresses named rows give
        least: dict[int, tuple[str, str]] = {}  # a group of several -> (key, spelling)
        for cell in cells():
            if not cell or (split and _cell(cell) in split):
                continue
            r = group(cell)
            for address in cell:
                if (a := numbered(address)) is not None:
                    given.setdefault(r, {}).setdefault(a, address)
                elif size[r] > 1 and ((key := tf.email_key(address)) < least.get(
                        r, (key + "~", ""))[0]):
                    least[r] = (key, address)
        names: dict[int, str] = {}
        apart: dict[int, str] = {}  # a group of no one person -> why
        for r, of in given.items():
            if size[r] > 1 and (why := self._split_reason(of)) is not None:
                apart[r] = why
            elif (name := self.name_of(of)) is not None:
                names[r] = name
        for r, (_, address) in least.items():
            if r not in apart:
                names.setdefault(r, address)
        del given, least
        if names or apart:
            for cell in cells():
                if not cell or (split and _cell(cell) in split):
                    continue
                if (why := apart.get(r := group(cell))) is not None:
                    # (but a cell the named rows give whole, one name for all: theirs)
                    mine = own(cell)
                    if len(mine) == len(set(map(tf.email_key, cell))) \
                            and self._split_reason(mine) is None \
                            and (name := self.name_of(mine)) is not None:
                        self._best[_cell(cell)] = name
                    else:
                        self._split[_cell(cell)] = why
                elif (name := names.get(r)) is not None:
                    self._best[_cell(cell)] = name

    def done(self) -> None:
        """Free what ``see`` kept; ``name_for`` answers from here."""
        self._first, self._count, self._more = array("q"), array("q"), {}
        self._names.clear()
        self._spelled, self._ends = bytearray(), array("q")
        self._rows, self._other, self._proper = array("i"), {}, {}

    def name_for(self, addresses: Iterable[str | None]) -> str | None:
        """The name the file gives the bare cell of ``addresses`` (a row's e-mail and its
        others), None when it gives none."""
        if not self._best:
            return None
        return self._best.get(_cell(addresses))

    def split_for(self, addresses: Iterable[str | None]) -> str | None:
        """Why the bare cell of ``addresses`` is no one person of the file (its row fails
        with it: ``name_cells``), None when it is one."""
        if not self._split:
            return None
        return self._split.get(_cell(addresses))


class Forms:
    """The ways a file writes one value (a phone, an e-mail address, an organization's name:
    each told by its key's hash), tallied in the learning pass so that the spelling a
    created person or organization is given is the one most rows write, a function of the
    set of rows, never of their order (f57f: ``+49 (30) 4616337`` of one row over
    ``+49 30 4616337`` of three; ``ACME GmbH`` over ``Acme GmbH``). ``see`` once a row;
    ``proper()`` once every row is seen: key hash -> the value's spelling
    (``proper_spelling``), only for a value written two ways or more.

    Memory: ~14 bytes a value (``Numbering``), its first spelling's UTF-8 and ~8 bytes
    more, 4 its rows; a dict only for a value written two ways or more. A caller that
    shows only the forms that differ from a plain one (an address not in its
    ``tf.email_key`` form) gives the plain form's rows at ``proper`` (``plain``)."""

    __slots__ = ("_ends", "_names", "_other", "_rows", "_spelled")

    def __init__(self) -> None:
        self._names = Numbering()  # a key's hash -> its number
        self._spelled = bytearray()  # each value's first spelling, UTF-8, one after another
        self._ends = array("q")  # a value's number -> the end of its first spelling
        self._rows = array("I")  # a value's number -> the rows seen writing it
        self._other: dict[int, dict[str, int]] = {}  # (2+ ways) -> {other spelling: rows}

    def __len__(self) -> int:
        return len(self._ends)

    def see(self, text: str, key_hash: int) -> None:
        """A row writing the value of key hash ``key_hash`` as ``text``."""
        n = self._names.number(key_hash)
        if n == len(self._ends):
            self._spelled += text.encode("utf-8", "surrogatepass")
            self._ends.append(len(self._spelled))
            self._rows.append(1)
            return
        self._rows[n] += 1
        other = self._other.get(n)
        if other is not None and text in other:
            other[text] += 1
        elif text != self._first(n):
            self._other.setdefault(n, {})[text] = 1

    def _first(self, n: int) -> str:
        start = self._ends[n - 1] if n else 0
        return self._spelled[start:self._ends[n]].decode("utf-8", "surrogatepass")

    def proper(self, plain: Callable[[int, str, int], tuple[str, int] | None] | None = None,
               choose: Callable[[dict[str, int]], str] | None = None) -> dict[int, str]:
        """Key hash -> the spelling of most rows (``choose``, default ``proper_spelling``:
        a tie to the fullest, then mixed case, then the least in code point order), for the
        values written two ways or more. ``plain(key hash, a spelling, the rows shown)``:
        (the plain spelling, its rows) of a value whose plain rows were not shown (None:
        none); frees what ``see`` kept."""
        pick = choose or proper_spelling
        found: dict[int, str] = {}
        keys = self._names.keys
        for n in range(len(self._ends)):
            other = self._other.get(n)
            extra = plain(keys[n], self._first(n), self._rows[n]) if plain is not None \
                else None
            if other is None and extra is None:
                continue
            tally = {self._first(n): self._rows[n] - sum((other or {}).values()),
                     **(other or {})}
            if extra is not None and extra[1] > 0:
                tally[extra[0]] = tally.get(extra[0], 0) + extra[1]
            if len(tally) > 1:
                found[keys[n]] = pick(tally)
        self._names.clear()
        self._spelled, self._ends, self._rows, self._other = bytearray(), array("q"), \
            array("I"), {}
        return found


def _cell(addresses: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(tf.email_key(a) for a in addresses if a)


def most_given(tally: dict[str, int]) -> str:
    """The name of most rows in ``tally`` (a name -> its rows), a tie to the fullest
    spelling (most characters: ``Jane Roe`` before ``J. Roe``), then the least in code
    point order: a function of the rows, never of their order (x46r4 F2)."""
    return min(tally, key=lambda name: (-tally[name], -len(name), name))


def proper_spelling(tally: dict[str, int]) -> str:
    """The spelling of most rows in ``tally`` (spellings of one name key -> their rows), a
    tie to the fullest (most characters), then to one in mixed case (``Rosa Moreau``
    before ``ROSA MOREAU`` and ``rosa moreau``), then the least in code point order: a
    function of the rows, never of their order (z55r1 F1)."""
    return min(tally, key=lambda name: (-tally[name], -len(name),
                                        name.isupper() or name.islower(), name))


def unnamed(name: str | None, address: str | None) -> bool:
    """Whether a row's person of ``address`` has no name of its own: ``RowMapper`` names it
    by its address then (``PersonRef(str(name or email), ...)``)."""
    return bool(address) and (not name or name == address)


__all__ = ["FileNames", "Forms", "most_given", "proper_spelling", "unnamed"]
