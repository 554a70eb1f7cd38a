"""The file-reading options (--sheet, --encoding, --header-row) are checked against the
file they read one way in every command (x41r1 L8: --sheet on a CSV was exit 2 for
import, exit 1 in other words for update, merge, move-stage and init-mapping; L9: a
move-stage selected by query took them silently, and --encoding on an XLSX was ignored
without a word). Nothing listens at the URL: each refusal comes before any call."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pdbulk.cli import app

URL = ["--url", "http://127.0.0.1:9"]  # loopback, nothing listens: never reached here
ENV = {"PIPEDRIVE_API_TOKEN": "tok", "COLUMNS": "200"}
MOVE = ["move-stage", "--to-stage", "Won"]


def _files(tmp_path: Path) -> dict[str, str]:
    csv, pairs, toml = tmp_path / "d.csv", tmp_path / "p.csv", tmp_path / "m.toml"
    csv.write_text("Deal,Title\n1,T\n", encoding="utf-8")
    pairs.write_text("merge_id,survivor_id\n1,2\n", encoding="utf-8")
    toml.write_text('version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n',
                    encoding="utf-8")
    return {"csv": str(csv), "pairs": str(pairs), "toml": str(toml)}


@pytest.mark.parametrize("args", [
    ["update", "{csv}", "-m", "{toml}"],
    ["plan", "update", "{csv}", "-m", "{toml}"],
    ["merge", "{pairs}"],
    ["plan", "merge", "{pairs}"],
    [*MOVE, "--manifest", "{csv}"],
    ["init-mapping", "{csv}", "-o", "-"],
])
def test_sheet_on_a_csv_is_exit_2_in_every_command(tmp_path: Path, args: list[str]) -> None:
    """The import's words and code, whatever the command."""
    f = _files(tmp_path)
    argv = [a.format(**f) for a in args]
    res = CliRunner().invoke(app, [*argv, "--sheet", "Deals", *URL,
                                   *([] if args[0] == "init-mapping"
                                     else ["--job-dir", str(tmp_path / "jobs")])], env=ENV)
    assert res.exit_code == 2, res.output
    assert "--sheet names a worksheet of an XLSX manifest" in res.output, res.output


@pytest.mark.parametrize("option", [["--sheet", "Deals"], ["--encoding", "latin-1"],
                                    ["--header-row", "2"]])
def test_file_options_without_a_manifest_are_refused(tmp_path: Path,
                                                     option: list[str]) -> None:
    """A move-stage selected by query reads no file: its file options are exit 2."""
    res = CliRunner().invoke(app, [*MOVE, "--stage", "Qualified", *option, *URL,
                                   "--job-dir", str(tmp_path / "jobs")], env=ENV)
    assert res.exit_code == 2, res.output
    assert option[0] in res.output and "give --manifest" in res.output, res.output


def test_encoding_on_an_xlsx_is_said_ignored(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """An XLSX carries its own text encoding: --encoding is said to be ignored."""
    from pdbulk.options import file_options

    file_options(tmp_path / "deals.xlsx", sheet=None, encoding="latin-1")
    assert "--encoding is ignored" in capsys.readouterr().err
