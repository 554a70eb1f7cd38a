"""`dedupe run` takes `--yes` as `dedupe apply` does (x31r1 6: `dedupe run --yes` was "No
such option", exit 2); run never asks, with it or without."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pdbulk.cli import app
from tests.test_readme_yes import _takes_yes


def test_every_dedupe_command_that_merges_takes_yes() -> None:
    """apply and run both take --yes; plan, which sends nothing, does not."""
    assert _takes_yes(["dedupe", "apply"]) and _takes_yes(["dedupe", "run"])
    assert not _takes_yes(["dedupe", "plan"])


def test_dedupe_run_with_yes_is_no_usage_error(tmp_path: Path) -> None:
    """`dedupe run --yes` goes on to its checks (here: no token, exit 1), not exit 2."""
    out = CliRunner().invoke(app, ["dedupe", "run", "--yes", "--state-dir", str(tmp_path),
                                   "--url", "http://127.0.0.1:9", "--job-dir",
                                   str(tmp_path / "jobs")],
                             env={"PIPEDRIVE_API_TOKEN": ""}, prog_name="pdbulk")
    assert out.exit_code != 2, out.output
    assert "No such option" not in out.output, out.output
