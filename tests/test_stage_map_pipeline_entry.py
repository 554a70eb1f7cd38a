"""A stage map entry whose target names its pipeline (``"Discovery" = "EU > Discovery"``)
is for the rows of no pipeline and the rows of that pipeline: a row whose Pipeline cell
names another pipeline reads its cell as its own pipeline's stage (x50r4 F2: init-mapping's
shared-stage TODO proposed that entry for the blank-Pipeline rows, and following it
refused the US rows' ``Discovery``, 4 of 20 rows: "stage 'EU > Discovery' is in pipeline
'EU', not in pipeline 'US'"); where that pipeline has no such stage, the row still fails,
naming the entry."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping, init_mapping

CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "EU"), Pipeline(3, "US")),
    stages=(Stage(1, "Lead In", 1, 1), Stage(20, "Discovery", 2, 1), Stage(21, "Closing", 2, 2),
            Stage(23, "Discovery", 3, 1), Stage(25, "Onboarding", 3, 2)),
    deal_fields=(DealField("k" * 40, "Import source key", "varchar", (), True),))
HEADER = ["Deal ID", "Deal Name", "Pipeline", "Stage"]
MAPPING = """\
version = 1
[import]
key_column = "Deal ID"
key_field = "Import source key"
[deal]
title = "Deal Name"
pipeline = { column = "Pipeline" }
[deal.stage]
column = "Stage"
[deal.stage.map]
"Discovery" = "EU > Discovery"
"Disc" = "EU > Discovery"
"""


def _stage(text: str, pipeline: str, cell: str) -> object:
    mapper = compile_mapping(Mapping.loads(text), CATALOG)
    row = {"Deal ID": "1", "Deal Name": "D1", "Pipeline": pipeline, "Stage": cell}
    return mapper.map(SourceRow(2, 2, row)).deal.get("stage_id")


def test_a_row_of_another_pipeline_keeps_its_own_stage() -> None:
    assert _stage(MAPPING, "US", "Discovery") == 23
    assert _stage(MAPPING, "us", "DISCOVERY") == 23


def test_rows_of_no_pipeline_and_of_its_pipeline_take_the_entry() -> None:
    assert _stage(MAPPING, "", "Discovery") == 20
    assert _stage(MAPPING, "EU", "Discovery") == 20
    assert _stage(MAPPING, "", "Disc") == 20


def test_a_row_whose_pipeline_lacks_the_cell_still_fails_naming_the_entry() -> None:
    for pipeline, cell in (("Sales", "Discovery"), ("US", "Disc")):
        with pytest.raises(InputError) as caught:
            _stage(MAPPING, pipeline, cell)
        reason = str(caught.value)
        # read as a cell no entry names (x52r2 F3: it said "maps to ... is in pipeline
        # 'EU', not in pipeline ..."), the entry named as another pipeline's deals' only
        assert f"no stage named {cell!r} in pipeline {pipeline!r}" in reason, reason
        assert f"the entry {cell!r} = 'EU > Discovery' (deal.stage.map) is for the deals " \
               "of pipeline 'EU' only" in reason, reason


def test_following_the_shared_stage_todo_refuses_no_row() -> None:
    """x50r4's file: blank-Pipeline rows of a shared name, rows of US and EU beside them."""
    cells = [("", "Discovery"), ("US", "Discovery"), ("EU", "Discovery"), ("", "EU > Discovery"),
             ("US", "Onboarding"), ("EU", "Closing")]
    rows = [{"Deal ID": str(n), "Deal Name": f"D{n}", "Pipeline": p, "Stage": s}
            for n, (p, s) in enumerate(cells, 1)]
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows if r[c])) for c in HEADER}
    text = init_mapping(HEADER, CATALOG, samples=samples, rows=rows)
    example = '"Discovery" = "EU > Discovery"'
    assert example in text, text
    followed = text.replace('# "Discovery" = ""', example).replace("# TODO:", "# decided:")
    got = [_stage(followed, p, s) for p, s in cells]
    assert got == [20, 23, 20, 20, 25, 21], followed


def test_star_places_a_row_of_another_pipeline_that_lacks_the_cell() -> None:
    """x51r4 F3: with ``"Closed Won" = "US > Closed Won"`` beside ``"*"``, the 20 Sales
    rows of ``Closed Won`` that "*" placed without the entry were refused "'Closed Won'
    maps to 'US > Closed Won' ... not in pipeline 'Sales'": the entry is US's rows' only,
    so "*" places them as a cell no entry names (and counts them)."""
    text = MAPPING + '"*" = "Lead In"\n'
    mapper = compile_mapping(Mapping.loads(text), CATALOG)
    row = {"Deal ID": "1", "Deal Name": "D1", "Pipeline": "Sales", "Stage": "Disc"}
    assert mapper.map(SourceRow(2, 2, row)).deal["stage_id"] == 1
    assert mapper.stage is not None and "'Disc' 1 row" in str(mapper.stage.star_note())
    assert _stage(text, "US", "Discovery") == 23  # its own pipeline's stage first, as before
    assert _stage(text, "EU", "Disc") == 20
