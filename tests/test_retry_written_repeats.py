"""A retry after a mapping fix, on an upsert's repeated keys one row of which the import
wrote (y54r3 F1, F2): the retry cannot un-write that row, so each row it maps again is
judged against it — the same values: its ``duplicate``; other values: held
``duplicate-key``, the reason saying that row is written (its deal carrying its values)
and how to write this row instead, never "an upsert writes neither row" — and a row equal
to an earlier held row of the retry is that row's duplicate, held with it, as a fresh
import of the fixed file says (F2: ``BOGUS`` after ``Bogus`` was held "beside row 2",
row 3 named nowhere). Where the import wrote no row of the key, the retry says what the
fresh import says.

The grid: keys of 2-4 rows over five cells (``CELLS``) — written at the import or
failing on their Stage cell, the fixed value equal to the written row's or not — every
arrangement of 2 and 3 rows with a failing one, and a seeded sample of 4, each as a new
key and, every other one, as a key the account's deal carries; the oracle below states
what each row's report must say, and, where the import wrote no row of the key, a fresh import on a
twin sandbox (the retry learns those keys' contests as the fresh import does: 64 rows
differed, then 26 — keys the load held whole, a failed row the fix makes a copy of the
held first row, none of the key mapped again — and none since f55d (b): such a key's held
rows are judged again too).
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import NamedTuple

import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine

# cell -> (Stage, Pipeline, what it writes after the fix; None: it fails at the import)
CELLS = {"G": ("Contact Made", "Sales", None),  # written at the import
         "L": ("Lead In", "Partnerships", None),  # written at the import, other values
         "B": ("Bogus", "Partnerships", "CM/P"),  # fails; fixed: other values than G
         "b": ("BOGUS", "Partnerships", "CM/P"),  # fails; fixed: B's values
         "H": ("Bogus", "sales", "CM/S")}  # fails; fixed: G's values
VALUE = {"G": "CM/S", "L": "LI/P"}
MAPPING = """version = 1
[import]
key_column = "Key"
key_field = "External ID"
mode = "upsert"
[deal]
title = "Title"
pipeline = "Pipeline"
[deal.stage]
column = "Stage"
"""
FIXED = '[deal.stage.map]\n"Bogus" = "Contact Made"\n'
DEALS = 120


def _box() -> ThreadedSandbox:
    return ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9,
                                         deals=DEALS))


def _groups() -> list[tuple[str, ...]]:
    """Every arrangement of 2 and 3 cells with a failing one, and 30 of 4 (seed 55)."""
    fails = set("BbH")
    small = [g for n in (2, 3) for g in itertools.product(CELLS, repeat=n) if fails & set(g)]
    four = [g for g in itertools.product(CELLS, repeat=4) if fails & set(g)]
    return small + random.Random(55).sample(four, 30)


def _expected(group: tuple[str, ...], rows: range) -> dict[int, tuple[str, int | None]] | None:
    """What the retry reports of each row of a key the import wrote: (``written``, None),
    (``duplicate``, the row it copies), (``held``, the written row); None when the import
    wrote no row of the key (the oracle is then the fresh import)."""
    writers = [(r, VALUE[c]) for r, c in zip(rows, group, strict=True) if c in VALUE]
    if not writers or len({v for _, v in writers}) > 1:
        return None  # no row writes, or the rows that write differ: held at the import
    first, value = writers[0]
    want: dict[int, tuple[str, int | None]] = {}
    held: dict[str, int] = {}
    for r, c in zip(rows, group, strict=True):
        fixed = CELLS[c][2]
        if fixed is None:
            want[r] = ("written", None) if r == first else ("duplicate", first)
        elif fixed == value:
            want[r] = ("duplicate", first)
        elif fixed in held:
            want[r] = ("duplicate", held[fixed])
        else:
            held[fixed] = r
            want[r] = ("held", first)
    return want


def _report(job: Path) -> dict[int, tuple[str, str]]:
    """row -> (``written`` / ``duplicate`` / ``held`` / ``failed``, its note or reason)."""
    out = {int(r["row"]): ("duplicate" if r["action"] == "duplicate" else "written",
                           r["note"]) for r in read_csv(job / "succeeded.csv")}
    out.update({int(r["row"]): ("held" if r["hold"] == "duplicate-key" else "failed",
                                r["reason"]) for r in read_csv(job / "failed.csv")})
    return out


def _named(text: str) -> int | None:
    """The row a duplicate's note copies (``the same deal as row N``)."""
    head = "the same deal as row "
    if head not in text:
        return None
    return int(text.split(head, 1)[1].split()[0].rstrip(",:"))


