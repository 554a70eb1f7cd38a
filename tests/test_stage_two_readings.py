"""A stage cell with two readings — a stage's own name that holds ``>`` or U+203A, and the
same text split into ``Pipeline`` U+203A ``Stage`` — is refused naming each candidate, never
resolved to one of them unsaid, by every command that reads a stage by name: import and
update cells, a stage map's target, move-stage's ``--to-stage`` and ``--stage`` (x48r2 F1:
``Sales > Qualified`` went to Partnerships' stage of that name, ``Sales>Qualified`` to
Sales U+203A Qualified; a row whose Pipeline column said Sales failed)."""

from __future__ import annotations

import pytest

from bulk.errors import AmbiguousName, InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping
from jobs.mapping.rowmapper import InDealPipeline
from jobs.selection import DealQuery
from jobs.stages import MoveTarget
from jobs.update_mapping import UpdateMapping

SEP = "\u203a"
# Partnerships holds a stage NAMED "Sales > Qualified"; Sales holds "Qualified"
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "Partnerships")),
    stages=(Stage(1, "Qualified", 1, 1), Stage(2, "Proposal Made", 1, 2),
            Stage(16, "Sales > Qualified", 2, 9), Stage(17, "Contact Made", 2, 1)))
BOTH = "'Sales > Qualified' may be Partnerships \u203a Sales > Qualified or Sales \u203a Qualified"
# both readings in one pipeline
ONE_PIPELINE = Catalog(
    pipelines=(Pipeline(1, "Sales"),),
    stages=(Stage(1, "Qualified", 1, 1), Stage(22, "Sales > Qualified", 1, 2)))
# pipeline "Sales > EU" (stage Qualified) and Sales' own stage "EU > Qualified"
NESTED = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(3, "Sales > EU")),
    stages=(Stage(1, "Qualified", 1, 1), Stage(21, "EU > Qualified", 1, 2),
            Stage(20, "Qualified", 3, 1)))

TWO_READINGS = ["Sales > Qualified", "Sales>Qualified", "sales  >  qualified",
                f"Sales {SEP} Qualified", f"SALES{SEP}qualified"]


@pytest.mark.parametrize("cell", TWO_READINGS)
def test_catalog_refuses_every_spelling_of_a_cell_with_two_readings(cell: str) -> None:
    with pytest.raises(AmbiguousName) as info:
        CATALOG.stage(cell)
    assert f"{cell!r} may be Partnerships {SEP} Sales > Qualified or Sales {SEP} Qualified" \
        in info.value.reason
    assert CATALOG.names_a_stage(cell)


@pytest.mark.parametrize("cell", TWO_READINGS)
def test_the_rows_pipeline_picks_the_reading_that_agrees_with_it(cell: str) -> None:
    assert CATALOG.stage(cell, 1).id == 1   # Sales: "no stage named ... in pipeline 'Sales'"
    assert CATALOG.stage(cell, 2).id == 16  # Partnerships: its own stage of that name


def test_the_advice_names_a_spelling_of_each_candidate_that_has_one_reading() -> None:
    with pytest.raises(AmbiguousName) as info:
        CATALOG.stage("Sales > Qualified")
    assert f"write 'Partnerships {SEP} Sales > Qualified' or 'Qualified'" in info.value.reason
    assert CATALOG.stage(f"Partnerships {SEP} Sales > Qualified").id == 16
    assert CATALOG.stage("Qualified").id == 1


@pytest.mark.parametrize("cell", ["Sales > Qualified", f"Sales {SEP} Qualified"])
def test_both_readings_in_one_pipeline_are_refused_even_with_that_pipeline(cell: str) -> None:
    for pipeline_id in (None, 1):
        with pytest.raises(AmbiguousName, match="may be Sales \u203a Sales > Qualified or "
                                                "Sales \u203a Qualified"):
            ONE_PIPELINE.stage(cell, pipeline_id)
    assert ONE_PIPELINE.stage(f"Sales {SEP} Sales > Qualified").id == 22


@pytest.mark.parametrize("cell", ["Sales > EU > Qualified", f"Sales {SEP} EU {SEP} Qualified",
                                  f"sales >  EU{SEP}qualified"])
