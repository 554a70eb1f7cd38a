"""init-mapping: a stage column's value that names a stage of the account is that stage,
never a deal status (x48r8 F3: open stages named ``Won``, ``Lost``, ``North U+203A Won``
were proposed as ``status = { column = "Stage", map = { "Won" = "won" ... } }`` and 8 deals
were created closed); and pipeline and stage values are matched with the catalog's one
fold, ``>`` and U+203A alike (x48r8 F2: ``"Asia > Pacific" = ""`` was a TODO)."""

from __future__ import annotations

import tomllib
from typing import Any

from jobs.catalog import Catalog, Pipeline, Stage
from jobs.mapping import init_mapping

SEP = "\u203a"
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "North"), Pipeline(3, f"Asia {SEP} Pacific")),
    stages=(Stage(1, "Lead In", 1, 1), Stage(2, "Won", 1, 2), Stage(3, "Lost", 1, 3),
            Stage(4, "Lead In", 2, 1), Stage(5, "Won", 2, 2), Stage(6, "Qualified", 3, 1),
            Stage(7, "Value > 10k", 1, 4)))


def _proposal(values: list[str], header: tuple[str, ...] = ("Deal Name", "Stage"),
              **more: list[str]) -> tuple[str, dict[str, Any]]:
    text = init_mapping(list(header), CATALOG,
                        samples={"Deal Name": ["D1"], "Stage": values, **more})
    return text, tomllib.loads(text)


def test_won_and_lost_stages_of_the_account_are_stages_not_a_status() -> None:
    text, got = _proposal(["Lead In", "Won", "Lost", f"North {SEP} Won", "won"])
    assert "status" not in got["deal"], text
    assert "name stages of this account" in text
    assert "'Won', 'Lost', 'North \u203a Won'" in text


def test_a_won_word_that_is_no_stage_keeps_its_status_with_a_todo_for_the_others() -> None:
    text, got = _proposal(["Lead In", "Won", "Closed Won", "closedlost"])
    assert got["deal"]["status"]["map"] == {"Closed Won": "won", "closedlost": "lost",
                                            "*": "open"}, text
    assert "# TODO: 'Won' name stages of this account" in text


def test_a_proposal_of_only_no_stage_values_is_as_before() -> None:
    text, got = _proposal(["Lead In", "Closed Won"])
    assert got["deal"]["status"]["map"] == {"Closed Won": "won", "*": "open"}
    assert "name stages of this account" not in text


def test_a_pipeline_column_written_with_either_separator_is_read_as_is() -> None:
    text, got = _proposal(["Qualified"], ("Deal Name", "Stage", "Pipeline"),
                          Pipeline=["Asia > Pacific", f"Asia{SEP}Pacific", "asia  >  pacific"])
    assert got["deal"]["pipeline"] == "Pipeline", text
    assert "TODO: column \"Pipeline\"" not in text


def test_stage_values_alike_but_for_the_separator_are_one_entry_the_map_reads() -> None:
    text, got = _proposal([f"Value {SEP} 10k", "value>10k", "VALUE  >  10K"])
    assert got["deal"]["stage"]["map"] == {f"Value {SEP} 10k": "Value > 10k"}, text
