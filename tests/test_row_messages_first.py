"""Which reason a failed row gets first (x44r1 L2, L3).

- L2: a row broken by an unquoted ``5.000,00`` (a cell more than the header) was reported
  "duplicate source key '00'" (hold duplicate-key) when another row broke alike, and only
  then "4 cells but the header has 3": its key cell may be another column's, so it is
  reported for its cell count, and takes no part in duplicate-key checks.
- L3: a "Total" line got "source key is empty (... title, stage empty)" from a CSV and
  "may be a group or section title line" from an XLSX (its SUM formula uncached): one
  wording, a totals line, for both."""

from __future__ import annotations

from pathlib import Path

import anyio
import openpyxl

from bulk.sandbox import SandboxConfig
from tests.import_support import import_once, read_csv
from tests.sandbox_helpers import threaded_sandbox

MAPPING = """version = 1
[import]
key_column = "key"
[deal]
title = "title"
value = "amount"
[defaults]
currency = "EUR"
decimal = ","
"""


def _failed(tmp_path: Path, manifest: Path) -> dict[str, dict[str, str]]:
    (tmp_path / "m.toml").write_text(MAPPING, encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02)) as sb:
        store, _, _ = anyio.run(lambda: import_once(sb, tmp_path / "jobs", manifest,
                                                    tmp_path / "m.toml"))
        try:
            return {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        finally:
            store.close()


def test_a_misaligned_row_is_said_so_first_and_is_no_duplicate(tmp_path: Path) -> None:
    manifest = tmp_path / "rows.csv"
    manifest.write_text("title,amount,key\nfine,\"5.000,00\",K1\none,5.000,00,K2\n"
                        "two,7.000,00,K3\n", encoding="utf-8")
    failed = _failed(tmp_path, manifest)
    assert sorted(failed) == ["3", "4"], failed
    for row in failed.values():
        assert row["reason"].startswith("4 cells"), row  # before: "duplicate source key '00'"
        assert "duplicate" not in row["reason"], row
        assert row["hold"] != "duplicate-key", row


def test_a_totals_line_reads_alike_from_csv_and_xlsx(tmp_path: Path) -> None:
    """The key column first and empty, "Total" in the title's, the sum beside it."""
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text("key,title,amount\nK1,fine,\"5.000,00\"\n,Total,\"EUR 5.000,00\"\n",
                        encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in (["key", "title", "amount"], ["K1", "fine", 5000], [None, "Total", "=SUM(C2)"]):
        sheet.append(line)
    book.save(tmp_path / "rows.xlsx")
    (tmp_path / "c").mkdir()
    (tmp_path / "x").mkdir()
    said = [r["reason"] for r in (*_failed(tmp_path / "c", csv_file).values(),
                                  *_failed(tmp_path / "x", tmp_path / "rows.xlsx").values())]
    assert len(said) == 2, said
    # before: "the source key is empty (also: ...)" / "... a group or section title line"
    assert all(s.startswith("row 3 is a report's totals line ('Total' beside 1 number(s))")
               for s in said), said
