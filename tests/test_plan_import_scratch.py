"""`plan import` with a TMPDIR it cannot use (full, tiny, not a folder) plans as it does with
a usable one: its throwaway job store and its bad-row spill go to the state folder instead
(x46r13 F5: a 64 KB TMPDIR ended it exit 4 "the disk is full ... run the command again"
where `import` works)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from bulk import state
from bulk.claims import state_dir
from bulk.sandbox import SandboxConfig

MAPPING = """
version = 1
[import]
key_column = "Key"
key_field = "Import source key"
[deal]
title = "Title"
value = "Value"
"""


_TIME = re.compile(r"about [0-9.,]+ (?:s|min|h)\b|under 1 s")


def _plan(tmp_path: Path) -> list[tuple[int, str]]:
    from typer.testing import CliRunner

    from pdbulk.cli import app
    from tests.sandbox_helpers import ThreadedSandbox

    token = "scratch-token"
    manifest, mapping = tmp_path / "deals.csv", tmp_path / "map.toml"
    manifest.write_text("Key,Title,Value\nK1,A,10\nK2,B,abc\nK3,C,30\n", encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    said = []
    with ThreadedSandbox(SandboxConfig(plan="growth", token=token, deals=0, seed=7)) as sb:
        for _ in range(2):
            res = CliRunner().invoke(app, [
                "plan", "import", str(manifest), "--mapping", str(mapping), "--create-key-field",
                "--failed-csv", str(tmp_path / "bad.csv"), "--url", sb.url],
                env={"PIPEDRIVE_API_TOKEN": token})
            # the time line's figure is measured (this machine's pace, the round trips):
            # two plans a moment apart may round it apart; what is compared is the rest
            said.append((res.exit_code, _TIME.sub("about N s", res.output)))
    return said


def test_a_plan_with_an_unusable_tmpdir_plans_as_with_a_usable_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TMPDIR naming a file (no folder can be made there): the same plan, exit 3 (one bad
    row), its bad row in the failed-rows file; no scratch folder left in the state folder."""
    usable = _plan(tmp_path)
    assert usable[0][0] == 3, usable[0][1]
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    unusable = _plan(tmp_path)
    assert [code for code, _ in unusable] == [3, 3], unusable
    assert unusable[0][1] == usable[0][1]
    assert "K2" in (tmp_path / "bad.csv").read_text("utf-8")
    assert not any((state_dir() / "scratch").iterdir())


def test_scratch_is_tmpdir_with_room_else_the_state_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TMPDIR with SCRATCH_ROOM free: TMPDIR; with less (a 64 KB tmpfs), or not a folder:
    ``<state folder>/scratch``, private (0700)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert state.scratch_dir() == str(tmp_path)
    real = os.statvfs

    def tiny(path: object) -> os.statvfs_result:
        got = real(path)  # type: ignore[arg-type]
        return os.statvfs_result((got.f_bsize, 4096, 16, 16, 16, *tuple(got)[5:]))

    monkeypatch.setattr(os, "statvfs", tiny)
    fallback = state_dir() / "scratch"
    assert state.scratch_dir() == str(fallback)
    assert fallback.stat().st_mode & 0o777 == 0o700
    monkeypatch.setattr(os, "statvfs", real)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing" / "sub"))
    assert state.scratch_dir() == str(fallback)


def test_no_scratch_anywhere_names_tmpdir_and_the_state_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TMPDIR naming a file and ``<state folder>/scratch`` a file too: the error's text
    names TMPDIR, its file the state folder's scratch (the CLI adds PDBULK_STATE_DIR);
    x47r6 F5: it named PDBULK_STATE_DIR alone."""
    from pdbulk.options import describe

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    state_dir().mkdir(parents=True, exist_ok=True)
    (state_dir() / "scratch").write_text("", encoding="utf-8")
    with pytest.raises(OSError) as got:
        state.scratch_dir()
    said = describe(got.value)
    assert f"TMPDIR ({blocked})" in said, said
    assert str(state_dir() / "scratch") in said and "PDBULK_STATE_DIR" in said, said
