"""Every refusal of an update's stage cell says what the row wrote (w56r1 F3: ``Sales >
Won`` on a row of no Pipeline column was refused "the row names no pipeline, so its stage
is read in deal 1001's: no stage named 'Won' in pipeline 'Sales'" — the cell names one).
A grid: the pipeline named in the cell, in a Pipeline column, or nowhere; the stage
unknown, ambiguous, or in another pipeline; the deal in either pipeline."""

from __future__ import annotations

import itertools

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping.rowmapper import InDealPipeline
from jobs.prepared import Prepared
from jobs.update_mapping import UpdateMapping, wanted_values
from jobs.updating import _in_deal_pipeline

CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "Partnerships")),
    stages=(Stage(1, "Qualified", 1, 1), Stage(2, "Contact Made", 1, 2),
            Stage(3, "Contact Made", 1, 3), Stage(6, "Lead In", 2, 1),
            Stage(7, "Contact Made", 2, 2), Stage(8, "Closing", 2, 3)),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),))
WITH_COLUMN = """\
version = 1
[update]
id_column = "Deal ID"
[deal]
pipeline = "Pipeline"
stage = "Stage"
"""
NO_COLUMN = WITH_COLUMN.replace('pipeline = "Pipeline"\n', "")
SPELLINGS = {"Sales": "Sales", "Partnerships": "Partnerships"}
CELLS = ["Sales > Won", "Partnerships \u203a Closed", "Sales > Closing", "sales>Won",
         "Partnerships > Qualified", "Won", "Closing", "Qualified", "Contact Made",
         "Sales > Contact Made", "Bogus > Won"]
# what each cell names at its head, a pipeline (as the catalog spells it) or none
HEAD = {c: ("Sales" if c.lower().startswith("sales") else "Partnerships"
            if c.startswith("Partnerships") else None) for c in CELLS}


def _refusal(cell: str, pipeline_cell: str | None, deal_pipeline: int) -> str | None:
    """The row's refusal (at its mapping, or placed in deal 78 of ``deal_pipeline``), None
    when it is taken."""
    mapping = NO_COLUMN if pipeline_cell is None else WITH_COLUMN
    row = {"Deal ID": "78", "Stage": cell, **({} if pipeline_cell is None
                                              else {"Pipeline": pipeline_cell})}
    mapper = UpdateMapping.loads(mapping).compile(CATALOG)
    try:
        wanted = wanted_values(mapper, SourceRow(2, 2, row))[1]
    except InputError as exc:
        return exc.reason
    if not isinstance(wanted.get("stage_id"), InDealPipeline):
        return None
    prep = Prepared("update")
    deal = {"id": 78, "pipeline_id": deal_pipeline, "stage_id": 1, "status": "open"}
    if _in_deal_pipeline(prep, SourceRow(2, 2, row), "78", deal, wanted) is not None:
        return None
    (item,) = prep.items
    return str(item.error)


GRID = list(itertools.product(CELLS, [None, "", "Sales", "Partnerships"], [1, 2]))


@pytest.mark.parametrize(("cell", "pipeline_cell", "deal_pipeline"), GRID)
def test_a_stage_cell_refusal_says_what_the_row_wrote(
        cell: str, pipeline_cell: str | None, deal_pipeline: int) -> None:
    """"The row names no pipeline" only where neither its Pipeline cell nor its stage
    cell names one; a pipeline the row names (either cell) is named in the reason; the
    cell, or its stage part, is quoted."""
    reason = _refusal(cell, pipeline_cell, deal_pipeline)
    if reason is None:
        return
    head = HEAD[cell]
    if "the row names no pipeline" in reason:
        assert not pipeline_cell and head is None, reason
    if head is not None and not pipeline_cell:
        assert f"pipeline {head!r}" in reason or repr(cell) in reason, reason
    if pipeline_cell:
        assert pipeline_cell in reason or repr(cell) in reason, reason
    stage = cell.split(">")[-1].split("\u203a")[-1].strip()
    assert repr(cell) in reason or repr(stage) in reason, reason


def test_the_reported_cells_name_their_pipeline() -> None:
    """w56r1 F3 as found: the two cells of rows with no Pipeline column."""
    for cell, pipe in (("Sales > Won", 1), ("Partnerships \u203a Closed", 2)):
        reason = _refusal(cell, None, pipe)
        assert reason is not None and "names no pipeline" not in reason, reason
        assert f"the stage cell {cell!r} names its pipeline" in reason, reason