class Grid(NamedTuple):
    """The grid's keys, their cells and rows, the retry's report and the fresh import's,
    and the deals the import wrote that the retry changed."""

    keys: list[str]
    shapes: list[tuple[str, ...]]
    spans: list[range]
    got: dict[int, tuple[str, str]]
    oracle: dict[int, tuple[str, str]]
    changed: list[int]


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Grid:
    """Import the grid's file (no stage map) on one sandbox, fix the mapping, retry; a
    fresh import of the fixed file on its twin."""
    tmp_path = tmp_path_factory.mktemp("grid")
    with pytest.MonkeyPatch.context() as patch, _box() as a, _box() as b:
        # (its own state folder: conftest's is a test's, set up after a module's fixture)
        patch.setenv("PDBULK_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        return _run(a, b, tmp_path)


def _run(a: Sandbox, b: Sandbox, tmp_path: Path) -> Grid:
    groups = _groups()
    keys: list[str] = []
    shapes: list[tuple[str, ...]] = []
    lines = ["Key,Title,Stage,Pipeline\n"]
    spans: list[range] = []
    found = 0
    for g, group in enumerate(groups):
        for kind in ("new", "found"):
            if kind == "found" and (g % 2 or found >= DEALS):
                continue
            if kind == "found":
                found += 1
            key = f"N{g}" if kind == "new" else f"SEED-{found:06d}"
            keys.append(key)
            shapes.append(group)
            at = len(lines) + 1  # (the header is row 1)
            spans.append(range(at, at + len(group)))
            lines += [f"{key},T {key},{CELLS[c][0]},{CELLS[c][1]}\n" for c in group]
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("".join(lines))
    mapping.write_text(MAPPING)
    jobs_a, jobs_b = tmp_path / "a", tmp_path / "b"
    loaded = cli(a, jobs_a, "import", str(manifest), "--mapping", str(mapping),
                 *engine(a, jobs_a))
    assert loaded.exit_code == 3, loaded.output
    (job,) = jobs_a.iterdir()
    wrote = {int(r["deal_id"]) for r in read_csv(job / "succeeded.csv")
             if r["action"] in ("created", "updated")}
    at_load = {d["id"]: (d["pipeline_id"], d["stage_id"]) for d in a.state.deals.rows.values()
               if d["id"] in wrote}
    mapping.write_text(MAPPING + FIXED)
    retried = cli(a, jobs_a, "retry", job.name, "--job-dir", str(jobs_a))
    assert retried.exit_code in (0, 3), retried.output
    fresh = cli(b, jobs_b, "import", str(manifest), "--mapping", str(mapping),
                *engine(b, jobs_b))
    assert fresh.exit_code in (0, 3), fresh.output
    (twin,) = jobs_b.iterdir()
    after = {d["id"]: (d["pipeline_id"], d["stage_id"]) for d in a.state.deals.rows.values()}
    changed = [i for i, place in at_load.items() if after.get(i) != place]
    return Grid(keys, shapes, spans, _report(job), _report(twin), changed)


def test_a_retry_judges_fixed_rows_against_the_row_the_import_wrote(grid: Grid) -> None:
    wrong: list[tuple[str, tuple[str, ...], int, object, object]] = []
    written_keys = 0
    for key, group, rows in zip(grid.keys, grid.shapes, grid.spans, strict=True):
        want = _expected(group, rows)
        if want is None:
            continue
        written_keys += 1
        for r in rows:
            state, text = grid.got[r]
            kind, other = want[r]
            ok = state == kind
            if kind == "duplicate":
                ok = ok and _named(text) == other
            if kind == "held":
                ok = ok and f"row {other} is written" in text and "deal " in text \
                    and "writes neither" not in text and "writes no row" not in text \
                    and "--release-held" in text
            if not ok:
                wrong.append((key, group, r, (state, text), want[r]))
    assert written_keys > 100, written_keys  # (the grid holds the case)
    assert not wrong, f"{len(wrong)} rows: {wrong[:4]}"
    # the retry wrote over no row the import wrote: each such deal is as the import left it
    assert not grid.changed, grid.changed[:10]


def test_a_retry_of_a_key_nothing_was_written_of_says_what_a_fresh_import_says(
        grid: Grid) -> None:
    wrong = []
    for key, group, rows in zip(grid.keys, grid.shapes, grid.spans, strict=True):
        if _expected(group, rows) is not None:
            continue
        for r in rows:
            mine, theirs = grid.got[r], grid.oracle[r]
            if (mine[0], _named(mine[1])) != (theirs[0], _named(theirs[1])):
                wrong.append((key, group, r, mine, theirs))
    assert not wrong, f"{len(wrong)} rows: {wrong[:4]}"
