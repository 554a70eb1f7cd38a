"""move-stage's refusal of a stage name with a case twin (``Qualified`` and ``qualified``)
names both, each with a spelling that picks it, and the option that names the pipeline:
``--to-stage`` (``--to-pipeline``) and the ``--stage`` selection (``--pipeline``; x48r14 F5:
``--stage Qualified`` was told to "name the pipeline", which names no option)."""

from __future__ import annotations

import pytest

from bulk.errors import AmbiguousName
from jobs.catalog import Catalog, Pipeline, Stage
from jobs.selection import DealQuery
from jobs.stages import MoveTarget

SEP = "\u203a"
# "Qualified" in Sales, "qualified" in Partners; "Demo" and "DEMO" both in Sales
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "Partners")),
    stages=(Stage(1, "Qualified", 1, 1), Stage(2, "qualified", 2, 1), Stage(3, "Demo", 1, 2),
            Stage(4, "DEMO", 1, 3), Stage(5, "Won", 2, 2)))
BOTH = f"write 'Sales {SEP} Qualified' or 'Partners {SEP} qualified'"


@pytest.mark.parametrize("name", ["Qualified", "qualified", "QUALIFIED"])
def test_a_to_stage_with_a_twin_in_another_pipeline_names_both(name: str) -> None:
    problems = MoveTarget(name).problems(CATALOG)
    assert len(problems) == 1 and BOTH in problems[0], problems
    assert problems[0].endswith("or name the one to move to with --to-pipeline")
    for spelled, stage_id in ((f"Sales {SEP} Qualified", 1), (f"Partners {SEP} qualified", 2)):
        assert MoveTarget(spelled).body(CATALOG) == {"stage_id": stage_id}


@pytest.mark.parametrize("name", ["Qualified", "qualified"])
def test_a_stage_selection_with_a_twin_names_both_and_the_pipeline_option(name: str) -> None:
    with pytest.raises(AmbiguousName) as info:
        DealQuery(stage=name).params(CATALOG)
    assert BOTH in info.value.reason
    assert info.value.reason.endswith("or name the one to select from with --pipeline"), \
        info.value.reason
    for spelled, stage_id in ((f"Sales {SEP} Qualified", 1), (f"Partners {SEP} qualified", 2)):
        assert DealQuery(stage=spelled).params(CATALOG)["stage_id"] == stage_id
    assert DealQuery(stage=name, pipeline="Partners").params(CATALOG)["stage_id"] == 2


def test_twins_of_one_pipeline_are_both_named_in_either_option() -> None:
    twins = "stages 'Demo' and 'DEMO' of pipeline 'Sales' differ only by case or spacing"
    problems = MoveTarget("demo", "Sales").problems(CATALOG)
    assert len(problems) == 1 and twins in problems[0], problems
    with pytest.raises(AmbiguousName) as info:
        DealQuery(stage="Demo", pipeline="Sales").params(CATALOG)
    assert twins in info.value.reason
    assert "name the pipeline" not in info.value.reason


def test_twins_of_one_pipeline_say_how_to_target_and_select() -> None:
    """x49r6 F6: with twins inside one pipeline the refusals said only to rename one: the
    selection is told its deals can be selected by id, the target that renaming one of
    the stages is the way to move deals to it."""
    problems = MoveTarget("Demo", "Sales").problems(CATALOG)
    assert "renaming one of them in Pipedrive is the only way to move deals to it" \
        in problems[0], problems
    with pytest.raises(AmbiguousName) as info:
        DealQuery(stage="DEMO", pipeline="Sales").params(CATALOG)
    assert "select the deals by id (--manifest: a file of their deal ids)" \
        in info.value.reason, info.value.reason
