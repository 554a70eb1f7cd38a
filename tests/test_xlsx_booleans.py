"""An XLSX TRUE / FALSE cell keeps its type: a yes/no option, a status map entry of yes/no
words, a number and a date target read it as the CSV words say it (x24r1 F13)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bulk.errors import InputError
from bulk.manifest import read_manifest
from jobs import transforms as tf
from jobs.catalog import Catalog, DealField, Option, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping

MAPPING = """\
version = 1
[import]
key_column = "id"
key_field = "Source key"
[deal]
title = "title"
status = { column = "won?", map = { "yes" = "won", "no" = "open" } }
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
[custom_fields]
"Signed" = "signed"
"Seats" = "seats"
"Renewal date" = "renewal"
"""

CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"),), stages=(Stage(1, "Qualified", 1),),
    deal_fields=(
        DealField("key1", "Source key", "varchar", is_custom=True),
        DealField("sig1", "Signed", "enum", (Option(7, "Yes"), Option(8, "No")), True),
        DealField("seat", "Seats", "int", is_custom=True),
        DealField("ren1", "Renewal date", "date", is_custom=True),
    ))


def _deals(tmp_path: Path, rows: list[list[Any]], suffix: str) -> list[dict[str, Any]]:
    header = ["id", "title", "won?", "signed", "seats", "renewal"]
    if suffix == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        path = tmp_path / "d.xlsx"
        book.save(path)
    else:
        path = tmp_path / "d.csv"
        path.write_text(",".join(header) + "\n"
                        + "".join(",".join(map(str, row)) + "\n" for row in rows))
    mapper = compile_mapping(Mapping.loads(MAPPING), CATALOG)
    return [mapper.map(row).deal for row in read_manifest(path)]


def test_an_xlsx_boolean_reads_as_the_csv_yes_no_words(tmp_path: Path) -> None:
    """TRUE / FALSE cells: the option Yes / No, the status the map gives yes / no, the
    same deals as the CSV words true / yes / 1 and false / no / 0 give; a 1.0 number is
    the whole number 1 and a date cell the date."""
    book = _deals(tmp_path, [["k1", "A", True, True, 1.0, dt.datetime(2025, 3, 1)],
                             ["k2", "B", False, False, 2, dt.date(2025, 3, 2)]], "xlsx")
    assert [(d["status"], d["custom_fields"]) for d in book] == [
        ("won", {"key1": "k1", "sig1": 7, "seat": 1, "ren1": "2025-03-01"}),
        ("open", {"key1": "k2", "sig1": 8, "seat": 2, "ren1": "2025-03-02"})]
    for yes, no in (("TRUE", "FALSE"), ("yes", "no"), ("1", "0")):
        csv = _deals(tmp_path, [["k1", "A", yes, yes, 1, "2025-03-01"],
                                ["k2", "B", no, no, 2, "2025-03-02"]], "csv")
        assert csv == book, (yes, no)


def test_a_yes_no_word_never_guesses_between_options() -> None:
    """Two options saying yes (``Yes``, ``Y``), or none, keep the error naming the options;
    an option written as the word itself is taken as written."""
    field = DealField("f", "Flag", "enum", (Option(1, "Yes"), Option(2, "Y"), Option(3, "No")))
    with pytest.raises(InputError, match="has no option 'true'"):
        field.option("true")
    assert field.option("false").id == 3
    assert field.option("y").id == 2
    plain = DealField("g", "Stars", "enum", (Option(1, "1"), Option(2, "2")))
    assert plain.option("1").id == 1
    with pytest.raises(InputError, match="has no option 'true'"):
        plain.option("true")  # "1" is a rating here, but a TRUE read as 1 would guess


def test_a_value_map_takes_the_one_entry_of_a_booleans_truth() -> None:
    """``{"yes" = "won"}`` maps TRUE; two entries of one truth to two targets map none."""
    assert tf.ValueMap({"yes": "won", "no": "lost"}).get("true") == "won"
    assert tf.ValueMap({"yes": "won", "y": "won"}).get("TRUE") == "won"
    assert tf.ValueMap({"yes": "won", "x": "lost"}).get("true") is None
    assert tf.ValueMap({"true": "won"}).get("maybe") is None
