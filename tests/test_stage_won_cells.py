"""A status read from the stage column, for every pipeline alike (x49r1 F2, F4): a cell
naming a stage of the row's pipeline, in any spelling (``Won``, ``EU > North > Won``), is
that stage and open unless a status map key says otherwise; else a built-in status word
(``Won``, ``lost``) is that status and the stage falls to the stage map's ``"*"``, which
catches the names of other pipelines' stages too.

x49r1 F2: with ``"*" = "Qualified"``, a ``Won`` cell in Sales (no stage Won there) failed
``no stage named 'Won' in pipeline 'Sales'; map it in deal.stage.map`` (38 of 228 rows), and
mapping ``"Won"`` broke the pipelines that have a Won stage. F4: ``Won`` in EU > North was
stage 21 open, the same stage spelled ``EU > North > Won`` failed ``unknown status``."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping

SEP = "\u203a"
NORTH = f"EU {SEP} North"
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(3, NORTH), Pipeline(4, "EU"), Pipeline(5, "Retail")),
    stages=(Stage(10, "Qualified", 1, 1), Stage(11, "Proposal", 1, 2),
            Stage(20, "Qualified", 3, 1), Stage(21, "Won", 3, 2), Stage(22, "Lost", 3, 3),
            Stage(28, "Qualified", 4, 0), Stage(24, "Lead", 4, 1), Stage(25, "Lost", 4, 2),
            Stage(29, "Qualified", 5, 0), Stage(26, "Lead", 5, 1), Stage(27, "Won", 5, 2)),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),))

HEAD = """\
version = 1
[import]
key_column = "Key"
key_field = "Source key"
[deal]
title = "Title"
pipeline = { column = "Pipeline", default = "Sales" }
"""
CATCH_ALL = ('status = { column = "Stage", map = { "Closed Won" = "won", "*" = "open" } }\n'
             'stage = { column = "Stage", map = { "*" = "Qualified" } }\n')
NO_STAR = 'status = { column = "Stage", map = { "Done" = "won" } }\nstage = "Stage"\n'


def _place(body: str, pipeline: str, cell: str) -> tuple[object, object]:
    mapper = compile_mapping(Mapping.loads(HEAD + body), CATALOG)
    deal = mapper.map(SourceRow(2, 2, {"Key": "k", "Title": "A", "Pipeline": pipeline,
                                       "Stage": cell})).deal
    return deal.get("status"), deal.get("stage_id")


@pytest.mark.parametrize(("pipeline", "cell", "placed"), [
    ("Sales", "Won", ("won", 10)), ("Sales", " WON ", ("won", 10)),
    ("Sales", "Lost", ("lost", 10)), ("Retail", "Lost", ("lost", 29)),
    ("EU", "won", ("won", 28)),
    (NORTH, "Won", ("open", 21)), (NORTH, "lost", ("open", 22)),
    ("Retail", "Won", ("open", 27)), ("EU", "Lost", ("open", 25)),
    ("Sales", "Lead", ("open", 10)),  # a stage of other pipelines only: "*" catches it
    ("Sales", "Qualified", ("open", 10)), ("Retail", "Closed Won", ("won", 29)),
])
def test_a_won_or_lost_cell_is_a_stage_where_the_pipeline_has_one_else_a_status(
        pipeline: str, cell: str, placed: tuple[str, int]) -> None:
    assert _place(CATCH_ALL, pipeline, cell) == placed


@pytest.mark.parametrize(("pipeline", "cell", "stage_id"), [
    (NORTH, "Won", 21), (NORTH, f"EU {SEP} North {SEP} Won", 21), (NORTH, "eu>north >  WON", 21),
    (NORTH, "Qualified", 20), (NORTH, "EU > North > Qualified", 20),
    ("Retail", "Retail > Won", 27), ("Retail", "Won", 27), ("EU", "EU > Lost", 25),
])
def test_every_spelling_of_a_stage_reads_as_that_stage_open(
        pipeline: str, cell: str, stage_id: int) -> None:
    assert _place(NO_STAR, pipeline, cell) == ("open", stage_id)


def test_an_explicit_status_key_still_decides_for_a_stage_cell() -> None:
    body = NO_STAR.replace('"Done" = "won"', '"EU > North > Won" = "won"')
    assert _place(body, NORTH, "eu > north > won") == ("won", 21)
    assert _place(CATCH_ALL.replace('"*" = "open"', '"*" = "lost"'), NORTH, "Won") == (
        "lost", 21)


def test_a_cell_that_is_neither_a_stage_of_its_pipeline_nor_a_status_still_fails() -> None:
    body = ('status = { column = "Stage", map = { "Done" = "won" } }\n'
            'stage = { column = "Stage", map = { "*" = "Qualified" } }\n')
    with pytest.raises(InputError, match="unknown status 'Lead'"):
        _place(body, "Sales", "Lead")
    with pytest.raises(InputError, match="unknown status 'Foo'"):
        _place(body, "Sales", "Foo")
    assert _place(body, "Retail", "Lead") == ("open", 26)


@pytest.mark.parametrize(("pipeline", "cell"), [
    ("Sales", "EU > North > Won"), ("Sales", "Retail > Won"), (NORTH, "eu>lost"),
    ("Retail", f"EU {SEP} North {SEP} Lost")])
def test_a_stage_named_with_another_pipeline_is_never_caught_by_the_fallback(
        pipeline: str, cell: str) -> None:
    """The row's pipeline and the cell's disagree: the row fails, "*" aside."""
    with pytest.raises(InputError, match="not in pipeline"):
        _place(CATCH_ALL, pipeline, cell)


def test_without_a_fallback_a_stage_of_another_pipeline_is_told_to_take_one() -> None:
    """A key of its own ("Won" = ...) would move EU > North's Won rows too (x49r1 F2)."""
    body = CATCH_ALL.replace('stage = { column = "Stage", map = { "*" = "Qualified" } }',
                             'stage = "Stage"')
    with pytest.raises(InputError, match="stage of another pipeline: catch it with"):
        _place(body, "Sales", "Won")
    with pytest.raises(InputError, match=r"no stage named 'Nope'.*map it in deal\.stage\.map"):
        _place(body, "Sales", "Nope")
