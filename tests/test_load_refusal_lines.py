"""Every job kind names a row it refuses at load as the import does: "row N" and, where a
quoted cell of several lines above it makes the file's line differ, "(line L of the file)"
— update, move-stage and merge alike (f27b: only the import's said the line; an update's,
a move's and a merge's refusals named the row alone, which no editor shows at that line),
said once even when the reader's own refusal says it already."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.update_support import cli_args, threaded_sandbox


def _plan(sb: Sandbox, tmp: Path, argv: list[str]) -> dict[str, Any]:
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
    res = CliRunner().invoke(app, ["plan", *argv, "--json", *cli_args(sb, tmp / "jobs")],
                             env=env)
    assert res.exit_code in (0, 3), res.output
    return dict(orjson.loads(res.stdout))


def _reasons(plan: dict[str, Any]) -> dict[int, str]:
    return {int(r["row"]): str(r["reason"]) for r in plan["failed_rows"]}


# row 2 spans lines 2-4; rows 3, 4, 5 start on lines 5, 6, 7; row 6 is the reader's own
# refusal (a cell too many), on line 8
NOTES = '"one\ntwo\nthree"'


def _check(reasons: dict[int, str], rows: dict[int, str]) -> None:
    """Each refused row's reason says what ``rows`` expects, then its line, once."""
    assert sorted(reasons) == sorted(rows), reasons
    for row, words in rows.items():
        reason = reasons[row]
        assert words in reason, (row, reason)
        assert reason.endswith(f" (line {row + 2} of the file)"), (row, reason)
        assert reason.count("of the file)") == 1, (row, reason)


def test_update_refusals_name_the_files_line(tmp_path: Path) -> None:
    """An id that does not parse, a deal that does not exist, a deal named twice and a
    misaligned record: each says its line."""
    manifest = tmp_path / "rows.csv"
    manifest.write_text(f"Deal,Title,Notes\n1,A,{NOTES}\nabc,B,\n99999,C,\n1,D,\n2,E,x,y\n")
    (tmp_path / "map.toml").write_text(
        'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n')
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        plan = _plan(sb, tmp_path, ["update", str(manifest), "--mapping",
                                    str(tmp_path / "map.toml")])
    reasons = _reasons(plan)
    # row 2 (line 2) gives deal 1 another title than row 5: neither is written (f30k)
    assert "also named by row 5 (line 7 of the file)" in reasons.pop(2), plan
    _check(reasons, {3: "not a deal id", 4: "no deal with id '99999'",
                     5: "also named by row 2", 6: "4 cells but the header has 3"})


def test_move_stage_refusals_name_the_files_line(tmp_path: Path) -> None:
    manifest = tmp_path / "ids.csv"
    manifest.write_text(f"deal_id,Notes\n1,{NOTES}\nabc,\n99999,\n1,\n2,x,y\n")
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        plan = _plan(sb, tmp_path, ["move-stage", "--manifest", str(manifest),
                                    "--to-stage", "Qualified", "--to-pipeline", "Sales"])
    # row 5 names row 2's deal again: the same move, skipped as a duplicate (no refusal)
    _check(_reasons(plan), {3: "not a deal id", 4: "no deal with id '99999'",
                            6: "3 cells but the header has 2"})


def test_merge_refusals_name_the_files_line(tmp_path: Path) -> None:
    """At reading (an id that does not parse) and when the pairs are checked as a whole
    (a deal that does not exist, a duplicate pair)."""
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(f"merge_id,survivor_id,Notes\n2,1,{NOTES}\nabc,1,\n99999,1,\n2,1,\n"
                     "3,1,x,y\n")
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        plan = _plan(sb, tmp_path, ["merge", str(pairs)])
    # row 5 gives row 2's pair again: one merge, row 5 skipped as its duplicate
    _check(_reasons(plan), {3: "not a deal id", 4: "deal 99999 does not exist",
                            6: "4 cells but the header has 3"})


@pytest.mark.parametrize("reason,row,line,said", [
    ("bad", 3, 3, "bad"),
    ("bad", 3, 5, "bad (line 5 of the file)"),
    ("bad (line 5 of the file)", 3, 5, "bad (line 5 of the file)"),
    ("bad", None, 5, "bad"),
    ("bad", 3, 0, "bad"),
])
def test_at_line_says_the_line_once_and_only_where_it_differs(
        reason: str, row: int | None, line: int, said: str) -> None:
    from bulk.manifest_row import at_line

    assert at_line(reason, row, line) == said


# row 2 spans lines 2-4; rows 3 and 4 start on lines 5 and 6: row 4 names row 3's deal
@pytest.mark.parametrize(("kind", "rows", "said"), [
    ("update", f"Deal,Title,Notes\n3,Z,{NOTES}\n1,A,\n1,D,\n", "also named by row 3"),
    ("merge", f"merge_id,survivor_id,Notes\n4,3,{NOTES}\n2,1,\n2,5,\n",
     "1 by row 3"),
])
def test_a_related_row_is_named_with_its_line_too(tmp_path: Path, kind: str, rows: str,
                                                  said: str) -> None:
    """"also named by row 3" adds row 3's own line (5) where it differs, as the row's own
    note (line 6) does (before: "row 3" alone, which no editor shows at that line)."""
    manifest = tmp_path / "rows.csv"
    manifest.write_text(rows)
    (tmp_path / "map.toml").write_text(
        'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n')
    argv = {"update": ["update", str(manifest), "--mapping", str(tmp_path / "map.toml")],
            "move-stage": ["move-stage", "--manifest", str(manifest), "--to-stage",
                           "Qualified", "--to-pipeline", "Sales"],
            "merge": ["merge", str(manifest)]}[kind]
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        reasons = _reasons(_plan(sb, tmp_path, argv))
    # update: row 3 gives deal 1 another title than row 4, so it is refused too (f30k); merge:
    # row 3 sends deal 2 into 1, row 4 into 5, so both fail (x46r3 F2)
    assert sorted(reasons) == [3, 4], reasons
    assert f"{said} (line 5 of the file)" in reasons[4], reasons[4]
    assert reasons[4].endswith(" (line 6 of the file)"), reasons[4]
