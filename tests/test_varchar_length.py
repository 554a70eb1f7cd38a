"""A value longer than its custom field keeps (varchar, varchar_auto, phone: 255
characters; text, long text: 65,000 — openapi-v2's dealFields field_type table, "up to
65k characters") fails its row, naming the column (x24r1 4: a 300-character cell of a
varchar field was sent and stored; a title is refused above 255; x41r3 F3: a
70,000-character long text was planned valid and sent). So does a source key longer
than the key field keeps: cut, it would find its deal no more."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping

MAPPING = """
version = 1
[import]
key_column = "Key"
[deal]
title = "Title"
[custom_fields]
"Code" = "Code"
"Auto" = { column = "Auto", map = { "long" = "%s" } }
"Notes" = "Notes"
""" % ("y" * 256)
HEADER = ["Key", "Title", "Code", "Auto", "Notes"]


def mapper() -> object:
    fields = [("k", "Import source key", "varchar"), ("c", "Code", "varchar"),
              ("a", "Auto", "varchar_auto"),
              ("n", "Notes", "text")]
    catalog = Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1}],
        users=[{"id": 100, "name": "Ann Lee", "email": "ann@acme.test", "active_flag": True}],
        deal_fields=[{"field_code": c * 40, "field_name": n, "field_type": t,
                      "is_custom_field": True} for c, n, t in fields])
    return compile_mapping(Mapping.loads(MAPPING), catalog, header=HEADER)


def mapped(**cells: str) -> dict[str, object]:
    values = dict.fromkeys(HEADER, "") | {"Key": "K1", "Title": "T"} | cells
    return dict(mapper().map(SourceRow(2, 2, values)).deal)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("column", "cell"), [
    ("Code", "x" * 256), ("Code", "é" * 200 + " " + "x" * 60), ("Auto", "long")])
def test_a_value_past_255_characters_fails_the_row(column: str, cell: str) -> None:
    with pytest.raises(InputError, match="takes at most 255") as info:
        mapped(**{column: cell})
    assert info.value.column == column


def test_a_long_text_past_65000_characters_fails_the_row() -> None:
    with pytest.raises(InputError, match="is 70,000 characters long; the text field "
                                         "'Notes' takes at most 65,000") as info:
        mapped(Notes="z" * 70_000)
    assert info.value.column == "Notes"
    deal = mapped(Notes="z" * 65_000)
    assert len(deal["custom_fields"]["n" * 40]) == 65_000  # type: ignore[index]


def test_a_key_past_the_key_fields_255_characters_fails_the_row() -> None:
    with pytest.raises(InputError, match=r"the source key: .* is 256 characters long; the "
                                         r"varchar field 'Import source key'") as info:
        mapped(Key="k" * 256)
    assert info.value.column == "Key"
    assert mapped(Key="k" * 255)["custom_fields"]["k" * 40] == "k" * 255  # type: ignore[index]


def test_255_characters_and_long_text_pass() -> None:
    deal = mapped(Code="x" * 255, Notes="z" * 3000)
    assert deal["custom_fields"]["c" * 40] == "x" * 255  # type: ignore[index]
    assert len(deal["custom_fields"]["n" * 40]) == 3000  # type: ignore[index]
