"""A usage error is the one `pdbulk: ...` line README's exit codes promise, exit 2, with
the choices of a refused choice value and the command's `--help` (x31r1 4: typer drew a
Rich box over several lines, below its own "Usage:" and "Try ..." lines)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pdbulk.cli import app


@pytest.mark.parametrize(("argv", "said", "command"), [
    (["plan", "import", "--plan", "foo", "x.csv"],
     "Invalid value for '--plan': 'foo' is not one of 'lite', 'growth', 'professional', "
     "'premium', 'ultimate', 'essential', 'advanced', 'power', 'enterprise'", "plan import"),
    (["move-stage", "--status-to", "foo"],
     "Invalid value for '--status-to': 'foo' is not one of 'open', 'won', 'lost'",
     "move-stage"),
    (["--bogus"], "No such option: --bogus", ""),
    (["import"], "Missing argument 'manifest'", "import"),
    (["dedupe", "run", "--nope"], "No such option: --nope", "dedupe run"),
])
def test_a_usage_error_is_one_line(argv: list[str], said: str, command: str) -> None:
    """One line on stderr: `pdbulk: <reason> (see `pdbulk <command> --help`)`, exit 2."""
    out = CliRunner().invoke(app, argv, prog_name="pdbulk")
    assert out.exit_code == 2, out.output
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    hint = f"`pdbulk {command} --help`" if command else "`pdbulk --help`"
    assert lines[0] == f"pdbulk: {said} (see {hint})", lines[0]
    assert out.stdout == "", out.stdout


def test_a_usage_error_with_json_is_one_object_and_one_line() -> None:
    """--json: one JSON object on stdout (as before) and the same one line on stderr."""
    out = CliRunner().invoke(app, ["update", "--json", "--bogus"], prog_name="pdbulk")
    assert out.exit_code == 2, out.output
    assert out.stdout.count("\n") == 1 and '"exit_code":2' in out.stdout, out.stdout
    assert out.stderr.splitlines() == [
        "pdbulk: No such option: --bogus (see `pdbulk update --help`)"], out.stderr
