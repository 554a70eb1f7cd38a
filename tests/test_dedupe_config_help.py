"""``--config``'s help names what is used without it: the saved copy at
STATE_DIR/config.toml, else the defaults (x33r1 L4)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pdbulk.cli import app


@pytest.mark.parametrize("command", [["dedupe", "plan"], ["dedupe", "run"], ["plan", "dedupe"]])
def test_config_help_names_the_saved_copy(command: list[str]) -> None:
    """Each command taking --config says the saved copy is used without it."""
    res = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "300", "NO_COLOR": "1",
                                                             "TERM": "dumb"})
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "STATE_DIR/config.toml" in text and "built-in defaults" in text, text
