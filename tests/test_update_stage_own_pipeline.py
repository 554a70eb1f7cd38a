"""An update's row of no pipeline reads every stage cell in the deal's own pipeline first
(x51r4 F1): a map entry, or ``"*"``, read in every pipeline moved deals unsaid — the
starter's ``"Closed Won" = "Closed Won"`` took 20 of 20 open Sales deals to US U+203A
Closed Won, and its TODO's example ``"Won" = "EU > North > won"`` took 160 of 320 deals to
another pipeline. An entry naming another pipeline is for that pipeline's deals only; only
a cell that names another pipeline with its stage (``EU > Negotiation``) moves its deal,
and the plan counts the moves and the reopened won / lost deals."""

from __future__ import annotations

from typing import Any

import pytest

from bulk.manifest import SourceRow
from jobs.catalog import Catalog, Pipeline, Stage
from jobs.prepared import Prepared
from jobs.update_mapping import UpdateMapping, wanted_values
from jobs.updating import _count_moves, _in_deal_pipeline, moves_notes

SALES, EU, US, NORTH = 1, 2, 3, 4
CATALOG = Catalog(
    pipelines=(Pipeline(SALES, "Sales"), Pipeline(EU, "EU"), Pipeline(US, "US"),
               Pipeline(NORTH, "EU > North")),
    stages=(Stage(1, "Qualified", SALES, 1), Stage(3, "Proposal", SALES, 2),
            Stage(4, "Negotiation", SALES, 3),
            Stage(5, "Discovery", EU, 1), Stage(6, "Won", EU, 2), Stage(7, "Lost", EU, 3),
            Stage(8, "Negotiation", EU, 4),
            Stage(9, "Discovery", US, 1), Stage(11, "Closed Won", US, 2),
            Stage(13, "Discovery", NORTH, 1), Stage(14, "won", NORTH, 2)))


def _mapping(entries: str) -> str:
    return ('version = 1\n[update]\nid_column = "Deal - ID"\n[deal.stage]\n'
            f'column = "Deal - Stage"\n[deal.stage.map]\n{entries}')


def _placed(entries: str, cell: str, pipeline: int) -> dict[str, Any] | str:
    """The deal's ``stage_id`` / ``status`` the row gives a deal of ``pipeline``, or its
    failure's reason."""
    mapper = UpdateMapping.loads(_mapping(entries)).compile(CATALOG)
    row = SourceRow(2, 2, {"Deal - ID": "7", "Deal - Stage": cell})
    wanted = wanted_values(mapper, row)[1]
    prep = Prepared("update")
    deal = {"id": 7, "pipeline_id": pipeline, "stage_id": 0, "status": "open"}
    placed = _in_deal_pipeline(prep, row, "7", deal, wanted)
    if placed is None:
        return str(prep.items[0].error)
    return {k: placed[k] for k in ("stage_id", "status") if k in placed}


def test_an_entry_to_a_stage_of_one_pipeline_never_moves_a_deal_of_another() -> None:
    """(a): the starter's ``"Closed Won" = "Closed Won"`` on an open Sales deal."""
    got = _placed('"Closed Won" = "Closed Won"\n', "Closed Won", SALES)
    assert isinstance(got, str) and "in pipeline 'Sales'" in got, got
    assert _placed('"Closed Won" = "Closed Won"\n', "Closed Won", US) == {"stage_id": 11}


TODO_EXAMPLE = '"Won" = "EU > North > won"\n"Lost" = "EU > Lost"\n'


@pytest.mark.parametrize(("cell", "pipeline", "placed"), [
    ("Won", NORTH, {"stage_id": 14}),  # the entry's own pipeline
    ("Won", EU, {"stage_id": 6}),  # EU's own Won: not EU > North's
    ("Lost", EU, {"stage_id": 7}),
])
def test_an_entry_naming_a_pipeline_is_for_its_deals_only(
        cell: str, pipeline: int, placed: dict[str, Any]) -> None:
    """(b): the TODO's own example moved EU's ``Won`` deals to EU > North."""
    assert _placed(TODO_EXAMPLE, cell, pipeline) == placed


