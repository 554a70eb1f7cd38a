"""The starter mapping's lines a new user misreads (x39r3 L2-L4): the default
``separator`` says it splits a cell's options, not the file's columns; a title line
guessed from the first column left says why it is a TODO and what to decide; Pipedrive's
own export says to uncomment only the contact lines that name a column (an empty column
name is refused by the plan)."""

from __future__ import annotations

import pytest

from jobs.catalog import Catalog
from jobs.mapping import Mapping, MappingError, init_mapping
from tests.test_mapping import catalog  # noqa: F401  (the fixture)


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


def test_the_default_separator_says_it_is_no_column_delimiter(catalog: Catalog) -> None:  # noqa: F811
    text = init_mapping(["Deal ID", "Deal Name", "Amount"], catalog,
                        samples={"Deal ID": ["1"], "Deal Name": ["A"], "Amount": ["5"]})
    line = _line(text, "separator = ")
    assert "options of one cell" in line and "not the file's columns" in line, line


def test_a_guessed_title_says_what_to_decide(catalog: Catalog) -> None:  # noqa: F811
    header = ["Potential Id", "Potential Name", "Amount"]
    text = init_mapping(header, catalog, samples={"Potential Id": ["z1"],
                                                  "Potential Name": ["Big one"]})
    line = _line(text, "title = ")
    assert "# TODO: no column looks like a deal title" in line, line
    assert "name the column holding each deal's title" in line, line
    with pytest.raises(MappingError) as info:  # the plan still refuses it
        Mapping.loads(text)
    assert "no column looks like a deal title" in str(info.value), info.value


def test_pipedrive_export_says_uncomment_only_lines_naming_a_column(catalog: Catalog) -> None:  # noqa: F811
    header = ["Deal - ID", "Deal - Title", "Deal - Value"]
    text = init_mapping(header, catalog, samples={"Deal - ID": ["7"], "Deal - Title": ["A"]})
    assert "[update]" in text, text
    assert "lines that name a column" in text and "leave it commented" in text, text
