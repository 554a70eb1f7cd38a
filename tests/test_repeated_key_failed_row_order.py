"""Where a failing row sits among its key's rows changes no other row's outcome (x46r4
F3, F4): every order of 4-5 rows of one source key, one failing its date, in insert and
upsert. A row equal to an earlier row of its key that writes (a non-failing row) is the
duplicate of the first such row, whether the key is contested or not (an upsert that
holds the key holds that row with it); every held row's reason names the key's first
row that writes (that row itself names the row it was found to differ from). Before:
upsert ``fBBA`` reported the copy a duplicate, ``BBAf`` / ``BAB`` / ``ABB`` held it as
contested, and ``BBAf`` named the copy as the row beside (README: "Repeated source
keys")."""

from __future__ import annotations

import itertools
import re

import pytest

from bulk.manifest import SourceRow
from jobs.account import OrgIndex, PersonIndex
from jobs.catalog import Catalog
from jobs.import_rows import Indexes, RowPlanner
from jobs.mapping import Mapping, compile_mapping
from tests.test_mapping import RAW_FIELDS
from tests.test_repeated_key_failed_row import BAD, GOOD, HEADER, KEY_CODE, MAPPING, _decided

CELLS = {"A": ("A", "10", GOOD), "B": ("B", "10", GOOD), "C": ("C", "20", GOOD),
         "f": ("A", "10", BAD)}
SETS = ["ABBf", "ABCf", "AABBf", "ABBBf", "BBBf"]
_NAMED = [r"beside row (\d+)", r"the same deal as row (\d+)", r"^[^;]*?\brow (\d+) has it too",
          r"than row (\d+)"]


def _named(reason: str | None) -> int | None:
    """The row a reason names as the one its row is judged beside (None: none)."""
    for pattern in _NAMED:
        if found := re.search(pattern, reason or ""):
            return int(found.group(1))
    return None


def _outcomes(mode: str, order: tuple[str, ...]) -> list[tuple[str, str, str | None, str]]:
    """(label, state, action, label of the row named) of each row, labels ``A``, ``B1``,
    ``B2`` (copies told apart by their place) in file order."""
    decided = _decided(mode, [CELLS[c[0]] for c in order])
    out = []
    for label, (state, action, reason, _) in zip(order, decided, strict=True):
        at = _named(reason)
        out.append((label, state, action, order[at - 2] if at is not None else "-"))
    return out


def _labelled(letters: str) -> list[str]:
    """``ABB`` -> ``['A1', 'B1', 'B2']``: each copy its own label."""
    seen: dict[str, int] = {}
    out = []
    for c in letters:
        seen[c] = seen.get(c, 0) + 1
        out.append(f"{c}{seen[c]}")
    return out


def _canon(outcomes: list[tuple[str, str, str | None, str]]) -> list[tuple[str, ...]]:
    """The outcomes with copies renamed by their place among their letter's rows (``B2``
    before ``B1`` in the file reads as ``B1``): "up to which of two copies is first"."""
    rename: dict[str, str] = {}
    seen: dict[str, int] = {}
    for label, *_ in outcomes:
        seen[label[0]] = seen.get(label[0], 0) + 1
        rename[label] = f"{label[0]}{seen[label[0]]}"
    return [(rename[label], state, str(action), rename.get(named, named))
            for label, state, action, named in outcomes]


@pytest.mark.parametrize("mode", ["insert", "upsert"])
@pytest.mark.parametrize("letters", SETS)
def test_no_outcome_depends_on_where_the_failing_row_sits(mode: str, letters: str) -> None:
    """Every order of the rows: the rows that write come out as they do in the same order
    without the failing row; the failing row fails, named beside the key's first row that
    writes (an insert: when that row comes before it)."""
    labels = _labelled(letters)
    for order in set(itertools.permutations(labels)):
        got = _canon(_outcomes(mode, order))
        without = _canon(_outcomes(mode, tuple(lb for lb in order if lb != "f1")))
        assert [o for o in got if o[0] != "f1"] == without, (mode, order, got)
        writers = [lb for lb in order if lb != "f1"]
        first = _canon([(lb, "", "", lb) for lb in order])[order.index(writers[0])][0]
        failed = next(o for o in got if o[0] == "f1")
        assert failed[1] == "FAILED", (mode, order, got)
        if first[0] == "A":  # (the failing row is the first row's part: it fails alone)
            assert failed[3] in ("-", first), (mode, order, got)
        elif mode == "upsert" or order.index(writers[0]) < order.index("f1"):
            assert failed[3] == first, (mode, order, got)
        else:
            assert failed[3] == "-", (mode, order, got)


