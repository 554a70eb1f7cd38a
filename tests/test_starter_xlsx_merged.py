"""An XLSX whose data rows have merged cells (Zoho's Account Name merged down each
account's deals): the file stores the value in a range's first cell only, so the loader
refuses every other row of the range (docs/mapping.md, "Merged cells in data rows").
x49r5 F2: init-mapping wrote no TODO, and the plan then refused 97 of 157 rows under 41
reason lines, one per merged range. Now init-mapping writes one TODO naming the column and
how many ranges / rows, and the plan says one line per column, naming the first ranges."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from bulk.manifest_xlsx import merged_data_cells
from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from jobs.plan_reasons import ReasonTally, reason_line
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

HEADER = ["Account Name", "Deal Name", "Stage", "Amount", "Notes"]


def _book(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    deals = [("Acme", 3), ("Globex", 1), ("Initech", 2), ("Umbrella", 4)]
    for account, n in deals:
        for i in range(n):
            sheet.append([account if i == 0 else None, f"{account} deal {i}", "Qualified",
                          100 * (i + 1), None])
    sheet.merge_cells("A2:A4")   # Acme's 3 rows
    sheet.merge_cells("A6:A7")   # Initech's 2
    sheet.merge_cells("A8:A11")  # Umbrella's 4
    sheet.merge_cells("E2:E3")   # a column no field reads: no TODO
    book.save(path)
    return path


def test_init_mapping_names_the_merged_ranges_of_a_read_column(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    path = _book(tmp_path / "zoho.xlsx")
    merged = merged_data_cells(path)
    assert merged["Account Name"].ranges == 3 and merged["Account Name"].rows == 6, merged
    text = init_mapping(HEADER, catalog, samples=_samples(path), merged=merged)
    todo = [line for line in text.splitlines() if "merged" in line]
    assert 'name = "Account Name"' in text, text
    assert len(todo) == 1 and todo[0].startswith("# TODO: "), todo
    assert "'Account Name'" in todo[0] and "3 merged ranges" in todo[0], todo
    assert "6 rows" in todo[0] and "A2:A4" in todo[0] and "unmerge" in todo[0], todo
    assert "Notes" not in todo[0], todo


def test_the_plan_says_one_line_for_a_columns_merged_ranges() -> None:
    tally = ReasonTally()
    for ref, rows in (("A2:A4", (3, 4)), ("A6:A7", (7,)), ("A8:A11", (9, 10, 11))):
        for row in rows:
            tally.add(f"column 'Account Name' is inside the merged cells {ref}, whose value "
                      "the file stores in their first cell only (Excel shows it across) — "
                      "unmerge them and fill each row's cell", "Account Name", None, row)
    assert len(tally.counts) == 1, tally.counts
    (cls, n), = tally.counts.items()
    line = reason_line(cls, n, tally.examples)
    assert n == 6 and "3 merged ranges of this column" in line, line
    assert "A2:A4, A6:A7, A8:A11" in line, line


def test_a_range_across_columns_is_said_beside_not_below(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x50r4: a range across columns (C5:D5: the amount's D5 right of the stage's C5) was
    said "1 row below those first cells"; it is beside, and a column with both says so."""
    path = tmp_path / "across.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for i in range(8):
        sheet.append([f"Account {i}", f"Deal {i}", "Qualified", 100 + i, None])
    sheet.merge_cells("A2:A3")  # below
    sheet.merge_cells("C5:D5")  # D5 beside C5
    sheet.merge_cells("D7:D8")  # below, in the amount's column too
    book.save(path)
    merged = merged_data_cells(path)
    assert merged["Amount"].rows == 2 and merged["Amount"].beside == 1, merged
    text = init_mapping(HEADER, catalog, samples=_samples(path), merged=merged)
    todo = {line.split("'")[1]: line for line in text.splitlines() if "merged range" in line}
    assert "below those first cells" in todo["Account Name"], todo
    assert "beside" not in todo["Account Name"], todo
    assert "2 rows whose cell lies below or beside" in todo["Amount"], todo
