"""The state folder (claims, markers, merged deals) is private: 0700, its files 0600, whatever
the umask, and the demo keeps its own state and port (f23b 4: ~/.local/state/pdbulk was
made 0755 as the parent of coordinated/; the demo had no --port and left its environment)."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulk.claims import state_dir
from bulk.claims_local import LocalClaims
from bulk.coordinator import mark_coordinated
from jobs.merged_deals import record
from pdbulk import demo


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("first", ["marker", "claims", "merges"])
def test_the_state_folder_is_made_private_by_every_writer(
        first: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None) -> None:
    """Whichever file is written first, $XDG_STATE_HOME/pdbulk is 0700 and so is every
    folder below it; the XDG folder above it is left as the user keeps it."""
    monkeypatch.delenv("PDBULK_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    if first == "marker":
        mark_coordinated("ab" * 8, "redis://127.0.0.1:6379/0", "1234")
    elif first == "claims":
        LocalClaims().close()
    else:
        record("http://127.0.0.1:1", [(2, 1)], "j1")
    top = state_dir()
    assert top == tmp_path / "xdg" / "pdbulk"
    assert _mode(top) == 0o700, oct(_mode(top))
    for path in top.rglob("*"):
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), (path, oct(_mode(path)))
    assert _mode(tmp_path / "xdg") == 0o755  # not ours to change


def test_a_state_folder_left_readable_is_made_private(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None) -> None:
    """An older version's 0755 default state folder is 0700 once pdbulk writes in it."""
    monkeypatch.delenv("PDBULK_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    (tmp_path / "pdbulk").mkdir(mode=0o755)
    mark_coordinated("cd" * 8, "redis://127.0.0.1:6379/0", "1234")
    assert _mode(tmp_path / "pdbulk") == 0o700


def test_the_demo_sandbox_listens_on_the_port_given(tmp_path: Path) -> None:
    """--port: the demo's sandbox on that port of 127.0.0.1; 0 (default) any free one."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with demo.sandbox_process(plan="growth", oauth=False, latency_ms=0, jitter_ms=0, deals=1,
                              seed=1, port=port) as url:
        assert url == f"http://127.0.0.1:{port}"
    with pytest.raises(SystemExit):
        demo.main(["--port", "70000"])


def test_the_demo_keeps_its_state_and_token_to_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its claims go to OUT/state (0700) while it runs; the caller's environment is as it
    was afterwards."""
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "mine"))
    monkeypatch.delenv("PIPEDRIVE_API_TOKEN", raising=False)
    seen: dict[str, str | None] = {}

    def run(a: object) -> int:
        seen["state"] = str(state_dir())
        seen["token"] = os.environ.get("PIPEDRIVE_API_TOKEN")
        return 0
    monkeypatch.setattr(demo, "_run", run)
    assert demo.main(["--out", str(tmp_path / "out"), "--port", "18821"]) == 0
    assert seen["state"] == str((tmp_path / "out" / "state").resolve())
    assert seen["token"] == demo.TOKEN
    assert os.environ["PDBULK_STATE_DIR"] == str(tmp_path / "mine")
    assert "PIPEDRIVE_API_TOKEN" not in os.environ
