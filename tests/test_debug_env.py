"""x17r3 F6: ``PDBULK_DEBUG`` is on only for a value that says yes ("0", "false", "no",
"off" and empty, any case, say no), and debug never changes the line or the exit code:
it adds the traceback before them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pdbulk.cli import app
from pdbulk.options import EXIT_AUTH, debugging
from tests.test_transient_exit import answering

SECRET = "SECRET-debug-123"


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "No", "off", " off ", ""])
def test_values_that_say_no_turn_debug_off(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDBULK_DEBUG", value)
    assert not debugging()


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "2"])
def test_values_that_say_yes_turn_debug_on(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDBULK_DEBUG", value)
    assert debugging()


@pytest.mark.parametrize("command", [["plan", "move-stage", "--to-stage", "Won", "--stage", "Lead In"],
                                     ["plan", "dedupe", "--json"]])
@pytest.mark.parametrize("value", ["0", "false", "1"])
def test_debug_never_changes_the_exit_code(tmp_path: Path, value: str,
                                           command: list[str]) -> None:
    """A 401 is exit 5 with PDBULK_DEBUG unset, "0", "false" or "1"; only "1" adds a
    traceback, and never the token."""
    body = b'{"success":false,"error":"unauthorized access","errorCode":401}'
    with answering(401, "application/json", body) as url:
        res = CliRunner().invoke(app, [*command, "--url", url, "--job-dir", str(tmp_path)],
                                 env={"PIPEDRIVE_API_TOKEN": SECRET, "PDBULK_DEBUG": value})
    assert res.exit_code == EXIT_AUTH, res.output
    assert "pdbulk: " in res.output and SECRET not in res.output
    assert ("Traceback" in res.output) == (value == "1"), res.output
