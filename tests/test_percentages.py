"""Percentages in numeric targets follow one rule in CSV and XLSX (x21r3 F6): a number
field and the probability take the number shown (``10%`` and an XLSX 0.1 under ``0%`` are
10, never scaled), an amount (the deal value, a monetary field) refuses a percentage,
failing the row with its column named; failed.csv and failed.xlsx keep the percentage."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bulk.errors import InputError
from bulk.manifest import read_manifest
from bulk.reports import HOLD_COLUMN, _XlsxFile, cell
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping
from jobs.transforms import cell_types, typed_values
from tests.test_mapping import catalog  # noqa: F401  (fixture)

MAPPING = """
[import]
key_column = "id"
[defaults]
currency = "EUR"
[deal]
title = "t"
value = "Amount"
probability = { column = "Win", scale = 100 }
[custom_fields]
Seats = "Seats"
Employees = "Employees"
"Contract value" = "Contract"
"""
COLUMNS = ["id", "t", "Amount", "Win", "Seats", "Employees", "Contract"]
# one percentage per row: (column, the CSV text, the XLSX number, its format)
CELLS = [("Amount", "10%", 0.1, "0%"), ("Win", "40%", 0.4, "0%"),
         ("Seats", "12.5%", 0.125, "0.0%"), ("Employees", "10%", 0.1, "0%"),
         ("Employees", "12.5%", 0.125, "0.0%"), ("Contract", "7%", 0.07, "0.00%"),
         ("Seats", "-50 %", -0.5, "0%")]


def _csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        for n, (column, text, _, _) in enumerate(CELLS, 1):
            out.writerow([text if c == column else f"k{n}" if c == "id" else
                          "Deal" if c == "t" else "" for c in COLUMNS])
    return path


def _xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(COLUMNS)
    for n, (column, _, number, fmt) in enumerate(CELLS, 2):
        ws.append([f"k{n - 1}", "Deal"] + [None] * (len(COLUMNS) - 2))
        at = ws.cell(row=n, column=COLUMNS.index(column) + 1)
        at.value, at.number_format = number, fmt
    book.save(path)
    return path


def _outcomes(m: Any, path: Path) -> list[object]:
    out: list[object] = []
    for row in read_manifest(path):
        try:
            out.append(m.map(row).deal)
        except InputError as exc:
            out.append((exc.row, exc.column, exc.reason))
    return out


def test_a_percentage_reads_the_same_from_csv_and_xlsx(tmp_path: Path,
                                                       catalog: Catalog) -> None:  # noqa: F811
    """``10%`` typed in a CSV and 0.1 under ``0%`` in a workbook give the same row: the
    number shown in a number field and the probability, a failed row naming the column in
    an amount (before: the CSV failed where the XLSX value was 10)."""
    m = compile_mapping(Mapping.loads(MAPPING), catalog)
    from_csv = _outcomes(m, _csv(tmp_path / "d.csv"))
    from_xlsx = _outcomes(m, _xlsx(tmp_path / "d.xlsx"))
    assert from_csv == from_xlsx
    seats, employees = "d" * 40, "i" * 40
    amount, win, seat, staff, staff_half, contract, minus = from_csv
    assert amount[:2] == (2, "Amount") and "'10%' is a percentage" in str(amount[2])
    assert isinstance(win, dict) and win["probability"] == 40  # a percentage is not scaled
    assert isinstance(seat, dict) and seat["custom_fields"][seats] == 12.5
    assert isinstance(staff, dict) and staff["custom_fields"][employees] == 10
    assert staff_half[:2] == (6, "Employees") and "not a whole number" in str(staff_half[2])
    assert contract[:2] == (7, "Contract") and "'7%' is a percentage" in str(contract[2])
    assert isinstance(minus, dict) and minus["custom_fields"][seats] == -50


@pytest.mark.parametrize("cell_text", ["%", "10%%", "abc%"])
def test_a_percent_sign_without_one_number_fails(cell_text: str,
                                                 catalog: Catalog) -> None:  # noqa: F811
    """A ``%`` alone, twice, or after no number fails the row quoting the cell."""
    m = compile_mapping(Mapping.loads(MAPPING), catalog)
    from bulk.manifest import SourceRow

    with pytest.raises(InputError, match=f"column 'Seats': not a number: {cell_text!r}"):
        m.map(SourceRow(1, 2, {"id": "k1", "t": "Deal", "Seats": cell_text}))


def test_a_percentage_cell_is_kept_in_failed_files_and_the_store(tmp_path: Path) -> None:
    """An XLSX percentage reads back from the job store as one, and failed.csv writes it
    as the CSV save does (``7.5%``, the guard's decimals), so a retry reads it alike."""
    from bulk.manifest_xlsx import PercentNumber

    [row] = list(read_manifest(_xlsx_one(tmp_path / "p.xlsx", 0.075, "0.0%")))
    value = row.values["Seats"]
    assert isinstance(value, PercentNumber) and value == "7.5%" and value.number == 7.5
    back = typed_values({"Seats": str(value)}, cell_types(row.values))["Seats"]
    assert isinstance(back, PercentNumber) and back.number == 7.5
    assert cell(value) == "7.5000%"
    failed = _XlsxFile(tmp_path / "failed.xlsx", ["row", "key", "reason", "status", "column",
                                                  HOLD_COLUMN, "Seats"])
    failed.write({"row": 2, "key": "k1", "reason": "x", "status": "failed", "column": "Seats",
                  HOLD_COLUMN: ""}, {"Seats": value}, [value])
    failed.close()
    [again] = list(read_manifest(tmp_path / "failed.xlsx"))
    assert again.values["Seats"] == "7.5%" and isinstance(again.values["Seats"], PercentNumber)


def _xlsx_one(path: Path, number: float, fmt: str) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["id", "Seats"])
    ws.append(["k1", number])
    ws["B2"].number_format = fmt
    book.save(path)
    return path


def test_an_xlsx_percentage_is_its_stored_number_not_its_rounded_display(
        tmp_path: Path, catalog: Catalog) -> None:  # noqa: F811
    """x31r1 6 (docs): 0.125 under ``0%`` shows ``13%``, yet reads as 12.5 — the stored
    number in percent, never rounded to the format's decimals, as docs/mapping.md says."""
    from bulk.manifest_xlsx import PercentNumber

    [row] = list(read_manifest(_xlsx_one(tmp_path / "r.xlsx", 0.125, "0%")))
    value = row.values["Seats"]
    assert isinstance(value, PercentNumber) and value == "12.5%"
    mapping = ('[import]\nkey_column = "id"\n[deal]\ntitle = { default = "Deal" }\n'
               '[custom_fields]\nSeats = "Seats"\n"Lead source" = "Seats"\n')
    deal = compile_mapping(Mapping.loads(mapping), catalog).map(row).deal
    assert deal["custom_fields"]["d" * 40] == 12.5  # a number field
    assert deal["custom_fields"]["v" * 40] == "12.5%"  # a text field
