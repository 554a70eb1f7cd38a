"""A stage cell that cannot be placed on a row naming no pipeline (a blank Pipeline cell,
or an update without a Pipeline column) says what the cell held and why (x49r11 F4):
``'Demo booked' maps to 'Negotiations Started'`` was said of a cell the stage map's
``"*"`` caught (no entry maps it), of a stage name ambiguous on its own, and
``won\\u200b`` was quoted ``'won'``."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping

CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "Partnerships")),
    stages=(Stage(10, "Qualified", 1, 1), Stage(11, "Negotiations Started", 1, 2),
            Stage(20, "Negotiations Started", 2, 1)),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),))
MAPPING = """\
version = 1
[import]
key_column = "Key"
key_field = "Source key"
[deal]
title = "Title"
pipeline = { column = "Pipeline" }
status = { column = "Stage", map = { "Won" = "won", "Lost" = "lost", "*" = "open" } }
stage = { column = "Stage", map = { "Foo" = "Negotiations Started", "*" = "Negotiations Started" } }
"""


def _reason(cell: str) -> str:
    mapper = compile_mapping(Mapping.loads(MAPPING), CATALOG)
    with pytest.raises(InputError) as caught:
        mapper.map(SourceRow(2, 2, {"Key": "k", "Title": "t", "Pipeline": "", "Stage": cell}))
    return str(caught.value)


def test_a_cell_caught_by_the_fallback_says_so_and_that_the_row_has_no_pipeline() -> None:
    reason = _reason("Demo booked")
    assert "'Demo booked' maps to" not in reason, reason
    assert "'Demo booked' is no stage" in reason and '"*"' in reason, reason
    assert "the row names no pipeline (its Pipeline cell is blank)" in reason, reason


def test_a_cell_with_invisible_characters_is_quoted_as_it_was() -> None:
    reason = _reason("won\u200b")
    assert "'won\\u200b'" in reason, reason
    assert "'won' " not in reason, reason


def test_an_ambiguous_stage_name_is_not_said_to_map_to_the_fallback() -> None:
    reason = _reason("Negotiations Started")
    assert "maps to" not in reason and '"*"' not in reason, reason
    assert "ambiguous" in reason and "the row names no pipeline" in reason, reason


def test_an_explicit_entry_still_says_what_it_maps_to() -> None:
    reason = _reason("Foo")
    assert "'Foo' maps to 'Negotiations Started' (deal.stage.map)" in reason, reason
    assert "the row names no pipeline" in reason, reason


def test_a_mapping_without_a_pipeline_says_none_is_mapped() -> None:
    """As an update without a Pipeline column reads its rows: no pipeline at all."""
    mapper = compile_mapping(Mapping.loads(MAPPING.replace('pipeline = { column = "Pipeline" }\n',
                                                           "")), CATALOG)
    with pytest.raises(InputError) as caught:
        mapper.map(SourceRow(2, 2, {"Key": "k", "Title": "t", "Stage": "Demo\u00adbooked"}))
    reason = str(caught.value)
    assert "'Demo\\xadbooked' is no stage here" in reason, reason
    assert "the row names no pipeline, none is mapped" in reason, reason


def test_every_stage_and_status_refusal_quotes_the_cell_as_it_was() -> None:
    """The class of F4: a stage no entry maps, and an unknown status, quote the cell with
    its invisible characters (``'Demobooked'`` was shown for ``Demo\\u200bbooked``);
    spacing alone is not quoted apart (cells are read with it folded)."""
    mapper = compile_mapping(Mapping.loads(MAPPING.replace(', "*" = "Negotiations Started"', "")
                                           .replace(', "*" = "open"', "")), CATALOG)

    def reason(cell: str) -> str:
        with pytest.raises(InputError) as caught:
            mapper.map(SourceRow(2, 2, {"Key": "k", "Title": "t", "Pipeline": "Sales",
                                        "Stage": cell}))
        return str(caught.value)
    assert "unknown status 'Demo\\u200bbooked'" in reason("Demo\u200bbooked")
    status_free = compile_mapping(Mapping.loads(MAPPING.replace(
        'status = { column = "Stage", map = { "Won" = "won", "Lost" = "lost", "*" = "open" } }\n',
        "").replace(', "*" = "Negotiations Started"', "")), CATALOG)
    with pytest.raises(InputError) as caught:
        status_free.map(SourceRow(2, 2, {"Key": "k", "Title": "t", "Pipeline": "Sales",
                                         "Stage": "Demo\u200bbooked"}))
    assert ("the cell 'Demo\\u200bbooked' reads 'Demobooked': no stage named 'Demobooked'"
            in str(caught.value)), caught.value
    assert "'Demo  booked'" not in reason(" Demo  booked ")
