"""x23r1 F4: an Excel serial written with the mapping's decimal comma (``45292,5``) failed
with ``formats = ["excel"]``; init-mapping told a sampled ``2026-02-30`` to "add a pattern
that reads it" (no pattern can: the day does not exist)."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping
from jobs.mapping.starter import _date_format_lines
from tests.test_mapping import catalog  # noqa: F401  (fixture)

TEXT = """
[import]
key_column = "id"
[defaults]
decimal = "{decimal}"
date_formats = ["excel"]
[deal]
title = "title"
expected_close_date = "close"
"""


@pytest.mark.parametrize(("cell", "decimal", "expected"), [
    ("45292,5", ",", "2024-01-01"), ("45292", ",", "2024-01-01"),
    ("45.292,5", ",", "2024-01-01"), ("45292.5", ".", "2024-01-01"),
])
def test_a_serial_with_the_mappings_decimal_mark_is_a_date(
        catalog: Catalog, cell: str, decimal: str, expected: str) -> None:  # noqa: F811
    mapper = compile_mapping(Mapping.loads(TEXT.format(decimal=decimal)), catalog,
                             header=["id", "title", "close"])
    mapped = mapper.map(SourceRow(2, 2, {"id": "k1", "title": "T", "close": cell}))
    assert mapped.deal["expected_close_date"] == expected


def test_a_decimal_comma_serial_is_no_date_under_a_decimal_point(
        catalog: Catalog) -> None:  # noqa: F811
    """The comma is read only where the mapping says it is the decimal mark."""
    mapper = compile_mapping(Mapping.loads(TEXT.format(decimal=".")), catalog,
                             header=["id", "title", "close"])
    with pytest.raises(InputError):
        mapper.map(SourceRow(2, 2, {"id": "k1", "title": "T", "close": "45292,5"}))


def test_init_mapping_says_a_sampled_date_does_not_exist() -> None:
    lines = _date_format_lines({"Close Date": ["2026-02-28", "2026-02-30"]}, ["Close Date"])
    text = "\n".join(lines)
    assert "'2026-02-30' does not exist" in text and "add a pattern" not in text, text
    text = "\n".join(_date_format_lines({"Close": ["31.01.2026", "30.02.2026"]}, ["Close"]))
    assert "'30.02.2026' does not exist" in text and "add a pattern" not in text, text
