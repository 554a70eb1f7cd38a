"""What a dedupe says of its state: an index of an empty account names no time "None"
(x38r2 F9: "index: 0 deals as of None")."""

from __future__ import annotations

from pathlib import Path

from jobs.dedupe.index import DealIndex, install_plan_index, save_plan_index


def test_an_empty_accounts_index_names_no_time(tmp_path: Path) -> None:
    save_plan_index(DealIndex({}, None), tmp_path / "plan", None)
    line = install_plan_index(tmp_path / "plan", tmp_path / "state", [])
    assert line is not None and "None" not in line, line
    assert line.startswith("index: 0 deals (none seen yet"), line
