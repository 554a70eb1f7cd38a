"""A CSV/XLSX header that names paths (a failed-rows file of a JSON source) is read in any
spelling of the path grammar (bulk.table_paths)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from bulk.manifest import check_paths, read_manifest
from bulk.table_paths import TableRow, header_column, path_index

SPELLINGS = ['props["deal name"]', "props['deal name']", '["props"]["deal name"]',
             "props.deal name"]


@pytest.mark.parametrize("column", SPELLINGS)
def test_every_spelling_reads_the_column(column: str) -> None:
    names = ["id", "props.deal name"]
    index = path_index(names)
    row = TableRow([("id", "1"), ("props.deal name", "Acme")], index)
    assert row.get(column) == "Acme" and row[column] == "Acme" and column in row
    assert header_column(names, index, column) == "props.deal name"


def test_a_name_as_it_is_wins_and_two_readings_answer_none() -> None:
    names = ["a.b", 'a["b"]', "c"]
    index = path_index(names)
    row = TableRow([("a.b", "dotted"), ('a["b"]', "bracketed"), ("c", "x")], index)
    assert row["a.b"] == "dotted" and row['a["b"]'] == "bracketed"
    assert row.get("a['b']") is None and "a['b']" not in row  # two columns: neither
    assert header_column(names, index, "a['b']") is None
    assert row.get("missing", "d") == "d" and "missing" not in row
    with pytest.raises(KeyError):
        row["missing"]


def test_a_top_level_key_with_a_dot_reads_by_its_bracket_spelling() -> None:
    names = ["a.b"]
    index = path_index(names)
    assert header_column(names, index, '["a.b"]') == "a.b"
    assert header_column(names, index, 'a["b"]') == "a.b"  # one column: one reading


def test_csv_and_xlsx_rows_read_bracket_paths(tmp_path: Path) -> None:
    csv_path = tmp_path / "f.csv"
    csv_path.write_text('id,props.deal name\n1,Acme\n', encoding="utf-8")
    xlsx_path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["id", "props.deal name"])
    wb.active.append(["1", "Acme"])
    wb.save(xlsx_path)
    for path in (csv_path, xlsx_path):
        (row,) = list(read_manifest(path, columns={'props["deal name"]'}))
        assert row.values.get('props["deal name"]') == "Acme", path
        assert check_paths(["id", "props.deal name"], ['props["deal name"]']) == []


def test_a_plain_header_keeps_plain_rows(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("id,title\n1,A\n", encoding="utf-8")
    (row,) = list(read_manifest(path))
    assert type(row.values) is dict
    assert check_paths(["id", "title"], ['["title"]']) == [
        ('["title"]', "no such column in the manifest")]
