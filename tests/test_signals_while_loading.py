"""A signal while a job loads (x11r1 M2, found on dedupe and true of every job command): the
process was killed (exit 143), a half-made job folder left behind. Nothing is sent while a
job loads: the command ends with a clear line, exit 1, and no job folder."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import anyio
import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from jobs import updating
from pdbulk.cli import app
from tests.update_support import cli_args, threaded_sandbox


def test_a_signal_while_an_update_loads_leaves_no_job(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    async def stopped_while_loading(*args: Any, **kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGTERM)
        await anyio.sleep(5)
        raise AssertionError("the signal did not stop the load")

    def unhandled(signum: int, frame: Any) -> None:  # without the command's own handler:
        raise KeyboardInterrupt  # the test process is not killed

    manifest = tmp_path / "rows.csv"
    manifest.write_text("Deal,Title\n1,x\n")
    (tmp_path / "m.toml").write_text(
        'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n')
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        monkeypatch.setattr(updating, "prepare_update", stopped_while_loading)
        before = signal.signal(signal.SIGTERM, unhandled)
        try:
            res = CliRunner().invoke(app, ["update", str(manifest), "-m",
                                           str(tmp_path / "m.toml"), "--yes",
                                           *cli_args(sb, tmp_path / "jobs")],
                                     env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
            assert signal.getsignal(signal.SIGTERM) is unhandled  # put back
        finally:
            signal.signal(signal.SIGTERM, before)
    assert res.exit_code == 1, res.output
    assert "interrupted while loading, before anything was sent" in res.output
    jobs = tmp_path / "jobs"
    assert not jobs.exists() or not any(jobs.iterdir()), list(jobs.iterdir())


def test_a_signal_while_the_command_line_starts_says_so(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """x11r3 F4: Ctrl-C in the first second (the imports) printed a KeyboardInterrupt
    traceback (exit 130), SIGTERM ended it silently (exit 143), with no JSON object."""
    import sys
    import types

    from pdbulk import entry

    class Starting(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            raise KeyboardInterrupt  # the signal lands while the command line imports

    monkeypatch.setitem(sys.modules, "pdbulk.cli", Starting("pdbulk.cli"))
    monkeypatch.setattr(sys, "argv", ["pdbulk", "jobs", "--json"])
    before = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit) as exit_info:
            entry.main()
        assert signal.getsignal(signal.SIGTERM) is entry._interrupt  # SIGTERM taken too
    finally:
        signal.signal(signal.SIGTERM, before)
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert '"status": "error"' in out and "before anything was sent" in err


@pytest.mark.parametrize("share", ["0", "nan", "1.5", "-0.5"])
def test_a_budget_share_out_of_range_is_a_usage_error(tmp_path: Path, share: str) -> None:
    """x11r3 F3: --budget-share 0 passed the option's range, then failed as an unexpected
    ValueError (exit 1) and left a job; x14r3: the help said 0 was allowed, and nan was
    refused as "less than or equal to 1". One reason for every share out of range."""
    manifest = tmp_path / "rows.csv"
    manifest.write_text("Deal,Title\n1,x\n")
    (tmp_path / "m.toml").write_text(
        'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n')
    res = CliRunner().invoke(app, ["update", str(manifest), "-m", str(tmp_path / "m.toml"),
                                   "--budget-share", share, "--job-dir", str(tmp_path / "jobs")],
                             env={**os.environ, "PIPEDRIVE_API_TOKEN": "x"})
    assert res.exit_code == 2, res.output
    assert "give a share above 0" in res.output
    assert not (tmp_path / "jobs").exists()
    helped = CliRunner().invoke(app, ["update", "--help"], env={"COLUMNS": "200"})
    assert "above 0, at most 1" in helped.output and "0.0<=x" not in helped.output


def test_a_signal_while_the_command_line_is_built_says_so(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """x11r4 F3: SIGTERM after the imports, while typer built the command (before any
    command's own handler), gave a KeyboardInterrupt traceback (exit 130)."""
    import sys
    import types

    from pdbulk import entry

    def building() -> None:
        raise KeyboardInterrupt  # the signal lands in typer's set-up

    cli = types.ModuleType("pdbulk.cli")
    cli.main = building  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pdbulk.cli", cli)
    monkeypatch.setattr(sys, "argv", ["pdbulk", "update", "rows.csv"])
    before = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit) as exit_info:
            entry.main()
    finally:
        signal.signal(signal.SIGTERM, before)
    assert exit_info.value.code == 1
    assert "before anything was sent" in capsys.readouterr().err