@pytest.mark.parametrize("mode", ["insert", "upsert"])
@pytest.mark.parametrize("letters", ["ABB", "BAB", "BBA", "AABB", "ABAB", "ABBB", "ABCB"])
def test_a_copy_of_an_earlier_row_that_writes_is_its_duplicate(mode: str,
                                                               letters: str) -> None:
    """No failing row: a row equal to the key's first row is its duplicate (insert and
    upsert); in an upsert a row equal to an earlier row that differs from the first is
    that earlier row's duplicate too, held with it (the insert holds it beside the first
    row, the deal that row makes being the one the key keeps); every other row names the
    key's first row, which names the first row that differs from it."""
    labels = _labelled(letters)
    got = _canon(_outcomes(mode, tuple(labels)))
    first = got[0][0]
    for n, (label, state, action, named) in enumerate(got):
        earlier = [o[0] for o in got[:n] if o[0][0] == label[0]]
        if earlier and (mode == "upsert" or earlier[0] == first):
            assert (state, action, named) == ("SKIPPED", "duplicate", earlier[0]), got
        elif n == 0:
            want = "PENDING" if mode == "insert" or len(set(letters)) == 1 else "FAILED"
            assert state == want, got
            if state == "FAILED":
                differs = next(o[0] for o in got if o[0][0] != first[0])
                assert named == differs, got
        else:
            assert (state, named) == ("FAILED", first), got


def _decided_contested(rows: list[tuple[str, str, str]]) -> list[tuple[str, str | None,
                                                                         str | None]]:
    """An upsert of K1's rows, the key contested by an earlier import of the file."""
    mapper = compile_mapping(Mapping.loads(MAPPING), Catalog.from_api(deal_fields=RAW_FIELDS),
                             header=HEADER)
    planner = RowPlanner(mapper, KEY_CODE, "upsert", Indexes(persons=PersonIndex(),
                                                             orgs=OrgIndex()), key_column="key")
    planner.contested = {"K1"}
    source = [SourceRow(n + 2, n + 2, dict(zip(HEADER, ("K1", *cells), strict=True)))
              for n, cells in enumerate(rows)]
    planner.learn_repeats(source)
    planner.learn_contests(source)
    out = []
    for row in source:
        item = planner.decide(row)
        result = item.payload.get("result") or {}
        out.append((item.state.name, result.get("action"), item.error or result.get("note")))
    return out


@pytest.mark.parametrize("at", [None, 0, 1, 2])
def test_a_copy_of_a_row_held_as_contested_is_its_duplicate(at: int | None) -> None:
    """x46r4 F4: the wrong rows deleted, the file keeps B and its exact copy; the key an
    earlier import contested stays so (24114d9d), the first B held; the copy said "this row
    could write it otherwise than the other would", untrue of an identical row: it is the
    first B's duplicate, held with it, wherever a failing row of the key stands."""
    rows = [CELLS["B"], CELLS["B"]]
    if at is not None:
        rows.insert(at, ("C", "20", BAD))
    decided = _decided_contested(rows)
    writes = [n for n in range(len(rows)) if rows[n][2] == GOOD]
    first, copy = decided[writes[0]], decided[writes[1]]
    assert first[0] == "FAILED" and "is contested" in str(first[2]), decided
    assert copy[:2] == ("SKIPPED", "duplicate"), decided
    assert str(copy[2]).startswith(f"the same deal as row {writes[0] + 2} (one record "
                                   "written twice), which is held: source key 'K1' is "
                                   "contested"), decided
    assert "otherwise than the other would" not in str(copy[2]), decided


def test_a_copy_in_a_key_the_file_contests_says_it_is_held_with_its_row() -> None:
    """x46r4 F3: the duplicate of a held row says that row is held (never "imported once,
    as that row" alone, with no deal made: x45r6 F2)."""
    decided = _decided("upsert", [CELLS["A"], CELLS["B"], CELLS["B"], CELLS["f"]])
    assert decided[2][:2] == ("SKIPPED", "duplicate"), decided
    assert "the same deal as row 3 (one record written twice), which is held: source key " \
           "'K1' is contested (that row's reason says why)" in str(decided[2][2]), decided
