"""A summary report's group headers (Salesforce's "Stage: Proposal Made (4)" above each
group's records) fail with one reason, saying to export the report as Details Only, and
are no stage value for init-mapping; a reader's refusal that names its own row shows the
row's file line where other reasons do, never the row number as a value (x46r1 F4: mid-file
headers were "a line of a report's footer", the first one "the source key is empty", a TODO
mapped "Stage: Qualified (4)" as a stage, and "rows 16 (16), 22 (22)" were listed)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from bulk.manifest import read_manifest
from jobs.plan_reasons import ReasonTally, reason_line

HEADER = ["Stage", "Opportunity Name", "Amount", "Opportunity ID"]


def _book(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEADER)
    for n, stage in enumerate(("Qualified", "Proposal Made")):
        ws.append([f"Stage: {stage} (2)", None, None, None])
        ws.append([stage, f"Opp {n}a", 100, f"006A{n}a"])
        ws.append([stage, f"Opp {n}b", 200, f"006A{n}b"])
        ws.append(["Subtotal", None, 300, None])
    ws.append(["Grand Total (4 records)", None, 600, None])
    book.save(path)
    return path


def _reasons(path: Path) -> dict[int, str | None]:
    return {r.row: (r.error.reason if r.error else None) for r in read_manifest(path)}


def test_every_group_header_of_an_xlsx_summary_report_has_one_reason(tmp_path: Path) -> None:
    reasons = _reasons(_book(tmp_path / "summary.xlsx"))
    for row in (2, 6):  # the first group header and one after a subtotal
        assert f"row {row} is a group header of a summary report" in str(reasons[row]), reasons
        assert "Details Only" in str(reasons[row]) and "footer" not in str(reasons[row])
    assert all(reasons[r] is None for r in (3, 4, 7, 8)), reasons
    assert "footer" in str(reasons[10]) or "totals" in str(reasons[10])


def test_a_csv_summary_reports_group_headers(tmp_path: Path) -> None:
    path = tmp_path / "summary.csv"
    path.write_text("\n".join([",".join(HEADER), '"Stage: Qualified (1)"', "Qualified,A,1,k1",
                               '"Subtotal",,1,', '"Stage: Closed Won (1)",,,',
                               "Closed Won,B,2,k2", "Subtotal,,2,"]) + "\n")
    reasons = _reasons(path)
    for row in (2, 5):
        assert "group header of a summary report" in str(reasons[row]), reasons
    assert reasons[3] is None and reasons[6] is None


def test_a_record_that_reads_like_a_group_header_beside_cells_is_a_record(
        tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(",".join(HEADER) + '\n"Stage: Qualified (1)",A,1,k1\n')
    assert _reasons(path)[2] is None


def test_a_readers_own_row_is_no_value_and_its_line_is_shown() -> None:
    tally = ReasonTally()
    why = ("row {} (line {} of the file) is a line of a report's footer ({!r}), not a record:"
           " delete the footer lines")
    for row, line, cell in ((244, 370, "Grand Totals (240 records)"),
                            (246, 372, "Copyright (c) 2000-2026 salesforce.com"),
                            (247, 373, "Acme Corp")):
        tally.add(why.format(row, line, cell), None, None, row)
    [(cls, n)] = tally.reasons().items()
    said = reason_line(cls, n, tally.examples)
    assert "rows 246 (line 372) ('Copyright" in said and "247 (line 373) ('Acme" in said, said
    assert "(246," not in said and said.count("370") == 1, said


def test_a_totals_line_of_xlsx_lists_no_row_as_its_value() -> None:
    tally = ReasonTally()
    for row in (10, 16, 22):
        tally.add(f"row {row} is a report's totals line ('Subtotal' beside 1 number(s)), not a"
                  " record: delete it", None, None, row)
    [(cls, n)] = tally.reasons().items()
    said = reason_line(cls, n, tally.examples)
    assert "rows 16, 22" in said and "(16)" not in said, said
