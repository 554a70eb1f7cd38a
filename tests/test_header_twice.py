"""A name the header has twice refuses the file only where it is read, naming the places
("columns 3 (C) and 7 (G) are both 'Email'"); a file whose mapping reads neither column
is read (x25r2 F7: `Email,Email` refused a whole file whose mapping used neither)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from bulk.errors import InputError
from bulk.manifest import header, read_manifest
from jobs.import_checks import check_columns
from jobs.mapping import Mapping, compile_mapping
from jobs.selection import id_column

ROWS = [["Record ID", "Deal Name", "Email", "Amount", "Company", "Notes", "Email"],
        ["1", "A", "a@x.example", "10", "Co A", "n", "b@x.example"]]


def _csv(path: Path) -> Path:
    path = path / "dup.csv"
    path.write_text("".join(",".join(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


def _xlsx(path: Path) -> Path:
    path = path / "dup.xlsx"
    book = openpyxl.Workbook()
    for row in ROWS:
        book.active.append(row)
    book.save(path)
    return path


MAKERS = [pytest.param(_csv, id="csv"), pytest.param(_xlsx, id="xlsx")]


def _mapping(extra: str = "") -> Mapping:
    return Mapping.loads('[import]\nkey_column = "Record ID"\n[deal]\ntitle = "Deal Name"\n'
                         'value = "Amount"\n' + extra)


@pytest.mark.parametrize("make", MAKERS)
def test_a_file_whose_mapping_reads_neither_is_read(
        tmp_path: Path, make: Callable[[Path], Path]) -> None:
    """Both columns are read under their letter; the mapping's columns are all there."""
    path = make(tmp_path)
    names = header(path)
    assert names[2] == "Email (column C)" and names[6] == "Email (column G)", names
    check_columns(_mapping(), names)
    rows = list(read_manifest(path))
    assert [r.error for r in rows] == [None]
    assert rows[0].values["Email (column G)"] == "b@x.example"
    assert rows[0].values["Deal Name"] == "A"


@pytest.mark.parametrize("make", MAKERS)
def test_a_mapping_reading_the_name_is_refused_naming_the_places(
        tmp_path: Path, make: Callable[[Path], Path]) -> None:
    """The refusal names both positions and how to read one of them."""
    names = header(make(tmp_path))
    with pytest.raises(InputError) as caught:
        check_columns(_mapping('[person]\nemail = "Email"\n'), names)
    assert "columns 3 (C) and 7 (G) are both 'Email'" in str(caught.value), caught.value
    with pytest.raises(InputError, match=r"columns 3 \(C\) and 7 \(G\) are both 'Email'"):
        id_column(names, "Email")
    # the one meant, by its place
    check_columns(_mapping('[person]\nemail = "Email (column G)"\n'), names)


def test_a_mapping_reading_the_name_fails_compiling_with_the_places(tmp_path: Path) -> None:
    """Compiling against the header says the same (not "no column 'Email'")."""
    from jobs.catalog import Catalog
    from jobs.mapping.spec import MappingError
    from tests.test_mapping import RAW_FIELDS

    catalog = Catalog.from_api(pipelines=[{"id": 1, "name": "Sales"}], stages=[], users=[],
                               deal_fields=RAW_FIELDS)
    text = ('[import]\nkey_column = "Record ID"\nkey_field = "Import source key"\n'
            '[deal]\ntitle = "Deal Name"\npipeline = { default = "Sales" }\n'
            '[person]\nemail = "Email"\n')
    with pytest.raises(MappingError, match=r"columns 3 \(C\) and 7 \(G\)"):
        compile_mapping(Mapping.loads(text), catalog, header=header(_csv(tmp_path)))
