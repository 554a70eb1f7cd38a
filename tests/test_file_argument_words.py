"""A file argument that is not there says why where click's "does not exist" misleads,
and a mapping init-mapping cannot write names its file (x42r5 F10): ``-`` is standard
input, which no command reads; a symbolic link loop is a loop; `init-mapping -o
/dev/full` said "pdbulk: No space left on device", no file named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox
from pdbulk.cli import app
from tests.test_plan_tokens import cli, sb  # noqa: F401 - sb is a fixture

ENV = {"PIPEDRIVE_API_TOKEN": "tok", "COLUMNS": "300"}
URL = ["--url", "http://127.0.0.1:9"]  # nothing listens: each refusal comes before a call
MAPPING = 'version = 1\n[import]\nkey_column = "k"\n[deal]\ntitle = "t"\n'


@pytest.mark.parametrize("args", [
    ["plan", "import", "-", "--mapping", "{m}"],
    ["import", "{csv}", "--mapping", "-"],
    ["update", "-", "--mapping", "{m}"],
])
def test_a_dash_is_said_to_be_standard_input(tmp_path: Path, args: list[str]) -> None:
    """Exit 2, "standard input, which pdbulk does not read", never "does not exist"."""
    (tmp_path / "m.toml").write_text(MAPPING)
    (tmp_path / "d.csv").write_text("k,t\n1,T\n")
    argv = [a.format(m=tmp_path / "m.toml", csv=tmp_path / "d.csv") for a in args]
    res = CliRunner().invoke(app, [*argv, *URL], env=ENV)
    assert res.exit_code == 2, res.output
    assert "standard input, which pdbulk does not read" in res.output, res.output
    assert "does not exist" not in res.output


def test_a_symlink_loop_is_said_to_be_a_loop(tmp_path: Path) -> None:
    """Exit 2, "a loop"; a plain missing file keeps "does not exist"."""
    (tmp_path / "m.toml").write_text(MAPPING)
    os.symlink(tmp_path / "b.csv", tmp_path / "a.csv")
    os.symlink(tmp_path / "a.csv", tmp_path / "b.csv")
    res = CliRunner().invoke(app, ["plan", "import", str(tmp_path / "a.csv"), "--mapping",
                                   str(tmp_path / "m.toml"), *URL], env=ENV)
    assert res.exit_code == 2 and "(a loop)" in res.output, res.output
    res = CliRunner().invoke(app, ["plan", "import", str(tmp_path / "none.csv"), "--mapping",
                                   str(tmp_path / "m.toml"), *URL], env=ENV)
    assert res.exit_code == 2 and "does not exist" in res.output, res.output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_init_mapping_names_the_file_it_cannot_write(sb: Sandbox,  # noqa: F811
                                                     tmp_path: Path) -> None:
    """One line naming the output and the reason, exit 1, no traceback."""
    (tmp_path / "d.csv").write_text("Deal,Title\n1,T\n")
    res = cli(sb, tmp_path / "jobs", "init-mapping", str(tmp_path / "d.csv"), "-o",
              "/dev/full", "--force", "--url", sb.url, "--plan", "ultimate", "--oauth")
    assert res.exit_code == 1, res.output
    assert "cannot write the mapping to /dev/full: No space left on device" in res.output