def test_a_pipeline_whose_name_holds_the_separator_is_one_more_reading(cell: str) -> None:
    with pytest.raises(AmbiguousName) as info:
        NESTED.stage(cell)
    assert f"Sales {SEP} EU > Qualified" in info.value.reason
    assert f"Sales > EU {SEP} Qualified" in info.value.reason
    # the pipeline "Sales > EU"'s Qualified has no spelling of one reading: named with it
    assert "write 'EU > Qualified' or 'Qualified' and name the pipeline" in info.value.reason
    assert NESTED.stage(cell, 1).id == 21
    assert NESTED.stage(cell, 3).id == 20


def test_one_reading_and_no_reading_are_as_before() -> None:
    assert CATALOG.stage(f"Partnerships {SEP} Contact Made").id == 17
    assert CATALOG.stage("Sales > Proposal Made").id == 2
    with pytest.raises(InputError, match="no stage named 'Lead In' in pipeline 'Sales'"):
        CATALOG.stage(f"Sales {SEP} Lead In")
    with pytest.raises(InputError, match="is in pipeline 'Sales', not in pipeline "
                                         "'Partnerships'"):
        CATALOG.stage("Sales > Proposal Made", 2)
    assert not CATALOG.names_a_stage("Sales > Lead In")


IMPORT = """\
version = 1
[import]
key_column = "Key"
key_field = "Source key"
[deal]
title = "Title"
pipeline = "Pipeline"
[deal.stage]
column = "Stage"
map = { "Mapped" = "Sales > Qualified" }
"""
UPDATE = """\
version = 1
[update]
id_column = "Deal ID"
[deal]
pipeline = "Pipeline"
[deal.stage]
column = "Stage"
map = { "Mapped" = "Sales > Qualified" }
"""
KEYED = Catalog(pipelines=CATALOG.pipelines, stages=CATALOG.stages,
                deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),))


def _row(mapping: str, stage: str, pipeline: str = "") -> object:
    mapper = (UpdateMapping.loads(mapping).compile(CATALOG) if "[update]" in mapping
              else compile_mapping(Mapping.loads(mapping), KEYED))
    values = {"Key": "k1", "Title": "A", "Deal ID": "5", "Pipeline": pipeline, "Stage": stage}
    return mapper.map(SourceRow(7, 7, values)).deal.get("stage_id")


@pytest.mark.parametrize("cell", [*TWO_READINGS, "Mapped"])
def test_a_mapped_cell_with_two_readings_fails_its_row_naming_both(cell: str) -> None:
    with pytest.raises(InputError) as info:
        _row(IMPORT, cell)
    assert info.value.row == 7
    assert "may be Partnerships \u203a Sales > Qualified or Sales \u203a Qualified" \
        in info.value.reason


@pytest.mark.parametrize("cell", [*TWO_READINGS, "Mapped"])
def test_an_updates_cell_with_two_readings_is_read_in_the_deals_pipeline(cell: str) -> None:
    """x50r9 F1: an update's row of no pipeline reads such a cell in its deal's pipeline
    (``InDealPipeline``, placed once the deal is read), where one reading wins."""
    placed = _row(UPDATE, cell)
    assert isinstance(placed, InDealPipeline)
    assert placed.place(1) == {"stage_id": 1} and placed.place(2) == {"stage_id": 16}


@pytest.mark.parametrize("mapping", [IMPORT, UPDATE], ids=["import", "update"])
@pytest.mark.parametrize("cell", [*TWO_READINGS, "Mapped"])
def test_a_rows_pipeline_column_decides_between_the_readings(mapping: str, cell: str) -> None:
    assert _row(mapping, cell, "Sales") == 1
    assert _row(mapping, cell, "Partnerships") == 16


def test_move_stage_to_stage_with_two_readings_is_refused() -> None:
    for cell in TWO_READINGS:
        problems = MoveTarget(cell).problems(CATALOG)
        assert problems and BOTH.replace("'Sales > Qualified'", repr(cell)) in problems[0]
        with pytest.raises(InputError):
            MoveTarget(cell).body(CATALOG)
        assert MoveTarget(cell, "Sales").body(CATALOG) == {"stage_id": 1}
        assert MoveTarget(cell, "Partnerships").body(CATALOG) == {"stage_id": 16}


def test_move_stage_selection_with_two_readings_is_refused() -> None:
    for cell in TWO_READINGS:
        with pytest.raises(AmbiguousName, match="may be Partnerships"):
            DealQuery(stage=cell).params(CATALOG)
        assert DealQuery(pipeline="Sales", stage=cell).params(CATALOG)["stage_id"] == 1
        assert DealQuery(pipeline="Partnerships", stage=cell).params(CATALOG)["stage_id"] == 16
