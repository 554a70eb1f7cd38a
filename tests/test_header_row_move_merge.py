"""`pdbulk move-stage --manifest` and `pdbulk merge` take `--header-row N` (and the library's
``move_deals`` / ``merge_deals`` ``header_row``) as import and update do: the row the header
is on, as a spreadsheet numbers it. Before, neither had it: a file with title lines above
its header could not be read (the first line taken for the header, no `deal_id` column)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.sandbox import SandboxConfig
from jobs.api import merge_deals, move_deals
from pdbulk.cli import app
from tests.update_support import cli_args, threaded_sandbox

TITLED = "Deals to move,exported 2026-12-01\nowner: Ann,\n"  # two lines above the header


def _plan(args: list[str], token: str) -> tuple[int, str]:
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": token}
    r = CliRunner().invoke(app, ["plan", *args, "--json"], env=env)
    return r.exit_code, r.stdout + r.stderr


def test_move_stage_and_merge_read_the_header_on_the_row_named(tmp_path: Path) -> None:
    """Header on row 3 (move-stage) and row 3 (merge): both plans read every row; without
    --header-row the first line is the header and the file names no deal column."""
    moves = tmp_path / "moves.csv"
    moves.write_text(TITLED + "deal_id,title\n1,A\n2,B\n", encoding="utf-8")
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(TITLED + "merge_id,survivor_id\n2,1\n4,3\n", encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=11)) as sb:
        common = cli_args(sb, tmp_path / "jobs")
        move = ["move-stage", "--to-stage", "Demo Scheduled", "--manifest", str(moves)]
        code, out = _plan([*move, "--header-row", "3", *common], sb.token)
        assert code == 0, out
        assert orjson.loads(out)["rows"] == 2, out
        code, out = _plan(["merge", str(pairs), "--header-row", "3", *common], sb.token)
        assert code == 0, out
        assert orjson.loads(out)["rows"] == 2, out
        code, out = _plan([*move, *common], sb.token)  # the header found: line 1
        assert code != 0 and "deal_id" in out, out


def test_the_library_takes_header_row_and_checks_it(tmp_path: Path) -> None:
    """``move_deals`` / ``merge_deals(header_row=3)`` read the file's header there; 0, a
    bool or a JSONL file is refused, naming header_row."""
    moves = tmp_path / "moves.csv"
    moves.write_text(TITLED + "deal_id,title\n1,A\n", encoding="utf-8")
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(TITLED + "merge_id,survivor_id\n2,1\n", encoding="utf-8")
    move_deals("Demo Scheduled", manifest=moves, header_row=3)
    merge_deals(pairs, header_row=3)
    with pytest.raises(InputError, match="header_row"):
        move_deals("Demo Scheduled", manifest=moves, header_row=0)
    with pytest.raises(InputError, match="header_row"):
        merge_deals(pairs, header_row=True)
    jsonl = tmp_path / "pairs.jsonl"
    jsonl.write_text('{"merge_id": 2, "survivor_id": 1}\n', encoding="utf-8")
    with pytest.raises(InputError, match="header_row"):
        merge_deals(jsonl, header_row=2)


def test_a_merge_file_whose_header_row_names_no_merge_columns_is_named(tmp_path: Path) -> None:
    """`plan merge --header-row N` on a row of data (or a file of other columns): the
    refusal names the file and the row read as the header, as update's names its file
    (x46r12 F9: "a merge manifest needs …; columns: 3, 4", no file named)."""
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("merge_id,survivor_id\n3,4\n", encoding="utf-8")
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": "t"}
    for more, said in ((["--header-row", "2"], " (the header read on row 2: --header-row)"),
                       ([], "")):
        other = tmp_path / "other.csv"
        other.write_text("a,b\n1,2\n", encoding="utf-8")
        path = pairs if more else other
        r = CliRunner().invoke(app, ["plan", "merge", str(path), *more,
                                     "--url", "http://127.0.0.1:9"], env=env)
        assert r.exit_code == 1, r.output
        line = " ".join(r.output.split())
        assert line.startswith(f"pdbulk: {path}: a merge manifest needs a survivor_id column"), line
        assert line.endswith(said), line
