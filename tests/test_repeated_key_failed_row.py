"""A row that fails on its own cells takes no part in choosing which row of its source key
writes the deal (x45r10 F2; f45r's leftover): the key's first row that writes is the one
the others are judged beside, in insert and upsert alike, and every reason about the key's
rows names a row that writes — whatever the failed row's values (README: "when the key's
first row fails, the first later row that writes the deal is the one the rest are judged
beside")."""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path
from typing import Any

import pytest

from bulk.manifest import SourceRow
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.account import OrgIndex, PersonIndex
from jobs.catalog import Catalog
from jobs.import_rows import Indexes, RowPlanner
from jobs.mapping import Mapping, compile_mapping
from tests.import_support import import_once, read_csv, sandbox_deals
from tests.test_mapping import RAW_FIELDS

MAPPING = """
version = 1
[import]
key_column = "key"
[defaults]
date_formats = ["%d/%m/%Y"]
[deal]
title = "title"
value = "amount"
expected_close_date = "close"
"""
HEADER = ["key", "title", "amount", "close"]
KEY_CODE = "k" * 40  # RAW_FIELDS' "Import source key"
BAD = "31/02/2026"  # the failing row's date: no such day
GOOD = "13/01/2026"


def _decided(mode: str, rows: list[tuple[str, str, str]]) -> list[tuple[str, str | None,
                                                                          str | None, str]]:
    """Each row of key K1 (title, amount, close) as a planner decides it after the learning
    passes a load makes: (state, action, reason or note, title it writes)."""
    mapper = compile_mapping(Mapping.loads(MAPPING), Catalog.from_api(deal_fields=RAW_FIELDS),
                             header=HEADER)
    planner = RowPlanner(mapper, KEY_CODE, mode,  # type: ignore[arg-type]
                         Indexes(persons=PersonIndex(), orgs=OrgIndex()), key_column="key")
    source = [SourceRow(n + 2, n + 2, dict(zip(HEADER, ("K1", *cells), strict=True)))
              for n, cells in enumerate(rows)]
    planner.learn_repeats(source)
    planner.learn_contests(source)
    out = []
    for row in source:
        item = planner.decide(row)
        result: dict[str, Any] = item.payload.get("result") or {}
        deal: dict[str, Any] = item.payload.get("deal") or {}
        out.append((item.state.name, result.get("action"), item.error or result.get("note"),
                    str(deal.get("title", ""))))
    return out


def _written(decided: list[tuple[str, str | None, str | None, str]]) -> list[str]:
    return [title for state, _, _, title in decided if state == ItemState.PENDING.name]


@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_a_failed_first_row_leaves_the_deal_to_the_first_row_that_writes(mode: str) -> None:
    """x45r10 F2: row 2 fails its date, row 3 writes 'B', row 4 equals the failed row 2.
    The insert wrote row 4 and held row 3 ("row 2 has it too"); now row 3 is the key's
    first that writes, row 4 is judged beside it (held as other values; an upsert holds
    both), and no reason names the failed row as the one beside."""
    decided = _decided(mode, [("A", "10", BAD), ("B", "10", GOOD), ("A", "10", GOOD)])
    assert decided[0][0] == "FAILED" and "not a date" in str(decided[0][2]), decided
    if mode == "insert":
        assert _written(decided) == ["B"], decided
        assert decided[2][0] == "FAILED", decided
        assert "row 3 has it too, writing other values (title: 'B' there, 'A' here)" in str(
            decided[2][2]), decided
    else:
        assert _written(decided) == [], decided
        for _, _, reason, _ in decided[1:]:
            assert "row 2 has it too" not in str(reason) and "beside row 2" not in str(
                reason), reason
        assert "beside row 3, writing other values (title: 'B' there, 'A' here)" in str(
            decided[0][2]) and "this row also fails: not a date" in str(decided[0][2])
        assert "beside row 4, writing other values (title: 'A' there, 'B' here)" in str(
            decided[1][2]), decided
        assert "beside row 3, writing other values (title: 'B' there, 'A' here)" in str(
            decided[2][2]), decided


@pytest.mark.parametrize("mode", ["insert", "upsert"])
@pytest.mark.parametrize("at", [0, 1, 2])
def test_a_failed_row_first_middle_or_last_beside_two_copies(mode: str, at: int) -> None:
    """Two rows writing 'B' and a row failing its date whose title is 'A': the first 'B'
    writes, the other is its duplicate, wherever the failed row stands; the failed row
    fails, held as other values only when a row that writes came before it."""
    rows: list[tuple[str, str, str]] = [("B", "10", GOOD), ("B", "10", GOOD)]
    rows.insert(at, ("A", "10", BAD))
    decided = _decided(mode, rows)
    assert _written(decided) == ["B"], decided
    assert [s for s, _, _, _ in decided].count("SKIPPED") == 1, decided
    failed = decided[at]
    assert failed[0] == "FAILED" and "not a date" in str(failed[2]), failed
    if at == 0 and mode == "insert":  # (no row wrote before it: it fails on its cells alone)
        assert not str(failed[2]).startswith("duplicate source key"), failed
    if at > 0:
        assert str(failed[2]).startswith("duplicate source key 'K1': "), failed
        assert "beside row 2, writing other values (title: 'B' there, 'A' here)" in str(
            failed[2]) or "row 2 has it too, writing other values (title: 'B' there, 'A' " \
            "here)" in str(failed[2]), failed
    written_at = 1 if at == 0 else 0
    skipped = next(n for n, d in enumerate(decided) if d[0] == "SKIPPED")
    assert f"the same deal as row {written_at + 2}" in str(decided[skipped][2]), decided


