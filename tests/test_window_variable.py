"""PDBULK_WINDOW is a sandbox knob (x32r3 1): honoured for a loopback --url only; off
loopback it is refused and a bad value names the variable, both exit 1 (a configuration
error, as a bad --url: f33i 2, off loopback was exit 2), never a traceback or
``unexpected error (ValueError)``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import typer

from pdbulk import options
from tests.sandbox_helpers import pdbulk_to_the_end


def _config(url: str, tmp_path: Path) -> float:
    return options.engine_config(url=url, plan="growth", seats=1, oauth=False,
                                 job_dir=tmp_path, share=None, max_tokens=None,
                                 wait_for_reset=False, workers=4).window


@pytest.mark.parametrize("url", ["http://127.0.0.1:8700", "http://localhost:8700/",
                                 "http://[::1]:8700", "http://127.0.0.2:22700"])
def test_window_applies_on_loopback(url: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDBULK_WINDOW", "0.25")
    assert _config(url, tmp_path) == 0.25


def test_unset_window_is_pipedrives_two_seconds(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDBULK_WINDOW", "")
    assert _config("https://api.pipedrive.com", tmp_path) == 2.0
    monkeypatch.delenv("PDBULK_WINDOW")
    assert _config("https://acme.pipedrive.com", tmp_path) == 2.0


@pytest.mark.parametrize("url", ["https://api.pipedrive.com", "https://acme.pipedrive.com",
                                 "https://10.0.0.5:8700", "https://127.0.0.1.example.com"])
def test_window_off_loopback_is_refused(url: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PDBULK_WINDOW", "0.25")
    with pytest.raises(typer.Exit) as info:
        _config(url, tmp_path)
    assert info.value.exit_code == options.EXIT_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "PDBULK_WINDOW" in err and "2 s" in err


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "inf"])
def test_bad_window_names_the_variable(value: str, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PDBULK_WINDOW", value)
    with pytest.raises(typer.Exit) as info:
        _config("http://127.0.0.1:8700", tmp_path)
    assert info.value.exit_code == options.EXIT_INPUT
    err = capsys.readouterr().err
    assert "bad PDBULK_WINDOW" in err and "unexpected" not in err


@pytest.mark.parametrize(("value", "code", "words"),
                         [("0.25", options.EXIT_INPUT, "is set, but --url is not a sandbox"),
                          ("abc", options.EXIT_INPUT, "bad PDBULK_WINDOW")])
def test_cli_window_lines(value: str, code: int, words: str, tmp_path: Path) -> None:
    """Through the CLI against the default (Pipedrive) URL: one line naming the variable,
    its exit code, no traceback, no job folder (x32r3 1: ``unexpected error (ValueError)``)."""
    (tmp_path / "m.csv").write_text("Key,Title\nK1,Deal 1\n")
    (tmp_path / "map.toml").write_text('version = 1\n[import]\nkey_column = "Key"\n'
                                       'key_field = "Import source key"\n[deal]\n'
                                       'title = "Title"\n')
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": "a" * 40, "PDBULK_WINDOW": value,
           "PDBULK_STATE_DIR": str(tmp_path / "state")}
    env.pop("PDBULK_URL", None)
    # in this process: nothing cuts the run (a start-up of its own: ~0.4 CPU s; f45j)
    out = pdbulk_to_the_end(["import", str(tmp_path / "m.csv"), "--mapping",
                             str(tmp_path / "map.toml"), "--job-dir", str(tmp_path / "jobs")],
                            env)
    assert out.returncode == code, out.stderr
    assert out.stderr.count("\n") == 1 and words in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "jobs").exists()
