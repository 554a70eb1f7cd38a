"""A list of stages in an error or a plan names each stage with its pipeline when they span
several pipelines ("Sales", U+203A, "Qualified"): two pipelines often share a stage name (x24r5 F9)."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, MappingError, compile_mapping

CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "Partners")),
    stages=(Stage(1, "Qualified", 1, 1), Stage(2, "Proposal", 1, 2),
            Stage(3, "Qualified", 2, 1), Stage(4, "Lead In", 2, 2)),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),))


def test_the_stages_of_several_pipelines_are_listed_with_their_pipelines() -> None:
    """No pipeline named: each stage as its pipeline, U+203A and its name; one pipeline: its stage names."""
    with pytest.raises(InputError) as info:
        CATALOG.stage("Demo")
    assert info.value.reason == (
        "no stage named 'Demo' (stages: Sales \u203a Qualified, Sales \u203a Proposal, "
        "Partners \u203a Qualified, Partners \u203a Lead In)")
    with pytest.raises(InputError) as info:
        CATALOG.stage("Demo", 2)
    assert info.value.reason == ("no stage named 'Demo' in pipeline 'Partners' "
                                 "(stages: Qualified, Lead In)")
    one = Catalog(pipelines=(Pipeline(1, "Sales"),), stages=(Stage(1, "Qualified", 1),))
    with pytest.raises(InputError, match=r"\(stages: Qualified\)$"):
        one.stage("Demo")


MAPPING = """\
version = 1
[import]
key_column = "id"
key_field = "Source key"
[deal]
title = "title"
stage = { column = "stage", default = "Won" }
"""


def test_a_rows_and_a_mappings_stage_errors_name_the_pipelines() -> None:
    """The mapping's default and a row's stage (no pipeline column) tell
    Qualified of Sales and Qualified of Partners apart."""
    with pytest.raises(MappingError) as info:
        compile_mapping(Mapping.loads(MAPPING), CATALOG)
    assert "Sales \u203a Qualified, Sales \u203a Proposal, Partners \u203a Qualified" in str(
        info.value)
    mapper = compile_mapping(Mapping.loads(MAPPING.replace(', default = "Won"', "")), CATALOG)
    with pytest.raises(InputError) as row_error:
        mapper.map(SourceRow(2, 2, {"id": "k1", "title": "A", "stage": "Demo"}))
    assert "Partners \u203a Lead In" in row_error.value.reason
