"""A merge cell a spreadsheet could have written as one grouped number is never read as a
list of deals (x46r8 F1: ``"1,011",20`` merged deals 1 and 11 into deal 20, where update
and move-stage refuse the cell as a number shown with thousands separators; merges are
final)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.merging import PairRow, Rejected, read_pairs


def _read(tmp_path: Path, text: str) -> list[PairRow | Rejected]:
    path = tmp_path / "pairs.csv"
    path.write_text(text, encoding="utf-8")
    return list(read_pairs(path))


@pytest.mark.parametrize("cell", ['"1,011"', '"1 011"', '"1,05"', '"12 13"', '"12,13"'])
def test_a_pair_cell_of_one_grouped_number_or_two_ids_merges_nothing(tmp_path: Path,
                                                                     cell: str) -> None:
    rows = _read(tmp_path, f"merge_id,survivor_id\n{cell},20\n")
    assert [type(r) for r in rows] == [Rejected], rows
    assert not any(isinstance(r, PairRow) for r in rows)


@pytest.mark.parametrize("cell", ['"1,011"', '"1 011"', '"1,05"', '"1,152"',
                                  '"1\u2009234"', '"3\u2007100"', '"1\u00a0011"',
                                  '"1\u3000234"', '"5\uff0c678"', '"1\u2003234"',
                                  '"1\t234"'])
def test_a_group_cell_that_reads_as_one_grouped_number_is_refused(tmp_path: Path,
                                                                  cell: str) -> None:
    rows = _read(tmp_path, f"survivor_id,merge_ids\n22,{cell}\n")
    assert [type(r) for r in rows] == [Rejected], rows
    assert "separate ids with ';'" in rows[0].reason  # type: ignore[union-attr]


@pytest.mark.parametrize(("cell", "ids"), [('"12;13"', [12, 13]), ('"12,13"', [12, 13]),
                                           ('"12 13"', [12, 13]), ('"101, 102"', [101, 102]),
                                           ('"476,0"', [476]), ('"12|13"', [12, 13]),
                                           ('"12\uff1b13"', [12, 13]),
                                           ('"12\uff5c13"', [12, 13]),
                                           ('"12\u300113"', [12, 13])])
def test_group_cells_still_list_ids(tmp_path: Path, cell: str, ids: list[int]) -> None:
    rows = _read(tmp_path, f"survivor_id,merge_ids\n22,{cell}\n")
    assert [r.merge_id for r in rows if isinstance(r, PairRow)] == ids, rows


def test_a_listed_part_that_is_a_grouped_number_is_refused_whole(tmp_path: Path) -> None:
    rows = _read(tmp_path, 'survivor_id,merge_ids\n22,"1,011;12"\n')
    assert [type(r) for r in rows] == [Rejected], rows


def test_a_pair_cell_listing_ids_by_semicolon_still_merges_each(tmp_path: Path) -> None:
    rows = _read(tmp_path, 'merge_id,survivor_id\n"12;13",20\n')
    assert [(r.merge_id, r.survivor_id) for r in rows if isinstance(r, PairRow)] == [
        (12, 20), (13, 20)]


# x47r1 F1: a grouped number with decimals (Excel's ``#,##0.00``), an Indian lakh grouping,
# or a grouped number beside a stray list mark was split and merged as several deals
@pytest.mark.parametrize("cell", ['"1,234.00"', '"2 345.00"', '"53,802.0"', '"51\u00a0801.00"',
                                  '"3,45,678"', '"12,34,567"', '"4,567;"', '"5\u3000679;"',
                                  '";6\u00a0789"', '"7\u2009890|"', '"8,901,"', '"12;1,234.00"',
                                  '"9,012.5"', '"1 234,50"', '"12.0, 13.0"'])
def test_a_group_cell_that_may_be_one_number_however_marked_is_refused(tmp_path: Path,
                                                                       cell: str) -> None:
    rows = _read(tmp_path, f"survivor_id,merge_ids\n22,{cell}\n")
    assert [type(r) for r in rows] == [Rejected], rows
    assert not any(isinstance(r, PairRow) for r in rows)


@pytest.mark.parametrize(("cell", "ids"), [('"12;13;"', [12, 13]), ('";12|13"', [12, 13]),
                                           ('"12, 13, 14"', [12, 13, 14]),
                                           ('"12;13,14"', [12, 13, 14]),
                                           ('"64.0;65.0"', [64, 65]), ('"1234;"', [1234])])
def test_group_cells_with_stray_marks_still_list_ids(tmp_path: Path, cell: str,
                                                     ids: list[int]) -> None:
    rows = _read(tmp_path, f"survivor_id,merge_ids\n22,{cell}\n")
    assert [r.merge_id for r in rows if isinstance(r, PairRow)] == ids, rows


@pytest.mark.parametrize("cell", ['"1,011"', '"1 011"', '"1.011"', '"1\u2009011"'])
def test_a_pair_cell_of_one_grouped_number_is_told_to_save_it_as_text(tmp_path: Path,
                                                                      cell: str) -> None:
    """A pair's ``1,011`` is one id shown grouped, as ``1.011`` is: its reason says to save
    the column as Text, never to list ids by ';' in a merge_ids column (x46r12 F9)."""
    (row,) = _read(tmp_path, f"merge_id,survivor_id\n{cell},20\n")
    assert isinstance(row, Rejected), row
    assert "thousands separators" in row.reason and "as Text or General" in row.reason, row
    assert "';'" not in row.reason and "merge_ids" not in row.reason, row


def test_a_pair_cell_of_two_ids_is_told_to_list_them_in_a_group(tmp_path: Path) -> None:
    """``12, 13`` (no grouped number): the reason says a pair holds one id, and how to list
    several."""
    (row,) = _read(tmp_path, 'merge_id,survivor_id\n"12, 13",20\n')
    assert isinstance(row, Rejected) and "separated by ';' in a merge_ids column" in row.reason