@pytest.mark.parametrize(("cell", "pipeline"), [("Won", US), ("Lost", SALES)])
def test_an_entry_naming_another_pipeline_never_moves_a_deal_there(
        cell: str, pipeline: int) -> None:
    """(b): US won deals went to EU > North, Sales' ``Lost`` to EU: no stage of the deal's
    pipeline reads the cell, so the row fails (nothing moved)."""
    assert isinstance(_placed(TODO_EXAMPLE, cell, pipeline), str)


def test_star_places_a_cell_in_the_deals_pipeline() -> None:
    """``"*"``: read in the deal's pipeline, never another's (a stage of another pipeline
    by name too, as "*" does for an import's row)."""
    star = TODO_EXAMPLE + '"*" = "Discovery"\n'
    assert _placed(star, "Won", US) == {"stage_id": 9}
    # Sales has no Discovery: a stage of US by its name alone is no move
    assert isinstance(_placed(star, "Closed Won", SALES), str)
    assert _placed(star, "Closed Won", EU) == {"stage_id": 5}


def test_only_a_cell_naming_another_pipeline_with_its_stage_moves_the_deal() -> None:
    assert _placed("", "EU \u203a Negotiation", SALES) == {"stage_id": 8}
    assert _placed("", "Negotiation", SALES) == {"stage_id": 4}  # the deal's own first
    got = _placed("", "Closed Won", SALES)  # US's only, by its name alone: no move
    assert isinstance(got, str) and "no stage named 'Closed Won' in pipeline 'Sales'" in got


def test_the_plan_counts_the_moves_and_the_reopened_deals() -> None:
    prep = Prepared("update")
    _count_moves(prep, CATALOG, {"pipeline_id": SALES, "status": "won"},
                 {"stage_id": 11, "status": "open"})
    _count_moves(prep, CATALOG, {"pipeline_id": SALES, "status": "open"}, {"stage_id": 4})
    _count_moves(prep, CATALOG, {"pipeline_id": EU, "status": "lost"}, {"status": "open"})
    assert (prep.moved_pipeline, prep.reopened) == (1, 2)
    notes = moves_notes(prep)
    assert notes[0].startswith("moves 1 deal(s) to another pipeline")
    assert notes[1].startswith("reopens 2 won / lost deal(s)")


def test_an_unreadable_cell_fails_naming_the_deals_pipeline() -> None:
    got = _placed("", "Nowhere", US)
    assert isinstance(got, str) and got.startswith(
        "the row names no pipeline, so its stage is read in deal 7's: no stage named "
        "'Nowhere' in pipeline 'US'"), got


STATUS = ('version = 1\n[update]\nid_column = "Deal - ID"\n[deal]\n'
          'status = { column = "Deal - Stage", map = { "Closed Lost" = "lost" } }\n'
          '[deal.stage]\ncolumn = "Deal - Stage"\n[deal.stage.map]\n'
          '"Closed Lost" = "Qualified"\n')


@pytest.mark.parametrize(("cell", "pipeline", "status", "placed"), [
    ("Negotiation", SALES, "won", {"stage_id": 4}),  # its own stage: left won
    ("Closed Won", US, "won", {"stage_id": 11}),
    ("Proposal", SALES, "lost", {"stage_id": 3}),
    ("Closed Lost", SALES, "open", {"stage_id": 1, "status": "lost"}),
    ("Won", EU, "won", {"stage_id": 6}),  # EU's own stage Won: left as it is
    ("won", SALES, "open", {"status": "won"}),  # a won word Sales places not: closed
    ("Closed Won", SALES, "open", {"status": "won"}),  # where it is (a stage of US's)
    ("Closed Lost", US, "won", "no stage named 'Qualified' in pipeline 'US'"),  # its entry
])
def test_a_stage_only_export_leaves_the_status_its_cells_do_not_say(
        cell: str, pipeline: int, status: str, placed: dict[str, Any] | str) -> None:
    """x51r4 F2: the starter's ``"*" = "open"`` reopened a won deal of cell
    ``Negotiation``, a US won deal of ``Contracting`` and a lost one of ``Proposal``; an
    update's status read from the stage column with no ``"*"`` leaves the deal's."""
    mapper = UpdateMapping.loads(STATUS).compile(CATALOG)
    row = SourceRow(2, 2, {"Deal - ID": "7", "Deal - Stage": cell})
    wanted = wanted_values(mapper, row)[1]
    prep = Prepared("update")
    deal = {"id": 7, "pipeline_id": pipeline, "stage_id": 0, "status": status}
    got = _in_deal_pipeline(prep, row, "7", deal, wanted)
    if isinstance(placed, str):  # an entry the deal's pipeline cannot read: refused
        assert got is None and placed in str(prep.items[0].error), (got, prep.items)
        return
    assert got is not None, prep.items
    assert {k: got[k] for k in ("stage_id", "status") if k in got} == placed



