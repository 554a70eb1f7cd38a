"""An update's stage cell on a row that names no pipeline is read in the deal's own
pipeline where no pipeline-less reading decides it (x50r9 F1): deal 78 (US, Proposal,
won) updated by id with a blank Pipeline cell and ``won\\u200b`` was moved to EU U+203A
Won and reopened (19 of 19 such rows), ``Won`` being an open stage of EU only.

Decided: a won / lost word that is also one pipeline's stage, or a stage of several
pipelines, is read in the deal's; since x51r4 F1 every cell is (a stage of one other
pipeline by its name alone no longer moves the deal: only a cell naming its pipeline
does, tests/test_update_stage_own_pipeline.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping.rowmapper import InDealPipeline
from jobs.prepared import Prepared
from jobs.update_mapping import UpdateMapping, wanted_values
from jobs.updating import _in_deal_pipeline

CATALOG = Catalog(
    pipelines=(Pipeline(1, "EU"), Pipeline(2, "US"), Pipeline(5, "Partners > Resell")),
    stages=(Stage(1, "Discovery", 1, 1), Stage(3, "Proposal", 1, 2), Stage(4, "Won", 1, 3),
            Stage(5, "Discovery", 2, 1), Stage(7, "Proposal", 2, 2),
            Stage(16, "Lead In", 5, 1), Stage(17, "Lost", 5, 2)),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),))

MAPPING = """\
version = 1
[update]
id_column = "Deal ID"
[deal]
pipeline = "Pipeline"
status = { column = "Stage", map = { "*" = "open" } }
[deal.stage]
column = "Stage"
[deal.stage.map]
"*" = "Proposal"
"""


def _wanted(cell: str, pipeline: str = "") -> dict[str, Any]:
    mapper = UpdateMapping.loads(MAPPING).compile(CATALOG)
    return wanted_values(mapper, SourceRow(2, 2, {"Deal ID": "78", "Pipeline": pipeline,
                                                  "Stage": cell}))[1]


def _placed(cell: str, deal_pipeline: int) -> tuple[dict[str, Any] | None, Prepared]:
    prep = Prepared("update")
    deal = {"id": 78, "pipeline_id": deal_pipeline, "stage_id": 7, "status": "won"}
    return _in_deal_pipeline(prep, SourceRow(2, 2, {"Stage": cell}), "78", deal,
                             _wanted(cell)), prep


@pytest.mark.parametrize(("cell", "pipeline", "placed"), [
    ("won\u200b", 2, {"stage_id": 7, "status": "won"}),  # US: no stage Won, a status
    ("Won", 2, {"stage_id": 7, "status": "won"}),
    ("Won", 1, {"stage_id": 4, "status": "open"}),  # EU's own stage Won
    ("\ufeffLost", 1, {"stage_id": 3, "status": "lost"}),
    ("Lost", 5, {"stage_id": 17, "status": "open"}),
    ("Proposal", 2, {"stage_id": 7, "status": "open"}),  # of EU and US: the deal's
])
def test_a_row_of_no_pipeline_reads_its_stage_cell_in_the_deals_pipeline(
        cell: str, pipeline: int, placed: dict[str, Any]) -> None:
    assert isinstance(_wanted(cell)["stage_id"], InDealPipeline)
    wanted, prep = _placed(cell, pipeline)
    assert wanted is not None and not prep.bad_rows
    assert {k: wanted[k] for k in ("stage_id", "status")} == placed


def test_a_stage_of_one_pipeline_is_read_in_the_deals_pipeline_first() -> None:
    """x51r4 F1: every cell is read in the deal's pipeline ("*" places ``Lead In`` in EU);
    a stage of another pipeline by its name alone moves no deal, named with its pipeline
    it does."""
    assert _placed("Lead In", 1)[0] == {"stage_id": 3, "status": "open"}
    mapper = UpdateMapping.loads(MAPPING.replace('"*" = "Proposal"\n', "")
                                 ).compile(CATALOG)
    wanted = wanted_values(mapper, SourceRow(2, 2, {"Deal ID": "78", "Pipeline": "",
                                                    "Stage": "Lead In"}))[1]
    assert _in_deal_pipeline(Prepared("update"), SourceRow(2, 2, {"Stage": "Lead In"}),
                             "78", {"id": 78, "pipeline_id": 1}, wanted) is None
    named = "Partners > Resell > Lead In"
    wanted = wanted_values(mapper, SourceRow(2, 2, {"Deal ID": "78", "Pipeline": "",
                                                    "Stage": named}))[1]
    placed = _in_deal_pipeline(Prepared("update"), SourceRow(2, 2, {"Stage": named}),
                               "78", {"id": 78, "pipeline_id": 1}, wanted)
    assert placed is not None and placed["stage_id"] == 16


def test_a_row_naming_its_pipeline_is_read_there_at_once() -> None:
    assert _wanted("won\u200b", "US") == {"stage_id": 7, "status": "won"}


def test_a_cell_the_deals_pipeline_cannot_place_fails_its_row_naming_the_column() -> None:
    mapper = UpdateMapping.loads(MAPPING.replace('"*" = "Proposal"\n', "")
                                 ).compile(CATALOG)
    wanted = wanted_values(mapper, SourceRow(2, 2, {"Deal ID": "78", "Pipeline": "",
                                                    "Stage": "Proposal"}))[1]
    prep = Prepared("update")
    assert _in_deal_pipeline(prep, SourceRow(2, 2, {"Stage": "Proposal"}), "78",
                             {"id": 78, "pipeline_id": 5}, wanted) is None
    assert prep.bad_rows == 1
    failed = prep.items[0]
    assert failed.payload["column"] == "Stage"
    assert failed.error is not None and failed.error.startswith(
        "the row names no pipeline, so its stage is read in deal 78's: no stage named "
        "'Proposal' in pipeline 'Partners > Resell'"), failed.error