WRITERS = [("A",), ("B",), ("A", "A"), ("A", "B"), ("B", "A"), ("A", "A", "B"),
           ("A", "B", "A"), ("B", "B", "B")]


@pytest.mark.parametrize("mode", ["insert", "upsert"])
@pytest.mark.parametrize("writers", WRITERS)
def test_no_outcome_depends_on_the_failed_rows_values(mode: str,
                                                      writers: tuple[str, ...]) -> None:
    """Every order of 2-4 rows of one key, one of which fails its date: the deal written
    and every other row's outcome (state, action, reason) are the same whatever the
    failed row's title and amount (those of a row that writes, or others)."""
    for at in range(len(writers) + 1):
        seen: dict[str, Any] = {}
        for title, amount in itertools.product(("A", "B", "C"), ("10", "20")):
            rows = [(t, "10", GOOD) for t in writers]
            rows.insert(at, (title, amount, BAD))
            decided = _decided(mode, rows)
            assert decided[at][0] == "FAILED", decided
            others = [d for n, d in enumerate(decided) if n != at]
            seen.setdefault("others", others)
            assert others == seen["others"], (mode, writers, at, title, amount, decided)


E2E_MAPPING = """\
[import]
key_column = "key"
mode = "{mode}"
[defaults]
date_formats = ["%d/%m/%Y"]
[deal]
title = "title"
value = "amount"
expected_close_date = "close"
pipeline = {{ default = "Sales" }}
"""


def _source(tmp: Path, kind: str) -> Path:
    """K1's four rows as a CSV, or as an XLSX whose good dates and amounts are typed cells
    (the failing date a text cell)."""
    rows = [("K1", "Deal A", "10", BAD), ("K1", "Deal B", "10", GOOD),
            ("K1", "Deal B", "10", GOOD), ("K1", "Deal A", "10", GOOD)]
    if kind == "csv":
        path = tmp / "in.csv"
        path.write_text("key,title,amount,close\n" + "".join(",".join(r) + "\n" for r in rows))
        return path
    import openpyxl

    path = tmp / "in.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for key, title, amount, close in rows:
        sheet.append([key, title, float(amount), close if close == BAD
                      else datetime.datetime(2026, 1, 13)])
    book.save(path)
    return path


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "kind"), [("insert", "csv"), ("upsert", "csv"),
                                            ("insert", "xlsx")])
async def test_a_file_whose_key_first_row_fails_imports_the_row_that_writes(
        tmp_path: Path, mode: str, kind: str) -> None:
    """x45r10 F2 end to end: K1's first row fails its date, row 3 writes 'Deal B', row 4
    is row 3's copy, row 5 repeats the failed row's values: the insert writes 'Deal B'
    (row 4 its duplicate, row 5 held beside row 3, the failed row failing alone); the
    upsert holds rows 3 and 5, which differ, writing neither (row 4 row 3's duplicate),
    and the failed row beside row 3 — no reason names the failed row as the one beside."""
    manifest, mapping = _source(tmp_path, kind), tmp_path / "m.toml"
    mapping.write_text(E2E_MAPPING.format(mode=mode))
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="run", mode=mode)
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert "not a date" in failed["2"]["reason"], failed["2"]
        assert done["4"]["action"] == "duplicate", done
        assert "the same deal as row 3" in done["4"]["note"], done
        for row in failed.values():
            assert "row 2 has it too" not in row["reason"], row
            assert "beside row 2" not in row["reason"], row
        assert "row 3 has it too" in failed["5"]["reason"] or "beside row 3" in failed["5"][
            "reason"], failed["5"]
        assert failed["5"]["hold"] == "duplicate-key", failed["5"]
        if mode == "insert":
            assert [d["title"] for d in sandbox_deals(sb)] == ["Deal B"], (failed, done)
            assert sorted(failed) == ["2", "5"] and done["3"]["action"] == "created", failed
            assert failed["2"]["hold"] == "", failed["2"]
        else:
            assert sandbox_deals(sb) == [], (failed, done)
            assert sorted(failed) == ["2", "3", "5"], failed
            assert "beside row 3" in failed["2"]["reason"], failed["2"]
            assert "beside row 5" in failed["3"]["reason"], failed["3"]
            assert failed["2"]["hold"] == "duplicate-key", failed["2"]
