"""A won / lost word in the stage column of a row that names no pipeline (x50r9 F1).

``Won`` is an open stage of EU and a status word; ``Lost`` one of Partners > Resell. A row
whose Pipeline cell is blank gives no pipeline to read the word in: before, it was put in
EU U+203A Won / Partners > Resell U+203A Lost, left open, with no note (4 of 4 rows of the
repro file). Now the row is refused, naming the pipeline and the two ways out; a row that
names its pipeline, or a stage map entry for the word, still decides it."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping

CATALOG = Catalog(
    pipelines=(Pipeline(1, "EU"), Pipeline(2, "US"), Pipeline(5, "Partners > Resell")),
    stages=(Stage(1, "Discovery", 1, 1), Stage(3, "Proposal", 1, 2), Stage(4, "Won", 1, 3),
            Stage(5, "Discovery", 2, 1), Stage(7, "Proposal", 2, 2),
            Stage(16, "Lead In", 5, 1), Stage(17, "Lost", 5, 2)),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),))

MAPPING = """\
version = 1
[import]
key_column = "Key"
key_field = "Source key"
[deal]
title = "Title"
pipeline = "Pipeline"
status = { column = "Stage", map = { "*" = "open" } }
[deal.stage]
column = "Stage"
[deal.stage.map]
"*" = "Proposal"
"""


def _deal(cell: str, pipeline: str = "", body: str = MAPPING) -> dict[str, object]:
    mapper = compile_mapping(Mapping.loads(body), CATALOG)
    return dict(mapper.map(SourceRow(2, 2, {"Key": "k", "Title": "A", "Pipeline": pipeline,
                                            "Stage": cell})).deal)


@pytest.mark.parametrize(("cell", "stage", "pipeline"), [
    ("Won", "Won", "EU"), ("won\u200b", "Won", "EU"), ("Lost", "Lost", "Partners > Resell"),
    ("\ufeffLost", "Lost", "Partners > Resell"), ("LOST ", "Lost", "Partners > Resell")])
def test_a_won_or_lost_word_naming_a_stage_on_a_row_of_no_pipeline_is_refused(
        cell: str, stage: str, pipeline: str) -> None:
    with pytest.raises(InputError) as caught:
        _deal(cell)
    reason = caught.value.reason
    assert f"{stage!r} is a stage of pipeline {pipeline} and a status word" in reason
    assert "the row names no pipeline" in reason
    assert "give its Pipeline cell" in reason and "deal.stage.map" in reason


@pytest.mark.parametrize(("cell", "pipeline", "placed"), [
    ("Won", "EU", (4, "open")), ("Won", "US", (7, "won")), ("won\u200b", "US", (7, "won")),
    ("Lost", "Partners > Resell", (17, "open")), ("Lost", "EU", (3, "lost"))])
def test_a_row_naming_its_pipeline_still_reads_the_word_there(
        cell: str, pipeline: str, placed: tuple[int, str]) -> None:
    deal = _deal(cell, pipeline)
    assert (deal["stage_id"], deal["status"]) == placed


def test_a_stage_map_entry_for_the_word_decides_a_row_of_no_pipeline() -> None:
    deal = _deal("Won", body=MAPPING + '"Won" = "EU > Won"\n')
    assert (deal["stage_id"], deal.get("status", "open")) == (4, "open")


def test_a_plain_stage_of_one_pipeline_is_unchanged_on_a_row_of_no_pipeline() -> None:
    assert _deal("Lead In")["stage_id"] == 16  # a stage, no status word
