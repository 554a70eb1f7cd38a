"""tests/conftest.py's autouse fixture: each test's own empty, private PDBULK_STATE_DIR
(never the user's) and the SIGINT / SIGTERM / SIGHUP handlers, both put back as the test
found them after it (f32j 1), kept when the two fixtures became one fixture without
``monkeypatch`` and ``mktemp`` per test (issue 8, f56f).

The parametrized cases run in order in one process (alone, or on one xdist worker); a
case whose predecessor ran in another worker checks only its own folder."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import pytest

_LEFT: dict[str, object] = {}  # what the previous case left behind, in this process


def _handler(signum: int, frame: object) -> None:  # never called: only installed
    raise AssertionError("not for calling")


@pytest.mark.parametrize("case", range(3))
def test_each_test_has_its_own_private_state_folder_and_gets_env_and_signals_back(
        case: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = Path(os.environ["PDBULK_STATE_DIR"])
    assert folder.is_dir() and not any(folder.iterdir()), folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert folder.resolve().is_relative_to(tmp_path_factory.getbasetemp().resolve())
    assert not folder.resolve().is_relative_to(Path.home() / ".local")
    if _LEFT.get("case") == case - 1:  # the previous case ran here, just before this one
        assert str(folder) != _LEFT["folder"]
        assert signal.getsignal(signal.SIGHUP) is not _handler
        assert signal.getsignal(signal.SIGTERM) is not _handler
    # what a careless test leaves: a file in its folder, the variable changed, handlers
    (folder / "claims.sqlite").write_text("held")
    _LEFT.update(case=case, folder=str(folder))
    signal.signal(signal.SIGHUP, _handler)
    signal.signal(signal.SIGTERM, _handler)
    os.environ["PDBULK_STATE_DIR"] = str(folder / "elsewhere")


@pytest.mark.parametrize("case", range(2))
def test_a_test_that_unsets_the_state_folder_does_not_unset_the_next_ones(
        case: int, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Path(os.environ["PDBULK_STATE_DIR"]).is_dir()
    if case == 0:
        del os.environ["PDBULK_STATE_DIR"]
    else:
        monkeypatch.delenv("PDBULK_STATE_DIR")
