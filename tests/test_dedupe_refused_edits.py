"""x42r5 F7: a groups.csv row edited by hand so the apply refuses it (a survivor outside
the group, an id the plan never read, a deal no pair joins to the group) gets one line on
stderr with its row of groups.csv and why, and is counted (``refused_edits``), also without
``decision = merge``; before, only a ``skipped`` row of succeeded.csv said so. A group id on
two rows is refused with its row (both groups were taken and counted as one)."""

from __future__ import annotations

import csv
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.sandbox import SandboxConfig
from jobs.dedupe.apply import _edit_refused
from jobs.dedupe.model import DealRecord
from jobs.dedupe.planfiles import PlannedGroup, read_groups
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.update_support import cli_args, threaded_sandbox
from tests.update_support import deal as sb_deal

T = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="x", status="open", org_id=10, org_name="Ixmo AG", person_id=5,
                  value=1.0, currency="EUR", pipeline_id=1, stage_id=2, stage_order=2,
                  owner_id=3, add_time=T, update_time=T)


def _rewrite(path: Path, edit: dict[int, dict[str, str]]) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for n, values in edit.items():
        rows[n].update(values)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return rows


@pytest.mark.parametrize("survivor", ["phase1", "ren_2024", "none"])
def test_a_refused_survivor_edit_is_named_without_a_decision(tmp_path: Path,
                                                             survivor: str) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=91)) as sb:
        ids = seed_account(sb)["ids"]
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token, "HOME": str(tmp_path)}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        made = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *args], env=env)
        assert made.exit_code == 0, made.output
        new = "999999" if survivor == "none" else str(ids[survivor])
        rows = _rewrite(tmp_path / "p" / "groups.csv", {0: {"survivor_id": new}})
        assert rows[0]["decision"] == "" and len(rows) == 2
        res = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p"), "--yes", *args],
                            env=env)
        assert res.exit_code == 0, res.output
        lines = [line for line in res.stderr.splitlines() if "edit refused" in line]
        assert len(lines) == 1, res.stderr
        assert f"group {rows[0]['group_id']} (row 2 of groups.csv)" in lines[0], lines
        assert f"deal {new}" in lines[0], lines
        assert "1 group(s) of groups.csv edited by hand refused" in res.stdout, res.stdout
        assert sb.token not in res.output
        assert not sb_deal(sb, int(new) if survivor != "none" else ids["web"])["is_deleted"]


def test_a_deal_no_pair_joins_to_the_group_is_an_edit() -> None:
    planned = {i: replace(BASE, id=i) for i in (1, 2, 3, 4)}
    scores = {frozenset((1, 2)): 0.95, frozenset((2, 3)): 0.9, frozenset((3, 4)): 0.4}
    chain = PlannedGroup(2, "g-1", "", "duplicate", 0.9, 1, (2, 3))
    assert _edit_refused(chain, planned, {}, scores, 0.7) is None  # a chain is the plan's
    alone = replace(chain, survivor_id=4)
    why = _edit_refused(alone, planned, {}, scores, 0.7)
    assert why is not None and "survivor 4 is not in the group as planned" in why
    added = replace(chain, merged_ids=(2, 4))
    why = _edit_refused(added, planned, {}, scores, 0.7)
    assert why is not None and why.startswith("deal(s) 4 not in the group as planned")


def test_a_group_id_on_two_rows_is_refused_with_its_row(tmp_path: Path) -> None:
    head = "group_id,decision,band,score,survivor_id,merged_ids,extra\n"
    (tmp_path / "groups.csv").write_text(head + "g-1,,duplicate,0.9,1,2,x\n"
                                         "g-1,merge,duplicate,0.9,3,4,y\n", encoding="utf-8")
    with pytest.raises(InputError) as got:
        read_groups(tmp_path)
    assert got.value.row == 3 and "also row 2's" in str(got.value)


def test_two_groups_joined_by_hand_are_named_as_an_edit(tmp_path: Path) -> None:
    """Without decision = merge too: the join is named, with the check that refused it."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=91)) as sb:
        seed_account(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token, "HOME": str(tmp_path)}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        made = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *args], env=env)
        assert made.exit_code == 0, made.output
        path = tmp_path / "p" / "groups.csv"
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        rows[0]["merged_ids"] += f";{rows[1]['survivor_id']};{rows[1]['merged_ids']}"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerow(rows[0])  # the second group's row deleted: its deals are in the first
        res = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p"), "--yes", *args],
                            env=env)
        assert res.exit_code == 0, res.output
        (line,) = [x for x in res.stderr.splitlines() if "edit refused" in x]
        assert f"group {rows[0]['group_id']} (row 2 of groups.csv)" in line, line
        assert "not in the group as planned" in line and "; so: " in line, line
        assert f"not in groups.csv (rows deleted, or the file was cut): not merged: " \
            f"{rows[1]['group_id']}" in res.stdout, res.stdout  # the deleted row: a note