NAMED = ('version = 1\n[update]\nid_column = "Deal - ID"\n[deal]\n'
         'status = {{ column = "Deal - Stage"{status} }}\n'
         '[deal.stage]\ncolumn = "Deal - Stage"\n[deal.stage.map]\n{entries}')


@pytest.mark.parametrize(("status", "entries", "cell", "pipeline", "placed"), [
    # x51r10 F4: "Won" = "EU > North > won" failed the US rows' 'Won' ("is in pipeline
    # 'EU > North', not in pipeline 'US'"): read as if absent, closed won where it is
    ("", '"Won" = "EU > North > won"\n', "Won", US, {"status": "won"}),
    ("", '"Won" = "EU > North > won"\n', "won\u200b", SALES, {"status": "won"}),
    ("", '"Won" = "EU > North > won"\n', "Won", NORTH, {"stage_id": 14}),  # its own
    ("", '"Won" = "EU > North > won"\n', "Won", EU, {"stage_id": 6}),
    # ... a status key whose stage entry names a pipeline (x51r10's u4 "Done": 30 of 30)
    (', map = { "Done" = "won" }', '"Done" = "EU > Won"\n', "Done", SALES,
     {"status": "won"}),
    (', map = { "Done" = "won" }', '"Done" = "EU > Won"\n', "Done", EU,
     {"stage_id": 6, "status": "won"}),
])
def test_an_entry_naming_a_pipeline_leaves_the_others_rows_as_without_it(
        status: str, entries: str, cell: str, pipeline: int, placed: dict[str, Any]) -> None:
    mapper = UpdateMapping.loads(NAMED.format(status=status, entries=entries)).compile(CATALOG)
    row = SourceRow(2, 2, {"Deal - ID": "7", "Deal - Stage": cell})
    prep = Prepared("update")
    deal = {"id": 7, "pipeline_id": pipeline, "stage_id": 0, "status": "open"}
    got = _in_deal_pipeline(prep, row, "7", deal, wanted_values(mapper, row)[1])
    assert got is not None, prep.items[0].error
    assert {k: got[k] for k in ("stage_id", "status") if k in got} == placed


PIPED = ('version = 1\n[update]\nid_column = "Deal - ID"\n[deal]\npipeline = "Deal - Pipeline"\n'
         'status = { column = "Deal - Stage" }\n[deal.stage]\ncolumn = "Deal - Stage"\n')


@pytest.mark.parametrize(("named", "cell", "pipeline", "placed"), [
    # x51r10 F3: a row naming its deal's own pipeline reads a won / lost word as a row of
    # no pipeline does: closed where it is (the starter's "Closed Lost" = "Closing", the
    # import's "left in the last stage", moved SMB deals from Intake to Closing)
    ("US", "Closed Lost", US, {"status": "lost"}),
    ("Sales", "Won", SALES, {"status": "won"}),
    ("US", "Closed Won", US, {"stage_id": 11}),  # its own stage: the status left
    ("US", "Closed Lost", SALES, "no stage named 'Closed Lost' in pipeline 'US'"),  # a move
])
def test_a_row_naming_its_deals_pipeline_closes_a_won_word_where_it_is(
        named: str, cell: str, pipeline: int, placed: dict[str, Any] | str) -> None:
    mapper = UpdateMapping.loads(PIPED).compile(CATALOG)
    row = SourceRow(2, 2, {"Deal - ID": "7", "Deal - Pipeline": named, "Deal - Stage": cell})
    prep = Prepared("update")
    deal = {"id": 7, "pipeline_id": pipeline, "stage_id": 0, "status": "open"}
    got = _in_deal_pipeline(prep, row, "7", deal, wanted_values(mapper, row)[1])
    if isinstance(placed, str):
        error = str(prep.items[0].error)
        assert got is None and placed in error and "names no pipeline" not in error, error
        return
    assert got is not None, prep.items[0].error
    assert {k: got[k] for k in ("stage_id", "status") if k in got} == placed
