"""An ambiguous stage's refusal gives each piece of advice once, a spelling of one reading
for each candidate that has one, and the fix that fits where it was written (x48r8 F5:
``write 'Qualified' and add a Pipeline column or add a Pipeline column``; move-stage's
``... with --to-pipeline or name the one to move to with --to-pipeline``; ``Hot`` and
``HOT`` in one pipeline were "in pipelines Sales, Sales; add a Pipeline column"; a
``deal.stage.default`` was told to add a Pipeline column)."""

from __future__ import annotations

import pytest

from bulk.errors import AmbiguousName, InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, MappingError, compile_mapping
from jobs.stages import MoveTarget

SEP = "\u203a"
# "Qualified" in Sales, Partners and "Sales > EU", whose own has no spelling of one reading
# (Sales also holds "EU > Qualified"); Sales holds "Hot" and "HOT"
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(3, "Sales > EU"), Pipeline(4, "Partners")),
    stages=(Stage(1, "Qualified", 1, 1), Stage(21, "EU > Qualified", 1, 2),
            Stage(20, "Qualified", 3, 1), Stage(30, "Qualified", 4, 1),
            Stage(40, "Hot", 1, 3), Stage(41, "HOT", 1, 4)),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),))
TWINS = ("stages 'Hot' and 'HOT' of pipeline 'Sales' differ only by case or spacing, which "
         "no spelling tells apart: rename one in Pipedrive")


def _said(name: str, pipeline_id: int | None = None) -> str:
    with pytest.raises(AmbiguousName) as info:
        CATALOG.stage(name, pipeline_id)
    return info.value.reason


def test_each_candidate_with_a_spelling_of_one_reading_is_suggested_once() -> None:
    assert _said("Qualified") == (
        "stage 'Qualified' is ambiguous (in pipelines Sales, Sales > EU, Partners); write "
        f"'Sales {SEP} Qualified' or 'Partners {SEP} Qualified' or name the pipeline")


@pytest.mark.parametrize("pipeline_id", [None, 1])
def test_stages_alike_but_for_case_in_one_pipeline_are_said_so(pipeline_id: int | None) -> None:
    said = _said("hot", pipeline_id)
    assert said == f"stage 'hot' is ambiguous in pipeline 'Sales'; {TWINS}"
    assert "Sales, Sales" not in said and "name the pipeline" not in said


def test_move_stage_names_its_option_once() -> None:
    problems = MoveTarget("Qualified").problems(CATALOG)
    assert problems == [
        "stage 'Qualified' is ambiguous (in pipelines Sales, Sales > EU, Partners); write "
        f"'Sales {SEP} Qualified' or 'Partners {SEP} Qualified' or name the one to move to "
        "with --to-pipeline"]
    # move-stage's target: renaming is the only way (x49r6 F6)
    moved = TWINS.replace("rename one in Pipedrive", "renaming one of them in Pipedrive is "
                          "the only way to move deals to it (no option targets either)")
    assert MoveTarget("Hot").problems(CATALOG) == [f"stage 'Hot' is ambiguous in pipeline "
                                                   f"'Sales'; {moved}"]


MAPPING = """\
version = 1
[import]
key_column = "Key"
key_field = "Source key"
[deal]
title = "Title"
{pipeline}[deal.stage]
column = "Stage"
{default}"""


def _refused(pipeline: str = "", default: str = "") -> str:
    with pytest.raises(InputError) as info:
        mapper = compile_mapping(Mapping.loads(MAPPING.format(
            pipeline=pipeline, default=default)), CATALOG)
        mapper.map(SourceRow(2, 2, {"Key": "k", "Title": "T", "Stage": "Qualified",
                                    "Pipe": ""}))
    return info.value.reason


def test_a_default_is_never_told_to_add_a_pipeline_column() -> None:
    said = _refused(default='default = "Qualified"\n')
    assert "deal.stage.default" in said and "Pipeline column" not in said
    assert said.endswith("or set pipeline = { default = ... } in [deal]")
    said = _refused('pipeline = "Pipe"\n', 'default = "Qualified"\n')
    assert "Pipeline column" not in said and "name the pipeline" not in said
    assert said.endswith(f"write 'Sales {SEP} Qualified' or 'Partners {SEP} Qualified'")
    with pytest.raises(MappingError, match="differ only by case"):
        compile_mapping(Mapping.loads(MAPPING.format(pipeline="", default='default = "hot"\n')),
                        CATALOG)


def test_a_cell_says_add_a_pipeline_column_once_or_fill_the_one_there_is() -> None:
    said = _refused()
    assert said.endswith("or add a Pipeline column") and said.count("Pipeline column") == 1
    assert _refused('pipeline = "Pipe"\n').endswith("or fill its Pipeline cell")
