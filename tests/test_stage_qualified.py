"""A stage written as pdbulk prints it, ``Pipeline`` U+203A ``Stage`` (or ``Pipeline > Stage``), is
read everywhere a stage is read by name: the catalog, a mapping's stage column and its
map's targets, move-stage's target (x47r8 F1: 132 of 132 prefixed rows refused)."""

from __future__ import annotations

import pytest

from bulk.errors import AmbiguousName, InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping
from jobs.stages import MoveTarget

CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "Partners")),
    stages=(Stage(1, "Qualified", 1, 1), Stage(2, "Proposal Made", 1, 2),
            Stage(3, "Proposal Made", 2, 1), Stage(4, "Lead In", 2, 2),
            Stage(5, "Value > 10k", 2, 3)),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),))


@pytest.mark.parametrize(("name", "stage_id"), [
    ("Sales \u203a Proposal Made", 2), ("Partners \u203a Proposal Made", 3),
    ("Sales > Proposal Made", 2), ("  partners>proposal   made ", 3),
    ("SALES  \u203a  qualified", 1), ("Value > 10k", 5), ("Partners > Value > 10k", 5)])
def test_a_stage_named_with_its_pipeline_is_that_pipelines_stage(name: str,
                                                                 stage_id: int) -> None:
    assert CATALOG.stage(name).id == stage_id


def test_a_qualified_name_is_strict() -> None:
    """The pipeline named must exist and hold the stage, and agree with the row's pipeline."""
    with pytest.raises(InputError, match="no stage named 'Lead In' in pipeline 'Sales'"):
        CATALOG.stage("Sales \u203a Lead In")
    with pytest.raises(InputError, match="no stage named 'Nowhere \u203a Lead In'"):
        CATALOG.stage("Nowhere \u203a Lead In")
    with pytest.raises(InputError, match="is in pipeline 'Sales', not in pipeline 'Partners'"):
        CATALOG.stage("Sales \u203a Proposal Made", 2)
    assert CATALOG.stage("Sales \u203a Proposal Made", 1).id == 2


def test_the_ambiguity_advice_names_the_form_that_works() -> None:
    with pytest.raises(AmbiguousName) as info:
        CATALOG.stage("Proposal Made")
    assert "write 'Sales \u203a Proposal Made'" in info.value.reason


MAPPING = """\
version = 1
[import]
key_column = "id"
key_field = "Source key"
[deal]
title = "title"
stage = { column = "stage" }
"""


def _stage_of(mapping: str, cell: str) -> object:
    mapper = compile_mapping(Mapping.loads(mapping), CATALOG)
    return mapper.map(SourceRow(2, 2, {"id": "k1", "title": "A", "stage": cell})).deal["stage_id"]


def test_a_rows_stage_cell_and_a_maps_target_may_name_the_pipeline() -> None:
    assert _stage_of(MAPPING, "Sales \u203a Proposal Made") == 2
    assert _stage_of(MAPPING, "partners > proposal made") == 3
    mapped = MAPPING.replace(
        '"stage" }', '"stage", map = { "Proposal Made" = "Partners \u203a Proposal Made" } }')
    assert _stage_of(mapped, "Proposal Made") == 3
    assert _stage_of(mapped, "Sales \u203a Proposal Made") == 2


def test_a_rows_ambiguous_stage_says_write_the_pipeline_or_add_a_column() -> None:
    with pytest.raises(InputError) as info:
        _stage_of(MAPPING, "Proposal Made")
    assert info.value.reason.endswith(
        "write 'Sales \u203a Proposal Made' or 'Partners \u203a Proposal Made' or add a "
        "Pipeline column")  # a spelling for each candidate (x48r8 F5)


def test_move_stage_to_a_qualified_stage() -> None:
    assert MoveTarget("Partners \u203a Proposal Made").body(CATALOG) == {"stage_id": 3}
    assert MoveTarget("Sales > Proposal Made", "Sales").problems(CATALOG) == []
    ambiguous = MoveTarget("Proposal Made").problems(CATALOG)
    assert ambiguous and "write 'Sales \u203a Proposal Made'" in ambiguous[0]
